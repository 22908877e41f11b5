import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Integration tests start real HTTP servers (and a browser) on loopback; give them room on a loaded machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
