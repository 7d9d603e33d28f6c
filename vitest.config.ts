import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Exhaustive exploration tests are CPU-bound; give them room but keep the
    // whole suite well under the CI budget.
    testTimeout: 120_000,
    pool: 'forks',
    setupFiles: ['./test/setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
