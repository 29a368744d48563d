import { QueryClient } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router';

import { startSession } from '@/api/session';
import { AppProviders } from '@/app/providers';

/** Signs in as far as the client is concerned (an access token in memory). */
export function signInForTest(token = 'test-access-token'): void {
  startSession({ access_token: token, token_type: 'Bearer', expires_in: 900 });
}

interface RenderOptions {
  /** The address the app starts at. */
  route?: string;
  /** A route pattern for `ui`, when it reads path parameters (`/exports/:id`). */
  path?: string;
}

/** Renders with the app's providers, a memory router and a fresh query cache. */
export function renderWithApp(ui: ReactElement, { route = '/', path }: RenderOptions = {}) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  const user = userEvent.setup();
  const view = render(
    <MemoryRouter initialEntries={[route]}>
      <AppProviders queryClient={queryClient}>
        {path ? (
          <Routes>
            <Route path={path} element={ui} />
          </Routes>
        ) : (
          ui
        )}
      </AppProviders>
    </MemoryRouter>,
  );
  return { ...view, user, queryClient };
}
