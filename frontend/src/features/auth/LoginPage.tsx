import { useMutation } from '@tanstack/react-query';
import { useId, useState, type SubmitEvent } from 'react';

import { ApiError } from '@/api/problem';
import { Button } from '@/components/Button';
import { TextField } from '@/components/fields';
import { Notice } from '@/components/Notice';
import { InlineError } from '@/components/states';
import { useSession } from '@/lib/use-session';

import { signIn, type Credentials } from '@/features/auth/api';

/** The problem code of a correct password for an account that also needs its TOTP code. */
const MFA_REQUIRED = 'mfa_required';

export function LoginPage() {
  const { endedReason } = useSession();
  const titleId = useId();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totpCode, setTotpCode] = useState('');
  const [step, setStep] = useState<'credentials' | 'totp'>('credentials');

  const login = useMutation({
    mutationFn: (credentials: Credentials) => signIn(credentials),
    onError: (error) => {
      if (error instanceof ApiError && error.code === MFA_REQUIRED) setStep('totp');
    },
  });

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    login.mutate(step === 'totp' ? { username, password, totpCode: totpCode.trim() } : { username, password });
  }

  function backToCredentials() {
    setStep('credentials');
    setTotpCode('');
    login.reset();
  }

  // Asking for the code is the next step, not a failure to report.
  const shownError = login.error instanceof ApiError && login.error.code === MFA_REQUIRED ? null : login.error;

  return (
    <main className="login">
      <div className="login__card">
        <div className="brand brand--large">
          <span className="brand__mark" aria-hidden="true">
            O
          </span>
          <span>opsdeck</span>
        </div>
        <h1 id={titleId} className="login__title">{step === 'credentials' ? 'Sign in' : 'Two-step verification'}</h1>
        {endedReason && step === 'credentials' && !login.isPending && <Notice tone="info">{endedReason}</Notice>}
        <form onSubmit={submit} aria-labelledby={titleId}>
          {step === 'credentials' ? (
            <>
              <TextField label="Username" name="username" autoComplete="username" required autoFocus value={username} onChange={(e) => setUsername(e.target.value)} />
              <TextField label="Password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
            </>
          ) : (
            <>
              <p className="login__hint">Enter the 6-digit code from the authenticator app for <strong>{username}</strong>.</p>
              <TextField
                label="Verification code"
                name="totp_code"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9 ]{6,8}"
                maxLength={8}
                required
                autoFocus
                value={totpCode}
                onChange={(e) => setTotpCode(e.target.value)}
              />
            </>
          )}
          {shownError && <InlineError error={shownError} />}
          <Button type="submit" variant="primary" busy={login.isPending} className="button--block">
            {step === 'credentials' ? 'Sign in' : 'Verify'}
          </Button>
          {step === 'totp' && (
            <Button variant="ghost" className="button--block" onClick={backToCredentials} disabled={login.isPending}>
              Use another account
            </Button>
          )}
        </form>
      </div>
    </main>
  );
}
