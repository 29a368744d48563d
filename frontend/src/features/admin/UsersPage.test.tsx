import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { json, mockApi, problem, type MockRoutes } from '@/test/api-mock';
import { staffMe, tenants, user as userFixture } from '@/test/fixtures';
import { renderWithApp, signInForTest } from '@/test/render';

import { UserPage } from '@/features/admin/UserPage';
import { UsersPage } from '@/features/admin/UsersPage';

const partnerUser = userFixture({
  id: 6,
  username: 'pat',
  display_name: 'Pat Partner',
  roles: [{ id: 60, role: 'partner_admin', tenant_id: 2, created_at: '2026-01-01T00:00:00Z' }],
});

function api(routes: MockRoutes = {}) {
  signInForTest();
  return mockApi({
    'GET /api/v1/me': staffMe,
    'GET /api/v1/tenants': { items: tenants, next_cursor: null },
    'GET /api/v1/users': { items: [userFixture(), partnerUser], next_cursor: null },
    'GET /api/v1/users/:id': (_, { id }) => json(id === '6' ? partnerUser : userFixture()),
    ...routes,
  });
}

describe('UsersPage', () => {
  it('lists users with their roles and the tenants of partner roles', async () => {
    api();
    renderWithApp(<UsersPage />, { route: '/admin/users' });

    const row = (await screen.findByRole('link', { name: 'pat' })).closest('tr');
    await vi.waitFor(() => expect(row).toHaveTextContent('Partner admin of Globex Corporation'));
    expect(screen.getByRole('link', { name: 'sam' })).toHaveAttribute('href', '/admin/users/5');
  });

  it('creates a partner user, who needs a tenant', async () => {
    const mock = api({ 'POST /api/v1/users': (call) => json(userFixture({ id: 9, username: (call.body as { username: string }).username }), 201) });
    const { user } = renderWithApp(<UsersPage />, { route: '/admin/users' });

    await user.click(await screen.findByRole('button', { name: 'New user' }));
    const form = screen.getByRole('dialog', { name: 'New user' });
    await user.type(within(form).getByLabelText('Username'), 'nina');
    await user.type(within(form).getByLabelText('Password'), 'a-long-password-1');
    await user.selectOptions(within(form).getByLabelText('Role'), 'Partner viewer');
    await user.selectOptions(within(form).getByLabelText('Tenant'), 'Acme Corporation');
    await user.click(within(form).getByRole('button', { name: 'Create user' }));

    expect(await screen.findByRole('status')).toHaveTextContent('User “nina” was created.');
    expect(mock.callsTo('POST', '/api/v1/users')[0]?.body).toEqual({ username: 'nina', password: 'a-long-password-1', role: 'partner_viewer', tenant_id: 1 });
  });

  it('shows a refused field next to its input and keeps the form', async () => {
    api({
      'POST /api/v1/users': () =>
        json(
          {
            type: 'urn:opsdeck:problem:validation_failed',
            title: 'Validation failed',
            status: 422,
            detail: 'the input is invalid',
            code: 'validation_failed',
            request_id: 'req-7',
            errors: [{ field: 'password', message: 'at least 12 characters' }],
          },
          422,
        ),
    });
    const { user } = renderWithApp(<UsersPage />, { route: '/admin/users' });

    await user.click(await screen.findByRole('button', { name: 'New user' }));
    const form = screen.getByRole('dialog', { name: 'New user' });
    await user.type(within(form).getByLabelText('Username'), 'nina');
    await user.type(within(form).getByLabelText('Password'), 'short');
    await user.click(within(form).getByRole('button', { name: 'Create user' }));

    const password = within(form).getByLabelText('Password');
    await vi.waitFor(() => expect(password).toHaveAccessibleDescription(/at least 12 characters/));
    expect(password).toHaveAttribute('aria-invalid', 'true');
    expect(within(form).getByLabelText('Username')).not.toHaveAttribute('aria-invalid');
    // Shown once, beside the field, not again in the summary.
    expect(within(form).getAllByText('at least 12 characters')).toHaveLength(1);
  });

  it('rates the password as it is typed, against the new user’s names', async () => {
    api();
    const { user } = renderWithApp(<UsersPage />, { route: '/admin/users' });

    await user.click(await screen.findByRole('button', { name: 'New user' }));
    const form = screen.getByRole('dialog', { name: 'New user' });
    await user.type(within(form).getByLabelText('Username'), 'omarsh');
    await user.type(within(form).getByLabelText('Password'), 'Olivia Marsh 2024');
    const meter = await within(form).findByRole('meter', { name: 'Strength' });
    expect(meter.getAttribute('aria-valuetext')).toMatch(/^(Strong|Very strong)$/);

    await user.type(within(form).getByLabelText('Display name'), 'Olivia Marsh');
    await vi.waitFor(() => expect(meter.getAttribute('aria-valuetext')).toMatch(/^(Too weak|Weak|Fair)$/));

    await user.clear(within(form).getByLabelText('Password'));
    await user.type(within(form).getByLabelText('Password'), 'velvet-OMARSH-harbor');
    expect(within(form).getByRole('meter', { name: 'Strength' })).toHaveAttribute('aria-valuetext', 'Too weak');
    expect(within(form).getByText('It contains your username.')).toBeInTheDocument();
  });
});

describe('UserPage', () => {
  function renderUser(id: number, routes: MockRoutes = {}) {
    const mock = api(routes);
    return { ...renderWithApp(<UserPage />, { route: `/admin/users/${id}`, path: '/admin/users/:id' }), mock };
  }

  it('grants a role', async () => {
    const { user, mock } = renderUser(5, {
      'POST /api/v1/users/:id/roles': json({ id: 51, role: 'ops', tenant_id: null, created_at: '2026-03-01T00:00:00Z' }, 201),
    });

    const form = await screen.findByRole('form', { name: 'Grant a role' });
    await user.selectOptions(within(form).getByLabelText('Role'), 'Ops');
    await user.click(within(form).getByRole('button', { name: 'Grant role' }));

    expect(await screen.findByRole('status')).toHaveTextContent('Role ops granted to sam.');
    expect(mock.callsTo('POST', '/api/v1/users/5/roles')[0]?.body).toEqual({ role: 'ops' });
  });

  it('explains why the server refused a role', async () => {
    const { user } = renderUser(6, {
      'POST /api/v1/users/:id/roles': problem(409, 'scope_conflict', 'a user is staff or a partner of one tenant, never both'),
    });

    const form = await screen.findByRole('form', { name: 'Grant a role' });
    await user.click(within(form).getByRole('button', { name: 'Grant role' }));

    expect(await within(form).findByRole('alert')).toHaveTextContent('a user is staff or a partner of one tenant, never both');
  });

  it('removes a role only after confirmation', async () => {
    const { user, mock } = renderUser(6, { 'DELETE /api/v1/users/:id/roles/:bindingId': () => new Response(null, { status: 204 }) });

    await user.click(await screen.findByRole('button', { name: 'Remove role partner_admin' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove a role from pat?' });
    expect(dialog).toHaveTextContent('Partner admin of Globex Corporation');
    expect(mock.callsTo('DELETE', '/api/v1/users/6/roles/60')).toHaveLength(0);

    await user.click(within(dialog).getByRole('button', { name: 'Remove role' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Role partner_admin removed from pat.');
    expect(mock.callsTo('DELETE', '/api/v1/users/6/roles/60')).toHaveLength(1);
  });

  it('deactivates a user after confirmation, and not oneself', async () => {
    const { user, mock } = renderUser(5, { 'PATCH /api/v1/users/:id': (call) => json(userFixture({ ...(call.body as object) })) });

    await user.click(await screen.findByRole('button', { name: 'Deactivate user' }));
    const dialog = screen.getByRole('dialog', { name: 'Deactivate sam?' });
    await user.click(within(dialog).getByRole('button', { name: 'Deactivate user' }));

    expect(await screen.findByRole('status')).toHaveTextContent('sam is deactivated.');
    expect(mock.callsTo('PATCH', '/api/v1/users/5')[0]?.body).toEqual({ is_active: false });
  });

  it('offers no deactivation of the signed-in user', async () => {
    renderUser(1, { 'GET /api/v1/users/:id': json(userFixture({ id: 1, username: 'admin' })) });
    expect(await screen.findByText('(this is you)')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Deactivate user' })).not.toBeInTheDocument();
  });

  it('shows "not found" with the problem detail for an unknown user', async () => {
    renderUser(404, { 'GET /api/v1/users/:id': problem(404, 'not_found', 'user not found') });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('User #404 could not be loaded');
    expect(alert).toHaveTextContent('user not found');
    expect(alert).toHaveTextContent('req-test-0001');
  });
});
