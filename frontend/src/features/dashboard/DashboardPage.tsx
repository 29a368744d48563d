import { Link } from 'react-router';

import type { Dashboard } from '@/api/types';
import { PageHeader, Panel } from '@/components/Panel';
import { ErrorState, LoadingState } from '@/components/states';
import { useTenantParam } from '@/lib/tenant-scope';
import { useTenantName } from '@/lib/tenants';
import { isStaff, useMe } from '@/lib/use-session';

import { useDashboard, useLiveDashboard } from '@/features/dashboard/api';
import { ActiveExportsTable, FailedExportsTable } from '@/features/dashboard/ExportsTables';
import { FailedWebhooksTable } from '@/features/dashboard/FailedWebhooksTable';
import { KpiCards } from '@/features/dashboard/KpiCards';
import { KpiCharts } from '@/features/dashboard/KpiCharts';
import { RecentArticlesTable } from '@/features/dashboard/RecentArticlesTable';
import { RecentAuditTable } from '@/features/dashboard/RecentAuditTable';
import { RunningBulkJobsTable } from '@/features/dashboard/RunningBulkJobsTable';

export function DashboardPage() {
  const tenantId = useTenantParam();
  const tenantName = useTenantName();
  const { data: me } = useMe();
  const live = useLiveDashboard();
  const dashboard = useDashboard(tenantId, live === 'live');
  // A tenant column only helps staff looking across tenants.
  const showTenant = me !== undefined && isStaff(me) && tenantId === undefined;

  return (
    <>
      <PageHeader
        title="Dashboard"
        description={me && isStaff(me) ? tenantName(tenantId) : 'Your tenant'}
        actions={dashboard.isFetching && !dashboard.isPending ? <span className="muted small">Updating…</span> : null}
      />
      {dashboard.isPending ? (
        <LoadingState label="Loading the dashboard…" />
      ) : dashboard.isError ? (
        <ErrorState error={dashboard.error} title="The dashboard could not be loaded" onRetry={() => void dashboard.refetch()} />
      ) : (
        <div className={dashboard.isPlaceholderData ? 'is-stale' : undefined}>
          <DashboardWidgets dashboard={dashboard.data} showTenant={showTenant} />
        </div>
      )}
    </>
  );
}

function DashboardWidgets({ dashboard, showTenant }: { dashboard: Dashboard; showTenant: boolean }) {
  return (
    <div className="dashboard">
      <KpiCards cards={dashboard.kpi_cards} />
      <Panel title="Last 14 days">
        <KpiCharts series={dashboard.kpi_series} />
      </Panel>
      <div className="dashboard__columns">
        {/* What needs fixing gets the full width, so every column fits. */}
        <Panel className="panel--wide" title="Failed exports" actions={<Link to="/exports?status=FAILED">All failed exports</Link>}>
          <FailedExportsTable jobs={dashboard.failed_exports} showTenant={showTenant} />
        </Panel>
        {/* null: this caller may not read webhook events, so the widget is not theirs. */}
        {dashboard.failed_webhooks && (
          <Panel className="panel--wide" title="Failed webhook events" actions={<Link to="/webhooks?status=FAILED">All failed events</Link>}>
            <FailedWebhooksTable events={dashboard.failed_webhooks} showTenant={showTenant} />
          </Panel>
        )}
        <Panel title="Exports in progress" actions={<Link to="/exports">All exports</Link>}>
          <ActiveExportsTable jobs={dashboard.active_exports} showTenant={showTenant} />
        </Panel>
        <Panel title="Running bulk jobs" actions={<Link to="/bulk-jobs">All bulk jobs</Link>}>
          <RunningBulkJobsTable jobs={dashboard.running_bulk_jobs} showTenant={showTenant} />
        </Panel>
        <Panel title="Recently published articles">
          <RecentArticlesTable articles={dashboard.recent_articles} showTenant={showTenant} />
        </Panel>
        <Panel title="Recent audit entries" actions={<Link to="/audit">Audit log</Link>}>
          <RecentAuditTable entries={dashboard.recent_audit} />
        </Panel>
      </div>
    </div>
  );
}
