import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';

import { resetSessionForTests } from '@/api/session';

// jsdom lays nothing out: recharts' ResponsiveContainer needs ResizeObserver to exist at all.
class ResizeObserverStub {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
if (!('ResizeObserver' in globalThis)) globalThis.ResizeObserver = ResizeObserverStub;

beforeEach(() => {
  resetSessionForTests();
});

afterEach(() => {
  cleanup();
  sessionStorage.clear();
});
