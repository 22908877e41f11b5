/**
 * The benchmark harness's bookkeeping (bench/harness.ts): medians, paired ratios, the goal verdict
 * and the results schema. It lives here because the codec engineer owns the harness; no timing
 * is asserted, only how results are computed from runs.
 */
import { describe, expect, it } from 'vitest';
import { formatTable, median, pairedRatio, runCase, type BenchCase } from '../../../bench/harness.js';

describe('bench harness', () => {
  it('median of odd and even samples', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('paired ratio is the median of per-round ratios, robust to one disturbed round', () => {
    expect(pairedRatio([2, 2, 2, 50], [1, 1, 1, 1])).toBe(2);
    expect(pairedRatio([2, 4, 6], [1, 2, 3])).toBe(2);
  });

  it('runCase fills the results schema, with nulls where a contestant is absent', async () => {
    const calls = { ours: 0, limit: 0 };
    const c: BenchCase = {
      name: 'fake',
      unit: 'ms',
      description: 'a fake case',
      goal: { ratio: 'ratioVsLimit', atMost: 1e9 },
      prepare: () => ({
        ours: () => ++calls.ours,
        limit: () => ++calls.limit,
        sampleSize: '1 thing',
      }),
    };
    const result = await runCase(c, { quick: true, runs: 5, warmup: 2 });
    expect(calls).toEqual({ ours: 7, limit: 7 });
    expect(result).toMatchObject({ name: 'fake', unit: 'ms', wechat4u: null, ratioVsWechat4u: null, goal: 'ratioVsLimit <= 1000000000', met: true });
    expect(typeof result.ours).toBe('number');
    expect(typeof result.ratioVsLimit).toBe('number');
    expect(result.samples).toMatchObject({ runs: 5, warmup: 2, size: '1 thing', wechat4u: null });
    expect(result.samples.ours).toHaveLength(5);
    expect(result.samples.limit).toHaveLength(5);
  });

  it('a case without a goal has goal and met null; async contestants are awaited', async () => {
    let settled = 0;
    const c: BenchCase = {
      name: 'async',
      unit: 'ms',
      description: 'async contestants',
      goal: null,
      prepare: () => ({ ours: async () => ++settled, wechat4u: async () => ++settled, sampleSize: 'n/a' }),
    };
    const result = await runCase(c, { quick: true, runs: 5, warmup: 0 });
    expect(settled).toBe(10);
    expect(result).toMatchObject({ goal: null, met: null, limit: null, ratioVsLimit: null });
    expect(formatTable([result])).toContain('async');
  });
});
