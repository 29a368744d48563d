import type { ReactNode } from 'react';

import { Button } from './Button';
import { Dialog } from './Dialog';
import { InlineError } from './states';

interface ConfirmDialogProps {
  title: string;
  /** What will change, in the reader's terms. */
  children: ReactNode;
  confirmLabel: string;
  /** `danger` for what cannot simply be undone (revoking, deactivating, removing). */
  tone?: 'primary' | 'danger';
  busy: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
}

/** Asks before an action, says what it will do, and shows the server's answer if it fails. */
export function ConfirmDialog({ title, children, confirmLabel, tone = 'danger', busy, error, onConfirm, onClose }: ConfirmDialogProps) {
  return (
    <Dialog
      title={title}
      onClose={onClose}
      busy={busy}
      footer={
        <>
          <Button onClick={onClose} disabled={busy} data-autofocus>
            Cancel
          </Button>
          <Button variant={tone} busy={busy} onClick={onConfirm}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      {children}
      {error ? <InlineError error={error} /> : null}
    </Dialog>
  );
}
