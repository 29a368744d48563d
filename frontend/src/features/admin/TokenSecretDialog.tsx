import { useId } from 'react';

import type { CreatedToken } from '@/api/types';
import { Button } from '@/components/Button';
import { CopyButton } from '@/components/CopyButton';
import { Dialog } from '@/components/Dialog';

/** The one and only time a token's secret is shown. */
export function TokenSecretDialog({ created, onClose }: { created: CreatedToken; onClose: () => void }) {
  const secretId = useId();
  return (
    <Dialog
      title={`Token “${created.token.name}” created`}
      onClose={onClose}
      size="wide"
      footer={
        <Button variant="primary" onClick={onClose}>
          I have copied it
        </Button>
      }
    >
      <p className="token-secret__warning" role="note">
        <strong>Copy the secret now: you won’t see it again.</strong> opsdeck keeps only a hash of it. If it is lost, revoke this token and create a
        new one.
      </p>
      <div className="field">
        <label htmlFor={secretId}>Secret</label>
        <input id={secretId} className="token-secret" readOnly value={created.secret} spellCheck={false} onFocus={(event) => event.target.select()} data-autofocus />
        <CopyButton text={created.secret} label="Copy secret" />
      </div>
      <p className="muted small">
        Send it as <code>Authorization: Bearer {'<secret>'}</code>.
      </p>
    </Dialog>
  );
}
