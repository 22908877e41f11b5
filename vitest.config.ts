import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real HTTP servers on loopback; keep the default pool but give them room.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
