import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type SubmitEvent } from 'react';

import { api, unwrap } from '@/api/client';
import { fieldErrorsOf } from '@/api/problem';
import { Button } from '@/components/Button';
import { TextField } from '@/components/fields';
import { InlineError } from '@/components/states';
import { meQueryKey } from '@/lib/use-session';

import { OtpauthQrCode } from '@/features/auth/OtpauthQrCode';
import { useSignOut } from '@/features/auth/use-sign-out';

/**
 * For users whose role requires TOTP and who have not set it up: until they confirm a code, the
 * server refuses everything else, so this is the only screen they get. A new secret needs the
 * current password again (step-up), so an unattended session cannot attach another authenticator.
 */
export function MfaEnrollmentPage() {
  const queryClient = useQueryClient();
  const signOut = useSignOut();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');

  const enroll = useMutation({
    mutationFn: (currentPassword: string) => unwrap(api.POST('/api/v1/auth/mfa/enroll', { body: { password: currentPassword } })),
    onSuccess: () => setPassword(''),
  });
  const passwordError = fieldErrorsOf(enroll.error).password;
  const confirm = useMutation({
    mutationFn: (totpCode: string) => unwrap(api.POST('/api/v1/auth/mfa/confirm', { body: { code: totpCode } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQueryKey }),
  });

  function createSecret(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    enroll.mutate(password);
  }

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    confirm.mutate(code.trim());
  }

  return (
    <main className="login">
      <div className="login__card login__card--wide">
        <h1 className="login__title">Set up two-step verification</h1>
        <p className="login__hint">Your role requires a code from an authenticator app at every sign-in. Set it up to continue.</p>
        {!enroll.data ? (
          <form onSubmit={createSecret} aria-label="Create a secret">
            <TextField
              label="Current password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              error={passwordError}
              onChange={(e) => setPassword(e.target.value)}
            />
            {enroll.error && <InlineError error={enroll.error} shownFields={['password']} />}
            <Button type="submit" variant="primary" className="button--block" busy={enroll.isPending}>
              Create my secret
            </Button>
          </form>
        ) : (
          <form onSubmit={submit} aria-label="Confirm authenticator">
            <ol className="steps">
              <li>
                Scan this code with your authenticator app:
                <OtpauthQrCode uri={enroll.data.otpauth_uri} />
                Cannot scan it? Type this key into the app instead (or open the <a href={enroll.data.otpauth_uri}>setup link</a> on a phone):
                <code className="secret">{enroll.data.secret}</code>
              </li>
              <li>Enter the code the app shows.</li>
            </ol>
            <TextField label="Verification code" inputMode="numeric" autoComplete="one-time-code" maxLength={8} required value={code} onChange={(e) => setCode(e.target.value)} />
            {confirm.error && <InlineError error={confirm.error} />}
            <Button type="submit" variant="primary" className="button--block" busy={confirm.isPending}>
              Turn on two-step verification
            </Button>
          </form>
        )}
        <Button variant="ghost" className="button--block" onClick={() => signOut.mutate()}>
          Sign out
        </Button>
      </div>
    </main>
  );
}
