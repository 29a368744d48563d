import type { AuditOutcome } from '@/api/types';

type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger';

const TONES: Record<string, Tone> = {
  PENDING: 'neutral',
  RUNNING: 'info',
  DONE: 'success',
  PROCESSED: 'success',
  IGNORED: 'neutral',
  FAILED: 'danger',
  CANCELLED: 'warning',
  published: 'success',
  draft: 'neutral',
  archived: 'warning',
  active: 'success',
  suspended: 'warning',
  deactivated: 'warning',
  expired: 'neutral',
  revoked: 'neutral',
  visible: 'success',
  hidden: 'neutral',
  pending: 'neutral',
  approved: 'success',
  removed: 'warning',
  paid: 'success',
  refunded: 'warning',
  cancelled: 'neutral',
};

/** A job, event, article, tenant, user or token status, colored by what it means for the reader. */
export function StatusBadge({ status }: { status: string }) {
  const tone = TONES[status] ?? 'neutral';
  return <span className={`badge badge--${tone}`}>{status.toLowerCase()}</span>;
}

const OUTCOME_TONES: Record<AuditOutcome, Tone> = { succeeded: 'success', refused: 'warning', failed: 'danger' };

/** How an audited action ended: the request's HTTP status, or the outcome where no request was answered. */
export function OutcomeBadge({ outcome, status, reason }: { outcome: AuditOutcome; status?: number | null; reason?: string | null }) {
  const label = status ?? outcome;
  return (
    <span className={`badge badge--${OUTCOME_TONES[outcome]}`} title={reason ? `${outcome}: ${reason}` : outcome}>
      {label}
    </span>
  );
}
