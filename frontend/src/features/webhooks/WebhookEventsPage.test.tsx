import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { json, mockApi, problem, type MockRoutes } from '@/test/api-mock';
import { staffMe, tenants, webhookEvent } from '@/test/fixtures';
import { renderWithApp, signInForTest } from '@/test/render';

import { WebhookEventPage } from '@/features/webhooks/WebhookEventPage';
import { WebhookEventsPage } from '@/features/webhooks/WebhookEventsPage';

const failed = webhookEvent({ id: 501, status: 'FAILED', last_error: 'order ord-9 does not exist' });
const ignored = webhookEvent({ id: 502, status: 'IGNORED', event_type: 'customer.churned', last_error: 'already churned', tenant_id: 2 });
const running = webhookEvent({ id: 503, status: 'RUNNING', last_error: null });

function setup(routes: MockRoutes = {}) {
  signInForTest();
  return mockApi({
    'GET /api/v1/me': staffMe,
    'GET /api/v1/tenants': { items: tenants, next_cursor: null },
    'GET /api/v1/webhook-events': { items: [failed, ignored, running], next_cursor: null },
    'GET /api/v1/webhook-events/:id': { ...failed, payload: { type: 'order.paid', data: { order: 'ord-9' } }, payload_raw: '{}', attempt_history: [] },
    ...routes,
  });
}

describe('webhook event reprocessing', () => {
  it('confirms the selected finished events, listing them, then reports what was enqueued and skipped', async () => {
    const mock = setup({
      'POST /api/v1/webhook-events/reprocess': {
        enqueued: [501],
        skipped: [{ id: 502, code: 'not_finished', detail: 'only PROCESSED, IGNORED or FAILED events are reprocessed; this one is RUNNING' }],
        truncated: false,
      },
    });
    const { user } = renderWithApp(<WebhookEventsPage />, { route: '/webhooks' });

    await user.click(await screen.findByRole('checkbox', { name: 'Select event #501' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select event #502' }));
    // Events still on their way cannot be selected.
    expect(screen.queryByRole('checkbox', { name: 'Select event #503' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Reprocess selected (2)' }));

    const dialog = screen.getByRole('dialog', { name: 'Reprocess 2 webhook events?' });
    const rows = within(dialog).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getAllByRole('cell')[0]?.textContent)).toEqual(['#501', '#502']);
    expect(dialog).toHaveTextContent('order ord-9 does not exist');
    expect(dialog).toHaveTextContent('Globex Corporation');
    expect(mock.callsTo('POST', '/api/v1/webhook-events/reprocess')).toHaveLength(0);

    await user.click(within(dialog).getByRole('button', { name: 'Reprocess 2 webhook events' }));

    const result = await screen.findByRole('dialog', { name: 'Reprocessing requested' });
    expect(result).toHaveTextContent('1 event is back in the queue: #501.');
    expect(result).toHaveTextContent('#502: only PROCESSED, IGNORED or FAILED events are reprocessed; this one is RUNNING');
    expect(mock.callsTo('POST', '/api/v1/webhook-events/reprocess')[0]?.body).toEqual({ ids: [501, 502] });
    // Focus moved into the result, so Escape closes it.
    expect(document.activeElement).toHaveTextContent('Close');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('1 of 2 selected events queued again.');
  });

  it('sends nothing when the confirmation is cancelled', async () => {
    const mock = setup();
    const { user } = renderWithApp(<WebhookEventsPage />, { route: '/webhooks' });

    await user.click(await screen.findByRole('checkbox', { name: 'Select every finished event shown' }));
    await user.click(screen.getByRole('button', { name: 'Reprocess selected (2)' }));
    await user.keyboard('{Escape}');

    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(mock.calls.filter((call) => call.method === 'POST')).toHaveLength(0);
  });

  it('reprocesses one event from its page through its own endpoint', async () => {
    const mock = setup({ 'POST /api/v1/webhook-events/:id/reprocess': () => json({ ...failed, status: 'PENDING', attempts: 0 }, 202) });
    const { user } = renderWithApp(<WebhookEventPage />, { route: '/webhooks/501', path: '/webhooks/:id' });

    await user.click(await screen.findByRole('button', { name: 'Reprocess' }));
    const dialog = screen.getByRole('dialog', { name: 'Reprocess 1 webhook event?' });
    expect(dialog).toHaveTextContent('order.paid');
    await user.click(within(dialog).getByRole('button', { name: 'Reprocess 1 webhook event' }));

    expect(await screen.findByRole('dialog', { name: 'Reprocessing requested' })).toHaveTextContent('1 event is back in the queue: #501.');
    expect(mock.callsTo('POST', '/api/v1/webhook-events/501/reprocess')).toHaveLength(1);
  });

  it('shows a refusal’s problem detail in the dialog', async () => {
    setup({ 'POST /api/v1/webhook-events/:id/reprocess': problem(409, 'not_finished', 'webhook event 501 is RUNNING') });
    const { user } = renderWithApp(<WebhookEventPage />, { route: '/webhooks/501', path: '/webhooks/:id' });

    await user.click(await screen.findByRole('button', { name: 'Reprocess' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Reprocess 1 webhook event' }));

    expect(await within(screen.getByRole('dialog')).findByRole('alert')).toHaveTextContent('webhook event 501 is RUNNING');
  });
});
