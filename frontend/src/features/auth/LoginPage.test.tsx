import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { endSession, getAccessToken, getSessionState } from '@/api/session';
import { json, mockApi, problem } from '@/test/api-mock';
import { renderWithApp } from '@/test/render';

import { LoginPage } from '@/features/auth/LoginPage';

const token = { access_token: 'access-1', token_type: 'Bearer', expires_in: 900 };

describe('LoginPage', () => {
  it('signs in with username and password and keeps the token in memory only', async () => {
    const mock = mockApi({ 'POST /api/v1/auth/login': token });
    const { user } = renderWithApp(<LoginPage />);

    await user.type(screen.getByLabelText('Username'), 'admin');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    await vi.waitFor(() => expect(getSessionState().status).toBe('signed-in'));
    expect(getAccessToken()).toBe('access-1');
    expect(mock.callsTo('POST', '/api/v1/auth/login')[0]?.body).toEqual({ username: 'admin', password: 'correct horse battery' });
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
  });

  it('asks for the TOTP code when the server answers mfa_required, then sends it along', async () => {
    const mock = mockApi({
      'POST /api/v1/auth/login': (call) => {
        const body = call.body as { totp_code?: string };
        if (!body.totp_code) return problem(401, 'mfa_required', 'enter the code from your authenticator app (`totp_code`)');
        return body.totp_code === '123456' ? json(token) : problem(401, 'invalid_totp', 'the code is wrong or expired');
      },
    });
    const { user } = renderWithApp(<LoginPage />);

    await user.type(screen.getByLabelText('Username'), 'ops');
    await user.type(screen.getByLabelText('Password'), 'secret-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    // The code step replaces the form; asking for the code is not shown as an error.
    const codeInput = await screen.findByLabelText('Verification code');
    expect(screen.getByRole('heading', { name: 'Two-step verification' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();

    await user.type(codeInput, '000000');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('the code is wrong or expired');

    await user.clear(codeInput);
    await user.type(codeInput, '123456');
    await user.click(screen.getByRole('button', { name: 'Verify' }));

    await vi.waitFor(() => expect(getSessionState().status).toBe('signed-in'));
    expect(mock.callsTo('POST', '/api/v1/auth/login').map((call) => call.body)).toEqual([
      { username: 'ops', password: 'secret-password' },
      { username: 'ops', password: 'secret-password', totp_code: '000000' },
      { username: 'ops', password: 'secret-password', totp_code: '123456' },
    ]);
  });

  it('shows the server’s reason when sign-in fails', async () => {
    mockApi({ 'POST /api/v1/auth/login': problem(429, 'too_many_attempts', 'too many failed sign-ins; try again in 15 minutes') });
    const { user } = renderWithApp(<LoginPage />);

    await user.type(screen.getByLabelText('Username'), 'admin');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('too many failed sign-ins; try again in 15 minutes');
    expect(alert).toHaveTextContent('req-test-0001');
    expect(getSessionState().status).not.toBe('signed-in');
  });

  it('explains why a previous session ended', () => {
    endSession('Your session has ended. Please sign in again.');
    mockApi({});
    renderWithApp(<LoginPage />);

    expect(screen.getByRole('status')).toHaveTextContent('Your session has ended. Please sign in again.');
  });
});
