import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { json, mockApi, problem, type MockRoutes } from '@/test/api-mock';
import { exportJob, partnerMe, staffMe, tenants } from '@/test/fixtures';
import { renderWithApp, signInForTest } from '@/test/render';

import { ExportJobsPage } from '@/features/exports/ExportJobsPage';

const failedA = exportJob({ id: 11, status: 'FAILED', downloadable: false, last_error: 'disk full', dataset: 'orders' });
const failedB = exportJob({ id: 12, status: 'FAILED', downloadable: false, last_error: 'timeout', dataset: 'customers', tenant_id: 2 });
const done = exportJob({ id: 13, status: 'DONE' });
const running = exportJob({ id: 14, status: 'RUNNING', downloadable: false });

function setup(routes: MockRoutes = {}, me = staffMe) {
  signInForTest();
  const mock = mockApi({
    'GET /api/v1/me': me,
    'GET /api/v1/tenants': { items: tenants, next_cursor: null },
    'GET /api/v1/export-jobs': { items: [failedA, failedB, done], next_cursor: null },
    ...routes,
  });
  return { ...renderWithApp(<ExportJobsPage />, { route: '/exports' }), mock };
}

describe('ExportJobsPage', () => {
  it('confirms a retry of the selected jobs, listing them, before anything is sent', async () => {
    const { user, mock } = setup({
      'POST /api/v1/export-jobs/retry': {
        retried: [{ ...failedA, status: 'PENDING' }],
        skipped: [{ id: 12, code: 'not_failed', detail: 'export job 12 is RUNNING; only FAILED jobs are retried' }],
      },
    });

    await user.click(await screen.findByRole('checkbox', { name: 'Select job #11' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select job #12' }));
    // Only failed jobs can be selected at all.
    expect(screen.queryByRole('checkbox', { name: 'Select job #13' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Retry selected (2)' }));

    const dialog = screen.getByRole('dialog', { name: 'Retry 2 export jobs?' });
    const rows = within(dialog).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getAllByRole('cell')[0]?.textContent)).toEqual(['#11', '#12']);
    expect(dialog).toHaveTextContent('disk full');
    expect(dialog).toHaveTextContent('Globex Corporation');
    expect(mock.callsTo('POST', '/api/v1/export-jobs/retry')).toHaveLength(0);

    await user.click(within(dialog).getByRole('button', { name: 'Retry 2 export jobs' }));

    const result = await screen.findByRole('dialog', { name: 'Retry requested' });
    expect(result).toHaveTextContent('1 job is back in the queue: #11');
    expect(result).toHaveTextContent('#12: export job 12 is RUNNING; only FAILED jobs are retried');
    expect(mock.callsTo('POST', '/api/v1/export-jobs/retry')[0]?.body).toEqual({ ids: [11, 12] });
    // The list is fetched again to show the new state.
    await vi.waitFor(() => expect(mock.callsTo('GET', '/api/v1/export-jobs').length).toBeGreaterThan(1));
  });

  it('sends nothing when the confirmation is cancelled (or escaped)', async () => {
    const { user, mock } = setup();

    await user.click(await screen.findByRole('button', { name: 'Retry job #11' }));
    expect(screen.getByRole('dialog', { name: 'Retry 1 export job?' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Retry job #11' }));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(mock.callsTo('POST', '/api/v1/export-jobs/11/retry')).toHaveLength(0);
  });

  it('retries one job through its own endpoint and shows a refusal’s detail', async () => {
    const { user, mock } = setup({ 'POST /api/v1/export-jobs/:id/retry': problem(409, 'not_failed', 'export job 11 is not FAILED any more') });

    await user.click(await screen.findByRole('button', { name: 'Retry job #11' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Retry 1 export job' }));

    expect(await within(screen.getByRole('dialog')).findByRole('alert')).toHaveTextContent('export job 11 is not FAILED any more');
    expect(mock.callsTo('POST', '/api/v1/export-jobs/11/retry')).toHaveLength(1);
  });

  it('filters by status and dataset through the address and loads more with the cursor', async () => {
    const { user, mock } = setup({
      'GET /api/v1/export-jobs': (call) =>
        call.query.get('cursor') === 'page-2'
          ? json({ items: [running], next_cursor: null })
          : json({ items: [failedA], next_cursor: 'page-2' }),
    });

    await user.selectOptions(await screen.findByLabelText('Status'), 'Failed');
    await user.selectOptions(screen.getByLabelText('Dataset'), 'Orders');
    await vi.waitFor(() => {
      const last = mock.callsTo('GET', '/api/v1/export-jobs').at(-1);
      expect(last?.query.get('status')).toBe('FAILED');
      expect(last?.query.get('dataset')).toBe('orders');
    });

    await user.click(await screen.findByRole('button', { name: 'Load more' }));
    expect(await screen.findByRole('link', { name: '#14' })).toBeInTheDocument();
    expect(mock.callsTo('GET', '/api/v1/export-jobs').at(-1)?.query.get('cursor')).toBe('page-2');
    expect(screen.getByText('All 2 export jobs shown')).toBeInTheDocument();
  });

  it('creates an export and says it is queued', async () => {
    const { user, mock } = setup({ 'POST /api/v1/export-jobs': () => json(exportJob({ id: 99, status: 'PENDING', downloadable: false }), 202) });

    await user.click(await screen.findByRole('button', { name: 'New export' }));
    const dialog = screen.getByRole('dialog', { name: 'New export' });
    await user.selectOptions(within(dialog).getByLabelText('Dataset'), 'Orders');
    await user.selectOptions(within(dialog).getByLabelText('Tenant'), 'Acme Corporation');
    await user.selectOptions(within(dialog).getByLabelText('Order status'), 'Paid');
    await user.click(within(dialog).getByRole('button', { name: 'Start export' }));

    expect(await screen.findByText(/Export #99 is queued/)).toBeInTheDocument();
    expect(mock.callsTo('POST', '/api/v1/export-jobs')[0]?.body).toEqual({ dataset: 'orders', tenant_id: 1, filters: { status: 'paid' } });
  });

  it('downloads with the bearer token and saves the file', async () => {
    const saved: string[] = [];
    // jsdom has no object URLs and does not navigate: record what would have been saved.
    URL.createObjectURL = () => 'blob:export';
    URL.revokeObjectURL = () => undefined;
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function click(this: HTMLAnchorElement) {
      saved.push(this.download);
    });
    const { user, mock } = setup({
      'GET /api/v1/export-jobs/:id/download': () =>
        new Response('id,total\n1,10\n', { headers: { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="orders-13.csv"' } }),
    });

    await user.click(await screen.findByRole('button', { name: 'Download job #13' }));

    await vi.waitFor(() => expect(saved).toEqual(['orders-13.csv']));
    expect(mock.callsTo('GET', '/api/v1/export-jobs/13/download')[0]?.headers.get('authorization')).toBe('Bearer test-access-token');
  });

  it('offers partners neither a tenant choice nor columns for it', async () => {
    const { user } = setup({}, partnerMe);

    expect(await screen.findByRole('link', { name: '#11' })).toBeInTheDocument();
    expect(screen.queryByRole('columnheader', { name: 'Tenant' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'New export' }));
    expect(within(screen.getByRole('dialog')).queryByLabelText('Tenant')).not.toBeInTheDocument();
  });

  it('says when there are no jobs yet', async () => {
    setup({ 'GET /api/v1/export-jobs': { items: [], next_cursor: null } });
    expect(await screen.findByText('No export jobs yet')).toBeInTheDocument();
  });

  it('shows the problem detail when the list cannot be loaded', async () => {
    setup({ 'GET /api/v1/export-jobs': problem(422, 'invalid_query', 'cursor: not a cursor of this list') });
    expect(await screen.findByRole('alert')).toHaveTextContent('cursor: not a cursor of this list');
  });
});
