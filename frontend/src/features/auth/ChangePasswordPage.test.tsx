import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { json, mockApi } from '@/test/api-mock';
import { staffMe } from '@/test/fixtures';
import { renderWithApp, signInForTest } from '@/test/render';

import { ChangePasswordPage } from '@/features/auth/ChangePasswordPage';

const STRONG = 'velvet-harbor-quiet-lantern';

function refusal(code: string, field: string, message: string): Response {
  return json(
    { type: `urn:opsdeck:problem:${code}`, title: 'Unprocessable Entity', status: 422, detail: `${field}: ${message}`, code, request_id: 'req-9', errors: [{ field, message }] },
    422,
  );
}

function api(reply: (body: unknown) => Response) {
  signInForTest();
  return mockApi({ 'GET /api/v1/me': staffMe, 'POST /api/v1/me/password': (call) => reply(call.body) });
}

async function fill(user: ReturnType<typeof renderWithApp>['user'], current: string, next: string, repeated = next) {
  await user.type(await screen.findByLabelText('Current password'), current);
  await user.type(screen.getByLabelText('New password'), next);
  await user.type(screen.getByLabelText('Repeat the new password'), repeated);
  await user.click(screen.getByRole('button', { name: 'Change password' }));
}

describe('ChangePasswordPage', () => {
  it('changes the password and says the other sessions ended', async () => {
    const mock = api(() => new Response(null, { status: 204 }));
    const { user } = renderWithApp(<ChangePasswordPage />, { route: '/account/password' });

    await fill(user, 'the-old-one-1234', STRONG);

    expect(await screen.findByRole('status')).toHaveTextContent('Your password was changed. Your other sessions have ended.');
    expect(mock.callsTo('POST', '/api/v1/me/password')[0]?.body).toEqual({ current_password: 'the-old-one-1234', new_password: STRONG });
    expect(screen.getByLabelText('New password')).toHaveValue('');
  });

  it('shows the strength of the new password as it is typed, judged with the username', async () => {
    api(() => new Response(null, { status: 204 }));
    const { user } = renderWithApp(<ChangePasswordPage />, { route: '/account/password' });

    await user.type(await screen.findByLabelText('New password'), 'admin-velvet-harbor');
    expect(await screen.findByRole('meter', { name: 'Strength' })).toHaveAttribute('aria-valuetext', 'Too weak');
    expect(screen.getByText('It contains your username.')).toBeInTheDocument();

    await user.clear(screen.getByLabelText('New password'));
    await user.type(screen.getByLabelText('New password'), STRONG);
    expect((await screen.findByRole('meter', { name: 'Strength' })).getAttribute('aria-valuetext')).toMatch(/^(Strong|Very strong)$/);
  });

  it('shows the server’s refusals next to their fields', async () => {
    const replies = [
      refusal('wrong_password', 'current_password', 'the current password is wrong'),
      refusal('validation_failed', 'new_password', 'is too easy to guess: This is a top-10 common password. Add another word or two.'),
    ];
    api(() => replies.shift() ?? new Response(null, { status: 204 }));
    const { user } = renderWithApp(<ChangePasswordPage />, { route: '/account/password' });

    await fill(user, 'not-my-password', STRONG);
    await vi.waitFor(() => expect(screen.getByLabelText('Current password')).toHaveAccessibleDescription('the current password is wrong'));

    await user.click(screen.getByRole('button', { name: 'Change password' }));
    await vi.waitFor(() => expect(screen.getByLabelText('New password')).toHaveAccessibleDescription(/is too easy to guess: This is a top-10 common password/));
    expect(screen.getByLabelText('Current password')).not.toHaveAccessibleDescription('the current password is wrong');
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
  });

  it('sends nothing when the repeated password differs', async () => {
    const mock = api(() => new Response(null, { status: 204 }));
    const { user } = renderWithApp(<ChangePasswordPage />, { route: '/account/password' });

    await fill(user, 'the-old-one-1234', STRONG, `${STRONG}!`);

    expect(screen.getByLabelText('Repeat the new password')).toHaveAccessibleDescription('Does not match the new password.');
    expect(mock.callsTo('POST', '/api/v1/me/password')).toHaveLength(0);
  });
});
