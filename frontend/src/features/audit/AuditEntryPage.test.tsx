import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { json, mockApi, problem, type MockRoutes } from '@/test/api-mock';
import { auditEntry, staffMe, tenants } from '@/test/fixtures';
import { renderWithApp, signInForTest } from '@/test/render';

import { AuditEntryPage } from '@/features/audit/AuditEntryPage';

function setup(id: number, routes: MockRoutes) {
  signInForTest();
  const mock = mockApi({
    'GET /api/v1/me': staffMe,
    'GET /api/v1/tenants': { items: tenants, next_cursor: null },
    ...routes,
  });
  renderWithApp(<AuditEntryPage />, { route: `/audit/${id}`, path: '/audit/:id' });
  return mock;
}

describe('AuditEntryPage', () => {
  it('reads the entry from the API, so a link to it works on its own', async () => {
    const mock = setup(812, {
      'GET /api/v1/audit-logs/:id': (_, { id }) =>
        // The schema types metadata as an empty object; the server sends any JSON object.
        json({ ...auditEntry({ id: Number(id), action: 'tenant.update', tenant_id: 2 }), metadata: { name: 'Globex Inc.' } }),
    });

    expect(await screen.findByRole('heading', { name: 'tenant.update', level: 1 })).toBeInTheDocument();
    expect(await screen.findByText('Globex Corporation')).toBeInTheDocument();
    expect(screen.getByText(/"name": "Globex Inc."/)).toBeInTheDocument();
    expect(mock.callsTo('GET', '/api/v1/audit-logs/812')).toHaveLength(1);
  });

  it('says why an entry outside the caller’s scope cannot be shown', async () => {
    setup(5, { 'GET /api/v1/audit-logs/:id': problem(404, 'not_found', 'audit entry not found') });

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Audit entry #5 could not be loaded');
    expect(alert).toHaveTextContent('audit entry not found');
  });
});
