import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { getSessionState } from '@/api/session';
import { json, mockApi, problem, type MockRoutes } from '@/test/api-mock';
import { dashboard, partnerMe, staffMe, tenants } from '@/test/fixtures';
import { renderWithApp } from '@/test/render';

import { App } from './App';

const token = { access_token: 'access-1', token_type: 'Bearer', expires_in: 900 };
const noSession = problem(401, 'unauthenticated', 'no refresh token');

function signedInApi(me = staffMe, extra: MockRoutes = {}) {
  return mockApi({
    'POST /api/v1/auth/refresh': token,
    'GET /api/v1/me': me,
    'GET /api/v1/tenants': { items: tenants, next_cursor: null },
    'GET /api/v1/dashboard': dashboard,
    'POST /api/v1/auth/logout': () => new Response(null, { status: 204 }),
    ...extra,
  });
}

describe('the app', () => {
  it('restores the session through the refresh cookie on load', async () => {
    const mock = signedInApi();
    renderWithApp(<App />);

    // The first test to open the dashboard also loads its lazy module (charts included): slow on a busy machine.
    expect(await screen.findByRole('heading', { name: 'Dashboard', level: 1 }, { timeout: 5_000 })).toBeInTheDocument();
    expect(mock.callsTo('POST', '/api/v1/auth/refresh')).toHaveLength(1);
  });

  it('shows the login form without a session, then the page that was asked for', async () => {
    const mock = mockApi({
      'POST /api/v1/auth/refresh': noSession,
      'POST /api/v1/auth/login': token,
      'GET /api/v1/me': staffMe,
      'GET /api/v1/tenants': { items: tenants, next_cursor: null },
      'GET /api/v1/export-jobs': { items: [], next_cursor: null },
    });
    const { user } = renderWithApp(<App />, { route: '/exports?status=FAILED' });

    await user.type(await screen.findByLabelText('Username'), 'admin');
    await user.type(screen.getByLabelText('Password'), 'pw-123456789');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'Export jobs', level: 1 })).toBeInTheDocument();
    await vi.waitFor(() => expect(mock.callsTo('GET', '/api/v1/export-jobs')[0]?.query.get('status')).toBe('FAILED'));
  });

  it('gives staff the full menu and a tenant switcher that scopes the dashboard', async () => {
    const mock = signedInApi();
    const { user } = renderWithApp(<App />);

    const menu = await screen.findByRole('navigation', { name: 'Main' });
    expect(within(menu).getAllByRole('link').map((link) => link.textContent)).toEqual(['Dashboard', 'Catalog', 'Bulk jobs', 'Export jobs', 'Webhook events', 'Audit log', 'Tenants', 'Users', 'API tokens']);

    const switcher = await screen.findByLabelText('Tenant');
    await screen.findByRole('option', { name: 'Globex Corporation' });
    expect(mock.callsTo('GET', '/api/v1/dashboard')[0]?.query.has('tenant_id')).toBe(false);

    await user.selectOptions(switcher, 'Globex Corporation');
    await vi.waitFor(() => expect(mock.callsTo('GET', '/api/v1/dashboard').at(-1)?.query.get('tenant_id')).toBe('2'));
  });

  it('gives partners their tenant only: no tenant switcher, no staff screens', async () => {
    const mock = signedInApi(partnerMe, { 'GET /api/v1/dashboard': { ...dashboard, tenant_id: 2, failed_webhooks: null } });
    renderWithApp(<App />);

    const menu = await screen.findByRole('navigation', { name: 'Main' });
    // Their own API tokens, but no tenant or user administration.
    expect(within(menu).getAllByRole('link').map((link) => link.textContent)).toEqual(['Dashboard', 'Catalog', 'Bulk jobs', 'Export jobs', 'Audit log', 'API tokens']);
    expect(screen.getByText('Partner view: Globex Corporation')).toBeInTheDocument();
    await screen.findByRole('heading', { name: 'Failed exports' });
    expect(screen.queryByLabelText('Tenant')).not.toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Failed webhook events' })).not.toBeInTheDocument();
    expect(mock.callsTo('GET', '/api/v1/tenants')).toHaveLength(0);
    expect(mock.callsTo('GET', '/api/v1/dashboard')[0]?.query.has('tenant_id')).toBe(false);
  });

  it.each(['/webhooks', '/admin/tenants', '/admin/users', '/admin/users/1'])('keeps partners out of the staff screen %s reached by address', async (route) => {
    const mock = signedInApi(partnerMe);
    renderWithApp(<App />, { route });

    expect(await screen.findByText('You do not have access to this page')).toBeInTheDocument();
    expect(mock.calls.filter((call) => call.path.startsWith('/api/v1/users') || call.path.startsWith('/api/v1/tenants'))).toHaveLength(0);
  });

  it('signs out: the server ends the session and the login form returns', async () => {
    const mock = signedInApi();
    const { user } = renderWithApp(<App />);

    await user.click(await screen.findByRole('button', { name: 'Sign out' }));

    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(mock.callsTo('POST', '/api/v1/auth/logout')).toHaveLength(1);
    expect(getSessionState()).toEqual({ status: 'signed-out', endedReason: null });
  });

  it('sends users who must enrol TOTP to the enrolment screen, which asks for their password again', async () => {
    const mock = signedInApi({ ...staffMe, mfa_enrollment_required: true }, {
      'POST /api/v1/auth/mfa/enroll': { secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/opsdeck:admin?secret=JBSWY3DPEHPK3PXP' },
    });
    const { user } = renderWithApp(<App />);

    await user.type(await screen.findByLabelText('Current password'), 'my password');
    await user.click(screen.getByRole('button', { name: 'Create my secret' }));
    expect(await screen.findByText('JBSWY3DPEHPK3PXP')).toBeInTheDocument();
    expect(mock.callsTo('POST', '/api/v1/auth/mfa/enroll')[0]?.body).toEqual({ password: 'my password' });
    const qrCode = screen.getByRole('img', { name: 'QR code of the authenticator setup link' });
    expect(qrCode.querySelector('path')?.getAttribute('d')).toMatch(/^M\d+ \d+h1v1h-1z/);
    expect(screen.queryByRole('navigation', { name: 'Main' })).not.toBeInTheDocument();
  });

  it('shows a wrong password next to the field and creates no secret', async () => {
    signedInApi({ ...staffMe, mfa_enrollment_required: true }, {
      'POST /api/v1/auth/mfa/enroll': () =>
        json(
          {
            type: 'urn:opsdeck:problem:wrong_password',
            title: 'Unprocessable Entity',
            status: 422,
            detail: 'password: the current password is wrong',
            code: 'wrong_password',
            errors: [{ field: 'password', message: 'the current password is wrong' }],
          },
          422,
        ),
    });
    const { user } = renderWithApp(<App />);

    await user.type(await screen.findByLabelText('Current password'), 'not my password');
    await user.click(screen.getByRole('button', { name: 'Create my secret' }));
    expect(await screen.findByText('the current password is wrong')).toBeInTheDocument();
    expect(screen.getByLabelText('Current password')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.queryByLabelText('Verification code')).not.toBeInTheDocument();
  });

  it('shows the problem detail when the profile cannot be loaded', async () => {
    mockApi({
      'POST /api/v1/auth/refresh': token,
      'GET /api/v1/me': () => json({ type: 'urn:opsdeck:problem:internal', title: 'Internal', status: 500, detail: 'internal error (request 42)', code: 'internal', request_id: '42' }, 500),
    });
    renderWithApp(<App />);

    expect(await screen.findByRole('alert')).toHaveTextContent('internal error (request 42)');
  });
});
