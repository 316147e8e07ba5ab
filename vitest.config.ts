import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Training tests are CPU-bound; two workers match the two cores of our machines.
    maxWorkers: 2,
    // `gc()` for test/models/garbage-collected.test.ts, which checks that models dropped without dispose() are freed
    execArgv: ['--expose-gc'],
    // `npm run coverage`: lines of src/ run by the tests, measured by V8. The wasm kernels (assembly/) are outside
    // it; their plain-TypeScript twins in src/backends/js/ are inside.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/**/*.generated.ts'],
      reporter: ['text-summary', 'text', 'html'],
    },
  },
});
