import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The bench's own helpers (statistics, verdicts, chart, report, profile and heap summaries):
 * `npx vitest run --config bench/vitest.config.ts`. No timing is asserted anywhere; the benchmarks
 * themselves are `npm run bench`, never part of `npm test`.
 */
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['bench/test/**/*.test.ts'],
  },
});
