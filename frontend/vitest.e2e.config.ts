import { defineConfig } from 'vitest/config';

// Browser tests: the real binary (target/debug/opsdeck) serving the production build (dist/),
// driven through Debian's Chromium. `npm run build` first.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['./e2e/global-setup.ts'],
    // One server, one browser at a time: the machine is shared and the steps build on each other.
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
