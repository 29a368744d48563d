import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type SubmitEvent } from 'react';

import { api, unwrap } from '@/api/client';
import { Button } from '@/components/Button';
import { TextField } from '@/components/fields';
import { InlineError } from '@/components/states';
import { meQueryKey } from '@/lib/use-session';

import { OtpauthQrCode } from '@/features/auth/OtpauthQrCode';
import { useSignOut } from '@/features/auth/use-sign-out';

/**
 * For users whose role requires TOTP and who have not set it up: until they confirm a code, the
 * server refuses everything else, so this is the only screen they get.
 */
export function MfaEnrollmentPage() {
  const queryClient = useQueryClient();
  const signOut = useSignOut();
  const [code, setCode] = useState('');

  const enroll = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/auth/mfa/enroll')) });
  const confirm = useMutation({
    mutationFn: (totpCode: string) => unwrap(api.POST('/api/v1/auth/mfa/confirm', { body: { code: totpCode } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQueryKey }),
  });

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
          <>
            {enroll.error && <InlineError error={enroll.error} />}
            <Button variant="primary" className="button--block" busy={enroll.isPending} onClick={() => enroll.mutate()}>
              Create my secret
            </Button>
          </>
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
