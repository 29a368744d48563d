import { useMutation } from '@tanstack/react-query';
import { useState, type SubmitEvent } from 'react';

import { api, unwrap } from '@/api/client';
import { fieldErrorsOf } from '@/api/problem';
import { Button } from '@/components/Button';
import { TextField } from '@/components/fields';
import { Notice } from '@/components/Notice';
import { PageHeader, Panel } from '@/components/Panel';
import { PasswordStrength } from '@/components/PasswordStrength';
import { InlineError } from '@/components/states';
import { useMe } from '@/lib/use-session';

const FORM_FIELDS = ['current_password', 'new_password'];

/**
 * Changing one's own password. The current one is asked again (step-up); the server judges the
 * new one and, once changed, signs out every other session of the user, keeping this one.
 */
export function ChangePasswordPage() {
  const { data: me } = useMe();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [changed, setChanged] = useState(false);
  const change = useMutation({
    mutationFn: (body: { current_password: string; new_password: string }) => unwrap(api.POST('/api/v1/me/password', { body })),
    onSuccess: () => {
      setCurrentPassword('');
      setNewPassword('');
      setRepeated('');
      setChanged(true);
    },
  });
  const errors = fieldErrorsOf(change.error);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    setChanged(false);
    if (newPassword !== repeated) {
      setMismatch(true);
      return;
    }
    change.mutate({ current_password: currentPassword, new_password: newPassword });
  }

  return (
    <>
      <PageHeader title="Change password" description="Once changed, your other sessions end: every other browser signed in as you has to sign in again." />
      {changed && <Notice onDismiss={() => setChanged(false)}>Your password was changed. Your other sessions have ended.</Notice>}
      <Panel title="Your password">
        <form className="form form--narrow" onSubmit={submit} aria-label="Change password">
          <TextField
            label="Current password"
            type="password"
            autoComplete="current-password"
            required
            value={currentPassword}
            onChange={(event) => setCurrentPassword(event.target.value)}
            error={errors.current_password}
          />
          <TextField
            label="New password"
            type="password"
            autoComplete="new-password"
            required
            value={newPassword}
            onChange={(event) => {
              setNewPassword(event.target.value);
              setMismatch(false);
            }}
            error={errors.new_password}
            hint="At least 12 characters, rated Strong or better, without your username."
          />
          <PasswordStrength password={newPassword} username={me?.name ?? ''} />
          <TextField
            label="Repeat the new password"
            type="password"
            autoComplete="new-password"
            required
            value={repeated}
            onChange={(event) => {
              setRepeated(event.target.value);
              setMismatch(false);
            }}
            error={mismatch ? 'Does not match the new password.' : undefined}
          />
          {change.error && <InlineError error={change.error} shownFields={FORM_FIELDS} />}
          <div>
            <Button type="submit" variant="primary" busy={change.isPending}>
              Change password
            </Button>
          </div>
        </form>
      </Panel>
    </>
  );
}
