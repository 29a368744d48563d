import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { json, mockApi, problem, type MockRoutes } from '@/test/api-mock';
import { auditEntry, staffMe, tenants } from '@/test/fixtures';
import { renderWithApp, signInForTest } from '@/test/render';

import { AuditLogPage } from '@/features/audit/AuditLogPage';

const firstPage = [auditEntry({ id: 300, action: 'auth.login' }), auditEntry({ id: 299, action: 'tenant.create', target_type: 'tenant', target_id: '5' })];
const secondPage = [auditEntry({ id: 298, action: 'auth.login_failed', status: 401, outcome: 'refused', reason: 'bad_credentials', actor_type: 'anonymous', actor_label: 'mallory' })];

function setup(route = '/audit', routes: MockRoutes = {}) {
  signInForTest();
  const mock = mockApi({
    'GET /api/v1/me': staffMe,
    'GET /api/v1/tenants': { items: tenants, next_cursor: null },
    'GET /api/v1/audit-logs': (call) =>
      call.query.get('cursor') === 'c2' ? json({ items: secondPage, next_cursor: null }) : json({ items: firstPage, next_cursor: 'c2' }),
    ...routes,
  });
  return { ...renderWithApp(<AuditLogPage />, { route }), mock };
}

describe('AuditLogPage', () => {
  it('pages through the log with the keyset cursor until its end', async () => {
    const { user, mock } = setup();

    expect(await screen.findByRole('link', { name: 'Entry #300: auth.login' })).toHaveAttribute('href', '/audit/300');
    await user.click(screen.getByRole('button', { name: 'Load more' }));

    expect(await screen.findByRole('link', { name: 'Entry #298: auth.login_failed' })).toBeInTheDocument();
    expect(mock.callsTo('GET', '/api/v1/audit-logs').map((call) => call.query.get('cursor'))).toEqual([null, 'c2']);
    expect(screen.getByText('End of the log: 3 entries')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('loads the next page by itself when the end of the list scrolls into view', async () => {
    let reportVisible: (() => void) | undefined;
    vi.stubGlobal(
      'IntersectionObserver',
      class {
        constructor(callback: (entries: { isIntersecting: boolean }[]) => void) {
          reportVisible = () => callback([{ isIntersecting: true }]);
        }
        observe() {}
        disconnect() {}
      },
    );
    const { mock } = setup();
    await screen.findByRole('link', { name: 'Entry #300: auth.login' });

    reportVisible?.();
    expect(await screen.findByRole('link', { name: 'Entry #298: auth.login_failed' })).toBeInTheDocument();
    expect(mock.callsTo('GET', '/api/v1/audit-logs').at(-1)?.query.get('cursor')).toBe('c2');
  });

  it('applies filters on submit and keeps them in the address', async () => {
    const { user, mock } = setup();
    await screen.findByRole('link', { name: 'Entry #300: auth.login' });

    await user.selectOptions(screen.getByLabelText('Actor type'), 'User');
    await user.type(screen.getByLabelText('Action starts with'), 'auth.');
    await user.type(screen.getByLabelText('Target type'), 'user');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));

    await vi.waitFor(() => {
      const query = mock.callsTo('GET', '/api/v1/audit-logs').at(-1)?.query;
      expect(query?.get('actor_type')).toBe('user');
      expect(query?.get('action_prefix')).toBe('auth.');
      expect(query?.get('target_type')).toBe('user');
    });
  });

  it('explains filter combinations the API would refuse, without asking it', async () => {
    const { user, mock } = setup();
    await screen.findByRole('link', { name: 'Entry #300: auth.login' });
    const before = mock.calls.length;

    await user.type(screen.getByLabelText('Target id'), '42');
    await user.type(screen.getByLabelText('Action starts with'), 'Auth Login');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));

    const problems = screen.getByRole('alert');
    expect(problems).toHaveTextContent('A target id needs a target type.');
    expect(problems).toHaveTextContent('An action prefix has lower-case letters');
    expect(mock.calls.length).toBe(before);
  });

  it('exports the current filter as CSV', async () => {
    const saved: string[] = [];
    URL.createObjectURL = () => 'blob:audit';
    URL.revokeObjectURL = () => undefined;
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function click(this: HTMLAnchorElement) {
      saved.push(this.download);
    });
    const { user, mock } = setup('/audit?action_prefix=export_job.', {
      'GET /api/v1/audit-logs/export': () => new Response('id,action\n1,export_job.retry\n', { headers: { 'content-type': 'text/csv' } }),
    });

    await user.click(await screen.findByRole('button', { name: 'Export CSV of these filters' }));

    await vi.waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]).toMatch(/^audit-log-.*\.csv$/);
    expect(mock.callsTo('GET', '/api/v1/audit-logs/export')[0]?.query.get('action_prefix')).toBe('export_job.');
  });

  it('shows the problem detail of a refused search', async () => {
    setup('/audit?occurred_from=2020-01-01T00:00:00Z&occurred_to=2026-01-01T00:00:00Z', {
      'GET /api/v1/audit-logs': problem(422, 'invalid_query', 'a time range spans at most 366 days'),
    });

    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('a time range spans at most 366 days')).toBeInTheDocument();
  });

  it('says when nothing matches', async () => {
    setup('/audit?actor_label=nobody', { 'GET /api/v1/audit-logs': { items: [], next_cursor: null } });
    expect(await screen.findByText('No entries match these filters')).toBeInTheDocument();
  });
});
