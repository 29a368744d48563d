import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { eventStream, mockApi, problem } from '@/test/api-mock';
import { bulkJob, dashboard, partnerMe, staffMe, tenants } from '@/test/fixtures';
import { renderWithApp, signInForTest } from '@/test/render';

import { DashboardPage } from '@/features/dashboard/DashboardPage';

function renderDashboard(body: object = dashboard, me = staffMe) {
  signInForTest();
  const mock = mockApi({
    'GET /api/v1/me': me,
    'GET /api/v1/tenants': { items: tenants, next_cursor: null },
    'GET /api/v1/dashboard': body,
  });
  return { ...renderWithApp(<DashboardPage />), mock };
}

function panel(name: string): HTMLElement {
  return screen.getByRole('region', { name });
}

describe('DashboardPage', () => {
  it('shows each KPI with its change against yesterday, counts first, then revenue', async () => {
    renderDashboard();

    const cards = within(await screen.findByRole('list', { name: "Today's KPIs" })).getAllByRole('listitem');
    expect(cards.map((card) => card.querySelector('.kpi__label')?.textContent)).toEqual([
      'Signups',
      'Active customers',
      'Orders',
      'Churned customers',
      'Revenue (EUR)',
    ]);
    const [signups, activeCustomers, orders, churned, revenue] = cards;
    expect(signups).toHaveTextContent('42');
    expect(signups).toHaveTextContent('+5% vs 40 yesterday');
    expect(activeCustomers).toHaveTextContent('new since yesterday');
    expect(orders).toHaveTextContent('−10%');
    expect(orders?.querySelector('.kpi__change--bad')).not.toBeNull();
    // More churn is bad news, even though the number went up.
    expect(churned?.querySelector('.kpi__change--bad')).toHaveTextContent('+100%');
    // Any locale's grouping and decimal marks.
    expect(revenue).toHaveTextContent(/1.234.56/);
    expect(revenue).toHaveTextContent('+23%');
  });

  it('draws the four KPI charts from the series, described in words', async () => {
    renderDashboard();

    const charts = await screen.findAllByRole('figure');
    expect(charts.map((chart) => within(chart).getByText(/./, { selector: 'figcaption' }).textContent)).toEqual([
      'Signups',
      'Active customers',
      'Orders',
      'Revenue (EUR)',
    ]);
    expect(charts[0]).toHaveAccessibleName('Signups over the last 14 days: latest 43, highest 43, lowest 30.');
  });

  it('lists what needs attention, each row linking to its detail', async () => {
    renderDashboard();
    await screen.findByRole('region', { name: 'Failed exports' });

    expect(within(panel('Failed exports')).getByRole('link', { name: '#31' })).toHaveAttribute('href', '/exports/31');
    expect(within(panel('Failed exports')).getByText('disk full')).toBeInTheDocument();
    expect(within(panel('Exports in progress')).getByRole('link', { name: '#32' })).toHaveAttribute('href', '/exports/32');
    expect(within(panel('Failed webhook events')).getByRole('link', { name: '#501' })).toHaveAttribute('href', '/webhooks/501');
    expect(within(panel('Running bulk jobs')).getByRole('link', { name: '#77' })).toHaveAttribute('href', '/bulk-jobs/77');
    expect(within(panel('Running bulk jobs')).getByRole('progressbar', { name: 'Bulk job #77' })).toHaveAttribute('aria-valuenow', '25');
    expect(within(panel('Recently published articles')).getByRole('link', { name: 'Spring catalogue is live' })).toHaveAttribute('href', '/catalog/articles/9');
    expect(within(panel('Recent audit entries')).getByRole('link', { name: 'export_job.retry' })).toHaveAttribute('href', '/audit/1001');
  });

  it('names tenants for staff looking across tenants', async () => {
    renderDashboard();
    const failed = await screen.findByRole('region', { name: 'Failed exports' });

    expect(await within(failed).findByText('Acme Corporation')).toBeInTheDocument();
    expect(within(panel('Exports in progress')).getByText('Globex Corporation')).toBeInTheDocument();
  });

  it('leaves out the webhook widget (and tenant columns) for callers who may not see them', async () => {
    renderDashboard({ ...dashboard, failed_webhooks: null }, partnerMe);

    await screen.findByRole('region', { name: 'Failed exports' });
    expect(screen.queryByRole('region', { name: 'Failed webhook events' })).not.toBeInTheDocument();
    expect(within(panel('Failed exports')).queryByRole('columnheader', { name: 'Tenant' })).not.toBeInTheDocument();
  });

  it('says so when there is nothing to worry about', async () => {
    renderDashboard({ ...dashboard, failed_exports: [], running_bulk_jobs: [], failed_webhooks: [] });

    expect(await screen.findByText('No failed exports')).toBeInTheDocument();
    expect(screen.getByText('No bulk jobs running')).toBeInTheDocument();
    expect(screen.getByText('No failed webhook events')).toBeInTheDocument();
  });

  it('shows the server’s explanation when the dashboard cannot be loaded', async () => {
    signInForTest();
    mockApi({
      'GET /api/v1/me': staffMe,
      'GET /api/v1/tenants': { items: tenants, next_cursor: null },
      'GET /api/v1/dashboard': problem(503, 'database_unavailable', 'the database is not answering'),
    });
    renderWithApp(<DashboardPage />);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The dashboard could not be loaded');
    expect(alert).toHaveTextContent('the database is not answering');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('moves the running bulk jobs’ progress bars with the live events, and reloads when one finishes', async () => {
    signInForTest();
    const stream = eventStream();
    const mock = mockApi({
      'GET /api/v1/me': staffMe,
      'GET /api/v1/tenants': { items: tenants, next_cursor: null },
      'GET /api/v1/dashboard': dashboard,
      'GET /api/v1/events': () => stream.response,
    });
    renderWithApp(<DashboardPage />);
    const bar = await screen.findByRole('progressbar', { name: 'Bulk job #77' });
    await vi.waitFor(() => expect(mock.callsTo('GET', '/api/v1/events')).toHaveLength(1));

    stream.send('bulk_job.progress', bulkJob({ id: 77, total: 1000, processed: 600, succeeded: 600, percent: 60 }));
    await vi.waitFor(() => expect(bar).toHaveAttribute('aria-valuenow', '60'));
    expect(within(panel('Running bulk jobs')).getByText('600 / 1,000')).toBeInTheDocument();
    expect(mock.callsTo('GET', '/api/v1/dashboard')).toHaveLength(1);

    stream.send('bulk_job.finished', bulkJob({ id: 77, status: 'DONE', total: 1000, processed: 1000, succeeded: 1000, percent: 100 }));
    await vi.waitFor(() => expect(mock.callsTo('GET', '/api/v1/dashboard')).toHaveLength(2));
  });
});
