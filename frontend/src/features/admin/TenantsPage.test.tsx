import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { json, mockApi, problem, type MockRoutes } from '@/test/api-mock';
import { staffMe, tenants } from '@/test/fixtures';
import { renderWithApp, signInForTest } from '@/test/render';

import { TenantsPage } from '@/features/admin/TenantsPage';

function setup(routes: MockRoutes = {}, me = staffMe) {
  signInForTest();
  const mock = mockApi({
    'GET /api/v1/me': me,
    'GET /api/v1/tenants': { items: tenants, next_cursor: null },
    ...routes,
  });
  return { ...renderWithApp(<TenantsPage />, { route: '/admin/tenants' }), mock };
}

const globex = tenants[1];

describe('TenantsPage', () => {
  it('creates a tenant', async () => {
    const { user, mock } = setup({
      'POST /api/v1/tenants': (call) => json({ ...globex, id: 3, ...(call.body as object) }, 201),
    });

    await user.click(await screen.findByRole('button', { name: 'New tenant' }));
    const form = screen.getByRole('dialog', { name: 'New tenant' });
    await user.type(within(form).getByLabelText('Slug'), 'initech');
    await user.type(within(form).getByLabelText('Name'), 'Initech');
    await user.click(within(form).getByRole('button', { name: 'Create tenant' }));

    expect(await screen.findByRole('status')).toHaveTextContent('Tenant “Initech” was created.');
    expect(mock.callsTo('POST', '/api/v1/tenants')[0]?.body).toEqual({ slug: 'initech', name: 'Initech' });
    expect(mock.callsTo('GET', '/api/v1/tenants').length).toBeGreaterThan(1);
  });

  it('keeps the form open with the reason when the slug is taken', async () => {
    const { user } = setup({ 'POST /api/v1/tenants': problem(409, 'slug_taken', 'a tenant with slug "acme" exists') });

    await user.click(await screen.findByRole('button', { name: 'New tenant' }));
    const form = screen.getByRole('dialog', { name: 'New tenant' });
    await user.type(within(form).getByLabelText('Slug'), 'acme');
    await user.type(within(form).getByLabelText('Name'), 'Acme again');
    await user.click(within(form).getByRole('button', { name: 'Create tenant' }));

    expect(await within(form).findByRole('alert')).toHaveTextContent('a tenant with slug "acme" exists');
    expect(within(form).getByLabelText('Slug')).toHaveValue('acme');
  });

  it('renames a tenant', async () => {
    const { user, mock } = setup({ 'PATCH /api/v1/tenants/:id': (call) => json({ ...globex, ...(call.body as object) }) });

    await user.click(await screen.findByRole('button', { name: 'Rename Globex Corporation' }));
    const form = screen.getByRole('dialog', { name: 'Rename Globex Corporation' });
    expect(within(form).queryByLabelText('Slug')).not.toBeInTheDocument();
    await user.clear(within(form).getByLabelText('Name'));
    await user.type(within(form).getByLabelText('Name'), 'Globex Inc.');
    await user.click(within(form).getByRole('button', { name: 'Save name' }));

    expect(await screen.findByRole('status')).toHaveTextContent('Tenant renamed to “Globex Inc.”.');
    expect(mock.callsTo('PATCH', '/api/v1/tenants/2')[0]?.body).toEqual({ name: 'Globex Inc.' });
  });

  it('suspends a tenant only after confirmation', async () => {
    const { user, mock } = setup({ 'PATCH /api/v1/tenants/:id': (call) => json({ ...globex, ...(call.body as object) }) });

    await user.click(await screen.findByRole('button', { name: 'Suspend Globex Corporation' }));
    const dialog = screen.getByRole('dialog', { name: 'Suspend Globex Corporation?' });
    expect(mock.callsTo('PATCH', '/api/v1/tenants/2')).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Suspend tenant' }));

    expect(await screen.findByRole('status')).toHaveTextContent('“Globex Corporation” is suspended now.');
    expect(mock.callsTo('PATCH', '/api/v1/tenants/2')[0]?.body).toEqual({ status: 'suspended' });
  });

  it('is read-only for staff who may not change tenants', async () => {
    setup({}, { ...staffMe, roles: [{ role: 'support', tenant_id: null }], permissions: ['dashboard:read', 'tenants:read'] });
    await screen.findByText('Globex Corporation');
    expect(screen.queryByRole('button', { name: 'New tenant' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Suspend/ })).not.toBeInTheDocument();
  });
});
