import { useMemo } from 'react';
import { Link } from 'react-router';

import type { BulkJob } from '@/api/types';
import { LoadMoreFooter } from '@/components/LoadMoreFooter';
import { Panel } from '@/components/Panel';
import { ErrorState, LoadingState } from '@/components/states';
import type { BulkTable } from '@/lib/bulk-target';

import { useBulkJobFailures } from '@/features/bulk-jobs/api';

/** The row's own screen, where it has one. */
function targetLink(table: BulkTable | undefined, id: number) {
  if (table === 'articles') return <Link to={`/catalog/articles/${id}`}>#{id}</Link>;
  return `#${id}`;
}

/** The failure report: each row the job could not change, and why. */
export function FailedRowsPanel({ job, table }: { job: BulkJob; table: BulkTable | undefined }) {
  const failures = useBulkJobFailures(job.id, job.failed);
  const rows = useMemo(() => failures.data?.pages.flatMap((page) => page.items) ?? [], [failures.data]);

  return (
    <Panel title="Failed rows">
      {failures.isPending ? (
        <LoadingState label="Loading the failed rows…" />
      ) : failures.isError && rows.length === 0 ? (
        <ErrorState error={failures.error} title="The failed rows could not be loaded" onRetry={() => void failures.refetch()} />
      ) : (
        <>
          <div className="table-scroll">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Row</th>
                  <th scope="col" className="numeric">
                    Position
                  </th>
                  <th scope="col">Why it was not changed</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((failure) => (
                  <tr key={failure.position}>
                    <td>{targetLink(table, failure.target_id)}</td>
                    <td className="numeric">{failure.position + 1}</td>
                    <td>{failure.error ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LoadMoreFooter pages={failures} shown={rows.length} noun="failed rows" />
        </>
      )}
    </Panel>
  );
}
