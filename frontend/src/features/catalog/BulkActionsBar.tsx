import { Link } from 'react-router';

import { Button } from '@/components/Button';
import { newBulkJobPath, type BulkFilter, type BulkTable } from '@/lib/bulk-target';
import { formatNumber } from '@/lib/format';

interface BulkActionsBarProps {
  table: BulkTable;
  /** Plural, lower case: "products". */
  noun: string;
  /** The checked rows still on screen (a selection never includes rows the list no longer shows). */
  selectedIds: readonly number[];
  onClearSelection: () => void;
  /** The list's current filter, as the bulk job's alternative target. */
  filter: BulkFilter;
  tenantId: number | undefined;
}

/**
 * Starts a bulk job on the checked rows or on every row the current filter matches. The job is
 * set up, previewed and confirmed on the bulk-jobs screen; this bar only says what to act on.
 */
export function BulkActionsBar({ table, noun, selectedIds, onClearSelection, filter, tenantId }: BulkActionsBarProps) {
  const ids = [...selectedIds].sort((a, b) => a - b);
  const filtered = Object.keys(filter).length > 0;

  return (
    <div className="bulk-bar" role="toolbar" aria-label={`Bulk changes to ${noun}`}>
      <span className="bulk-bar__count" aria-live="polite">
        {ids.length === 0 ? `No ${noun} selected` : `${formatNumber(ids.length)} selected`}
      </span>
      {ids.length === 0 ? (
        <Button size="small" disabled>
          Change selected…
        </Button>
      ) : (
        <Link className="button button--secondary button--small" to={newBulkJobPath({ table, target: { ids }, tenantId })}>
          Change selected ({formatNumber(ids.length)})…
        </Link>
      )}
      {ids.length > 0 && (
        <Button size="small" variant="ghost" onClick={onClearSelection}>
          Clear selection
        </Button>
      )}
      <Link className="button button--secondary button--small" to={newBulkJobPath({ table, target: { filter }, tenantId })}>
        {filtered ? `Change all matching ${noun}…` : `Change all ${noun}…`}
      </Link>
    </div>
  );
}
