import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { json, mockApi, problem, type MockRoutes } from '@/test/api-mock';
import { apiToken, partnerMe, staffMe, tenants } from '@/test/fixtures';
import { renderWithApp, signInForTest } from '@/test/render';

import { TokensPage } from '@/features/admin/TokensPage';

const SECRET = 'odk_Zx9secretsecretsecretsecretsecretsecret';

function setup(routes: MockRoutes = {}, me = staffMe) {
  signInForTest();
  const mock = mockApi({
    'GET /api/v1/me': me,
    'GET /api/v1/tenants': { items: tenants, next_cursor: null },
    'GET /api/v1/tokens': { items: [apiToken()], next_cursor: null },
    ...routes,
  });
  return { ...renderWithApp(<TokensPage />, { route: '/admin/tokens' }), mock };
}

describe('TokensPage', () => {
  it('creates a token and shows its secret once, with a copy button', async () => {
    const { user, mock } = setup({
      'POST /api/v1/tokens': (call) =>
        json({ token: apiToken({ id: 4, name: 'reporting', tenant_id: 2, ...(call.body as object) }), secret: SECRET }, 201),
    });

    await user.click(await screen.findByRole('button', { name: 'New token' }));
    const form = screen.getByRole('dialog', { name: 'New API token' });
    await user.type(within(form).getByLabelText('Name'), 'reporting');
    await screen.findByRole('option', { name: 'Globex Corporation' });
    await user.selectOptions(within(form).getByLabelText('Tenant'), 'Globex Corporation');
    await user.selectOptions(within(form).getByLabelText('Expires after'), '30 days');
    await user.click(within(form).getByRole('checkbox', { name: 'Superadmin' }));
    await user.click(within(form).getByRole('checkbox', { name: 'Partner viewer' }));
    await user.type(within(form).getByLabelText('Your password'), 'my password');
    await user.click(within(form).getByRole('button', { name: 'Create token' }));

    expect(mock.callsTo('POST', '/api/v1/tokens')[0]?.body).toEqual({
      name: 'reporting',
      roles: ['partner_viewer'],
      tenant_id: 2,
      expires_in_days: 30,
      password: 'my password',
    });
    const shown = await screen.findByRole('dialog', { name: 'Token “reporting” created' });
    expect(shown).toHaveTextContent('you won’t see it again');
    expect(within(shown).getByLabelText('Secret')).toHaveValue(SECRET);

    await user.click(within(shown).getByRole('button', { name: 'Copy secret' }));
    expect(await within(shown).findByText('Copied to the clipboard')).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(SECRET);

    await user.click(within(shown).getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.queryByDisplayValue(SECRET)).not.toBeInTheDocument();
    expect(mock.callsTo('GET', '/api/v1/tokens').length).toBeGreaterThan(1);
  });

  it('shows the server’s reasons next to the fields they concern', async () => {
    const { user } = setup({
      'POST /api/v1/tokens': () =>
        json(
          {
            type: 'urn:opsdeck:problem:validation_failed',
            title: 'Validation failed',
            status: 422,
            detail: 'the input is invalid',
            code: 'validation_failed',
            request_id: 'req-9',
            errors: [{ field: 'name', message: 'give the token a name of 1-200 characters' }],
          },
          422,
        ),
    });

    await user.click(await screen.findByRole('button', { name: 'New token' }));
    const form = screen.getByRole('dialog', { name: 'New API token' });
    await user.type(within(form).getByLabelText('Name'), '   ');
    await user.click(within(form).getByRole('button', { name: 'Create token' }));

    const name = within(form).getByLabelText('Name');
    await vi.waitFor(() => expect(name).toHaveAttribute('aria-invalid', 'true'));
    expect(name).toHaveAccessibleDescription(/give the token a name of 1-200 characters/);
    // The summary says where to look instead of repeating what the field already shows.
    expect(within(form).getByRole('alert')).toHaveTextContent('Correct the fields marked above');
    expect(within(form).getByRole('alert')).not.toHaveTextContent('give the token a name');
    expect(within(form).getByRole('alert')).toHaveTextContent('req-9');
  });

  it('asks for at least one role before sending anything', async () => {
    const { user, mock } = setup();
    await user.click(await screen.findByRole('button', { name: 'New token' }));
    const form = screen.getByRole('dialog', { name: 'New API token' });
    await user.type(within(form).getByLabelText('Name'), 'ci');
    await user.click(within(form).getByRole('checkbox', { name: 'Superadmin' }));
    await user.click(within(form).getByRole('button', { name: 'Create token' }));

    expect(within(form).getByText('Choose at least one role.')).toBeInTheDocument();
    expect(mock.callsTo('POST', '/api/v1/tokens')).toHaveLength(0);
  });

  it('revokes a token only after confirmation', async () => {
    const { user, mock } = setup({ 'DELETE /api/v1/tokens/:id': () => new Response(null, { status: 204 }) });

    await user.click(await screen.findByRole('button', { name: 'Revoke token nightly ERP sync' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke “nightly ERP sync”?' });
    expect(dialog).toHaveTextContent('odk_Ab12…');
    expect(mock.callsTo('DELETE', '/api/v1/tokens/3')).toHaveLength(0);

    await user.click(within(dialog).getByRole('button', { name: 'Revoke token' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Token “nightly ERP sync” is revoked.');
    expect(mock.callsTo('DELETE', '/api/v1/tokens/3')).toHaveLength(1);
  });

  it('offers no revoke for revoked or expired tokens', async () => {
    setup({
      'GET /api/v1/tokens': {
        items: [apiToken({ id: 1, name: 'old', revoked_at: '2026-02-01T00:00:00Z' }), apiToken({ id: 2, name: 'stale', expires_at: '2026-01-01T00:00:00Z' })],
        next_cursor: null,
      },
    });
    await screen.findByText('old');
    expect(screen.getByText('revoked')).toBeInTheDocument();
    expect(screen.getByText('expired')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Revoke/ })).not.toBeInTheDocument();
  });

  it('lets partners create tokens confined to their tenant, without choosing one', async () => {
    const { user } = setup({}, partnerMe);
    await user.click(await screen.findByRole('button', { name: 'New token' }));
    const form = screen.getByRole('dialog', { name: 'New API token' });
    expect(within(form).queryByLabelText('Tenant')).not.toBeInTheDocument();
    expect(form).toHaveTextContent('The token sees Globex Corporation only');
    expect(within(form).getByRole('checkbox', { name: 'Partner admin' })).toBeChecked();
    expect(within(form).getByRole('checkbox', { name: 'Partner viewer' })).not.toBeChecked();
    expect(within(form).queryByRole('checkbox', { name: 'Support' })).not.toBeInTheDocument();
  });

  it('shows the problem detail when the tokens cannot be loaded', async () => {
    setup({ 'GET /api/v1/tokens': problem(403, 'forbidden', 'missing permission tokens:manage') });
    expect(await screen.findByRole('alert')).toHaveTextContent('missing permission tokens:manage');
  });
});
