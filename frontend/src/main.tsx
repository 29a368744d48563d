import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';

import { App } from '@/app/App';
import { AppProviders } from '@/app/providers';
import { createQueryClient } from '@/lib/query-client';

import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <BrowserRouter>
      <AppProviders queryClient={createQueryClient()}>
        <App />
      </AppProviders>
    </BrowserRouter>
  </StrictMode>,
);
