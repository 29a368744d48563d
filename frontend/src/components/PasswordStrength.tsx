import { useEffect, useMemo, useState } from 'react';

import type { estimateStrength as Estimate, Score } from '@/lib/password-strength';

const LABELS: Record<Score, string> = { 0: 'Too weak', 1: 'Weak', 2: 'Fair', 3: 'Strong', 4: 'Very strong' };

/** Loads the estimator (and its dictionaries) once, on first use, outside the main bundle. */
let estimator: Promise<typeof Estimate> | undefined;
function loadEstimator(): Promise<typeof Estimate> {
  estimator ??= import('@/lib/password-strength').then((module) => module.estimateStrength);
  return estimator;
}

/**
 * How guessable a new password is, as it is typed: a labelled meter with zxcvbn's warning and
 * suggestions. `username` and `userInputs` (display name, email) count as known words, as they do
 * on the server, which has the last word.
 */
export function PasswordStrength({ password, username, userInputs = [] }: { password: string; username: string; userInputs?: readonly string[] }) {
  const [estimate, setEstimate] = useState<typeof Estimate | null>(null);

  useEffect(() => {
    let mounted = true;
    void loadEstimator().then((loaded) => {
      if (mounted) setEstimate(() => loaded);
    });
    return () => {
      mounted = false;
    };
  }, []);

  const inputsKey = userInputs.join('\n');
  const strength = useMemo(
    () => (estimate && password ? estimate(password, { username, userInputs: inputsKey.split('\n') }) : null),
    [estimate, password, username, inputsKey],
  );

  if (!password) return null;
  if (!strength) return <p className="strength strength--pending">Checking strength…</p>;
  const label = LABELS[strength.score];
  return (
    <div className={`strength strength--${strength.score}`} aria-live="polite">
      <div className="strength__scale">
        <meter min={0} max={4} low={2} high={3} optimum={4} value={strength.score} aria-label="Strength" aria-valuetext={label} />
        <span className="strength__label">{label}</span>
      </div>
      {strength.warning && <p className="strength__warning">{strength.warning}</p>}
      {strength.suggestions.length > 0 && (
        <ul className="strength__suggestions">
          {strength.suggestions.map((suggestion) => (
            <li key={suggestion}>{suggestion}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
