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

/** An HTTP outcome of an audited action: 2xx fine, 4xx refused, 5xx failed. */
export function OutcomeBadge({ outcome }: { outcome: number | null | undefined }) {
  if (outcome === null || outcome === undefined) return <span className="muted">—</span>;
  const tone: Tone = outcome >= 500 ? 'danger' : outcome >= 400 ? 'warning' : 'success';
  return <span className={`badge badge--${tone}`}>{outcome}</span>;
}
