import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';

import { Button } from '@/components/Button';
import { PageHeader } from '@/components/Panel';
import { EmptyState, ErrorState, InlineError, LoadingState } from '@/components/states';
import { useInfiniteScroll } from '@/lib/use-infinite-scroll';
import { useTenantParam } from '@/lib/tenant-scope';
import { isStaff, useCan, useMe } from '@/lib/use-session';

import { useAuditLog, useExportAuditCsv } from '@/features/audit/api';
import { AuditFiltersForm } from '@/features/audit/AuditFiltersForm';
import { AuditLogTable } from '@/features/audit/AuditLogTable';
import { filtersFromSearch, searchFromFilters } from '@/features/audit/filters';

export function AuditLogPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const tenantId = useTenantParam();
  const { data: me } = useMe();
  const can = useCan();
  const searchKey = searchParams.toString();
  const filters = useMemo(() => ({ ...filtersFromSearch(new URLSearchParams(searchKey)), tenant_id: tenantId }), [searchKey, tenantId]);

  const log = useAuditLog(filters);
  const csv = useExportAuditCsv();
  const entries = useMemo(() => log.data?.pages.flatMap((page) => page.items) ?? [], [log.data]);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = log;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  const sentinel = useInfiniteScroll<HTMLDivElement>(loadMore, hasNextPage && !isFetchingNextPage && !log.isError);
  const filtered = [...searchParams.keys()].length > 0;

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every staff and integrator action, newest first. The log is append-only and hash-chained."
        actions={
          can('audit:export') && (
            <Button busy={csv.isPending} onClick={() => csv.mutate(filters)}>
              Export CSV{filtered ? ' of these filters' : ''}
            </Button>
          )
        }
      />
      {/* Re-mounted when the address changes (back button, shared link), so the form shows the filters applied. */}
      <AuditFiltersForm key={searchKey} applied={filters} onApply={(next) => setSearchParams(searchFromFilters(next))} />
      {csv.error && <InlineError error={csv.error} />}

      {log.isPending ? (
        <LoadingState label="Loading the audit log…" />
      ) : log.isError && entries.length === 0 ? (
        <ErrorState error={log.error} title="The audit log could not be loaded" onRetry={() => void log.refetch()} />
      ) : entries.length === 0 ? (
        <EmptyState title={filtered ? 'No entries match these filters' : 'The audit log is empty'} />
      ) : (
        <>
          <AuditLogTable entries={entries} showTenant={me !== undefined && isStaff(me) && tenantId === undefined} />
          <div ref={sentinel} className="list-footer">
            {log.isError ? (
              <ErrorState error={log.error} title="More entries could not be loaded" onRetry={loadMore} />
            ) : hasNextPage ? (
              <Button onClick={loadMore} busy={isFetchingNextPage}>
                Load more
              </Button>
            ) : (
              <span className="muted small">End of the log: {entries.length} entries</span>
            )}
          </div>
        </>
      )}
    </>
  );
}
