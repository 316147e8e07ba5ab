import { defineConfig } from 'vitest/config';

// The browser tests (`npm run test:browser`): Debian's Chromium driven by playwright-core against the built
// package (dist/) and the built demo (build/demo/). They are *.spec.ts so that `npm test` (test/**/*.test.ts)
// leaves them out; one file at a time, since each drives a browser whose worker needs a core of its own.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.spec.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
