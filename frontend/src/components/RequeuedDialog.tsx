import { Button } from './Button';
import { Dialog } from './Dialog';

interface RequeuedDialogProps {
  title: string;
  /** What the items are, singular ("job", "event"). */
  noun: string;
  queuedIds: readonly number[];
  skipped: readonly { id: number; detail: string }[];
  onClose: () => void;
}

/** The answer to a batch retry or reprocess: what went back to the queue, and what was left alone and why. */
export function RequeuedDialog({ title, noun, queuedIds, skipped, onClose }: RequeuedDialogProps) {
  const count = (n: number, verb: 'is' | 'was') =>
    n === 1 ? `1 ${noun} ${verb}` : `${n} ${noun}s ${verb === 'is' ? 'are' : 'were'}`;
  return (
    // A new dialog (not the confirmation re-rendered), so focus moves to its Close button and Escape works.
    <Dialog
      key="result"
      title={title}
      onClose={onClose}
      footer={
        <Button variant="primary" onClick={onClose} data-autofocus>
          Close
        </Button>
      }
    >
      <p>
        {count(queuedIds.length, 'is')} back in the queue
        {queuedIds.length > 0 && `: ${queuedIds.map((id) => `#${id}`).join(', ')}`}.
      </p>
      {skipped.length > 0 && (
        <>
          <p>{count(skipped.length, 'was')} left alone:</p>
          <ul className="plain-list">
            {skipped.map((skip) => (
              <li key={skip.id}>
                #{skip.id}: {skip.detail}
              </li>
            ))}
          </ul>
        </>
      )}
    </Dialog>
  );
}
