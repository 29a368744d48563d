import { screen, within } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { describe, expect, it } from 'vitest';

import { eventStream, json, mockApi, problem, type MockRoutes } from '@/test/api-mock';
import { bulkJob, staffMe, tenants } from '@/test/fixtures';
import { renderWithApp, signInForTest } from '@/test/render';

import { BulkJobPage } from '@/features/bulk-jobs/BulkJobPage';

function setup(job = bulkJob(), routes: MockRoutes = {}) {
  signInForTest();
  const stream = eventStream();
  const mock = mockApi({
    'GET /api/v1/me': staffMe,
    'GET /api/v1/tenants': { items: tenants, next_cursor: null },
    'GET /api/v1/bulk-jobs/:id': job,
    'GET /api/v1/events': () => stream.response,
    ...routes,
  });
  const view = renderWithApp(
    <Routes>
      <Route path="/bulk-jobs/:id" element={<BulkJobPage />} />
    </Routes>,
    { route: `/bulk-jobs/${job.id}` },
  );
  return { ...view, mock, stream };
}

describe('BulkJobPage', () => {
  it('moves the progress bar with the live events, up to the result', async () => {
    const { stream, mock } = setup(bulkJob({ total: 4, processed: 1, succeeded: 1, percent: 25 }));

    const bar = await screen.findByRole('progressbar', { name: 'Bulk job #77' });
    expect(bar).toHaveAttribute('aria-valuenow', '25');
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Bulk job #77: Lower prices by 10%');
    expect(await screen.findByText('Live')).toBeInTheDocument();
    // The stream carries the bearer token, as every API call does.
    expect(mock.callsTo('GET', '/api/v1/events')[0]?.headers.get('authorization')).toBe('Bearer test-access-token');

    stream.send('bulk_job.progress', bulkJob({ total: 4, processed: 3, succeeded: 3, percent: 75 }));
    await vi.waitFor(() => expect(bar).toHaveAttribute('aria-valuenow', '75'));

    stream.send('bulk_job.finished', bulkJob({ status: 'DONE', total: 4, processed: 4, succeeded: 3, failed: 1, percent: 100, finished_at: '2026-03-01T10:00:05Z' }));
    expect(await screen.findByText('Done: 3 of 4 rows changed, 1 failed (listed below).')).toBeInTheDocument();
    expect(screen.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
    // Only the first read: the rest came over the stream.
    expect(mock.callsTo('GET', '/api/v1/bulk-jobs/77')).toHaveLength(1);
  });

  it('asks before cancelling, saying what stays done', async () => {
    const { user, mock } = setup(bulkJob({ total: 1000, processed: 250, percent: 25 }), {
      'POST /api/v1/bulk-jobs/:id/cancel': () => json(bulkJob({ total: 1000, processed: 250, percent: 25, cancel_requested_at: '2026-03-01T10:00:03Z' }), 202),
    });

    await user.click(await screen.findByRole('button', { name: 'Cancel job' }));
    const dialog = screen.getByRole('dialog', { name: 'Cancel bulk job #77?' });
    expect(dialog).toHaveTextContent('The 250 rows already processed keep their change; the other 750 stay as they are.');
    expect(mock.callsTo('POST', '/api/v1/bulk-jobs/77/cancel')).toHaveLength(0);

    await user.click(within(dialog).getByRole('button', { name: 'Cancel the job' }));

    expect(await screen.findByText('Cancellation requested: the job stops after its current chunk.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Cancel job' })).not.toBeInTheDocument();
    expect(mock.callsTo('POST', '/api/v1/bulk-jobs/77/cancel')).toHaveLength(1);
  });

  it('lists the failed rows and retries just those in a new job', async () => {
    const finished = bulkJob({ status: 'DONE', total: 3, processed: 3, succeeded: 1, failed: 2, percent: 100 });
    const { user, mock } = setup(finished, {
      'GET /api/v1/bulk-jobs/:id/failures': {
        items: [
          { position: 2, target_id: 13, error: 'the new price of 9223372036854775807 would exceed the largest storable amount' },
          { position: 1, target_id: 12, error: 'the row is gone' },
        ],
        next_cursor: null,
      },
      'POST /api/v1/bulk-jobs/:id/retry-failed': () => json(bulkJob({ id: 78, status: 'PENDING', retry_of_id: 77, target: { failed_rows_of: 77 } }), 202),
    });

    const failures = await screen.findByRole('region', { name: 'Failed rows' });
    expect(await within(failures).findByText('the row is gone')).toBeInTheDocument();
    expect(within(failures).getAllByRole('row')).toHaveLength(3);

    await user.click(screen.getByRole('button', { name: 'Retry the failed rows' }));
    await user.click(within(screen.getByRole('dialog', { name: 'Retry 2 failed rows?' })).getByRole('button', { name: 'Start the retry' }));

    expect(await screen.findByRole('heading', { name: 'Bulk job #78: Lower prices by 10%' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'bulk job #77' })).toHaveAttribute('href', '/bulk-jobs/77');
    expect(mock.callsTo('POST', '/api/v1/bulk-jobs/77/retry-failed')).toHaveLength(1);
  });

  it('shows why a job cannot be read', async () => {
    setup(bulkJob(), { 'GET /api/v1/bulk-jobs/:id': problem(404, 'not_found', 'no bulk job 77 in your scope') });
    expect(await screen.findByRole('alert')).toHaveTextContent('no bulk job 77 in your scope');
  });
});
