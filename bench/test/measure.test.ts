/**
 * Measured cases: how rows, ratios, goals and scaling verdicts are computed from runs. The fake
 * cases below report fixed numbers, so every expectation follows from the arithmetic alone.
 */
import { describe, expect, it } from 'vitest';
import { runMeasuredCase, scalingVerdict, slope, type MeasuredCase, type RunValues, type Who } from '../measure.js';

const quiet = (): void => undefined;

function fakeCase(values: (who: Who, size: number, call: number) => RunValues, sizes: readonly number[] = [10]): MeasuredCase {
  let calls = 0;
  return {
    kind: 'measured',
    name: 'fake',
    description: 'fixed numbers',
    contestants: ['ours', 'wechat4u', 'limit'],
    clock: 'none',
    figures: [
      {
        key: 'rate',
        row: 'fake',
        unit: 'x/s',
        better: 'higher',
        goals: [
          { on: 'ratioVsWechat4u', atLeast: 3 },
          { on: 'ratioVsLimit', atLeast: 0.5 },
        ],
        total: { unit: 's', of: (v, size) => size / v },
      },
      { key: 'mem', row: 'fake.mem', unit: 'KiB', better: 'lower', goals: [{ on: 'ours', atMost: 64 }] },
    ],
    variants: () => sizes.map((size, i) => ({ size, tag: String(size), headline: i === sizes.length - 1, sampleSize: `${size} things` })),
    measure: async (who, ctx) => values(who, ctx.variant.size, calls++),
  };
}

describe('runMeasuredCase', () => {
  it('medians, paired ratios (ours ÷ theirs) and both-sided goals on the headline size', async () => {
    const c = fakeCase((who) => ({ rate: who === 'ours' ? 30 : who === 'wechat4u' ? 10 : 50, mem: who === 'ours' ? 60 : 200, extra: 7 }));
    const { rows } = await runMeasuredCase(c, { quick: true, runs: 5, warmup: 1, log: quiet });
    const rate = rows.find((r) => r.name === 'fake')!;
    expect(rate).toMatchObject({ ours: 30, wechat4u: 10, limit: 50, ratioVsWechat4u: 3, ratioVsLimit: 0.6, met: true, better: 'higher', case: 'fake' });
    expect(rate.goal).toBe('ratioVsWechat4u >= 3 and ratioVsLimit >= 0.5');
    expect(rate.samples.ours).toHaveLength(5);
    expect(rate.samples.details?.['extra']).toEqual({ ours: 7, wechat4u: 7, limit: 7 });
    const mem = rows.find((r) => r.name === 'fake.mem')!;
    expect(mem).toMatchObject({ ours: 60, met: true, goal: 'ours <= 64' });
  });

  it('a goal is missed when any bound fails', async () => {
    const c = fakeCase((who) => ({ rate: who === 'ours' ? 20 : who === 'wechat4u' ? 10 : 30, mem: 65 }));
    const { rows } = await runMeasuredCase(c, { quick: true, runs: 5, warmup: 0, log: quiet });
    expect(rows.find((r) => r.name === 'fake')!.met).toBe(false);
    expect(rows.find((r) => r.name === 'fake.mem')!.met).toBe(false);
  });

  it('warm-up runs are discarded and contestants rotate who goes first', async () => {
    const order: Who[] = [];
    const c = fakeCase((who, _size, call) => {
      order.push(who);
      return { rate: call < 3 ? 1_000_000 : 10, mem: 1 };
    });
    const { rows } = await runMeasuredCase(c, { quick: true, runs: 2, warmup: 1, log: quiet });
    expect(rows[0]!.samples.ours).toEqual([10, 10]);
    expect(order.slice(0, 3)).toEqual(['ours', 'wechat4u', 'limit']);
    expect(order.slice(3, 6)).toEqual(['wechat4u', 'limit', 'ours']);
  });

  it('a run that fails twice is recorded as missing, not as a number', async () => {
    const c = fakeCase((who) => {
      if (who === 'wechat4u') throw new Error('crashed');
      return { rate: 10, mem: 1 };
    });
    const { rows } = await runMeasuredCase(c, { quick: true, runs: 3, warmup: 0, log: quiet });
    expect(rows[0]).toMatchObject({ wechat4u: null, ratioVsWechat4u: null, met: null });
  });

  it('other sizes get @tag rows without goals, and three sizes give a scaling verdict', async () => {
    // rate falls as size grows: the time to drain is 0.1·size + 0.001·size² — superlinear.
    const c = fakeCase((_who, size) => ({ rate: size / (0.1 * size + 0.001 * size * size), mem: 1 }), [100, 1000, 4000]);
    const { rows, scaling } = await runMeasuredCase(c, { quick: true, runs: 1, warmup: 0, log: quiet });
    expect(rows.map((r) => r.name)).toEqual(['fake', 'fake.mem', 'fake@100', 'fake.mem@100', 'fake@1000', 'fake.mem@1000']);
    expect(rows.find((r) => r.name === 'fake@100')!.goal).toBeNull();
    expect(scaling).toHaveLength(1);
    expect(scaling[0]!.verdict.ours).toBe('superlinear');
    expect(scaling[0]!.totals.ours).toEqual([20, 1100, 16400]);
  });
});

describe('scalingVerdict', () => {
  it('a fixed start-up cost does not make a linear cost look sublinear', () => {
    // 5 s fixed + 1 s per unit: per-unit cost is constant, the log-log exponent is well below 1.
    const v = scalingVerdict([1, 5, 20], [6, 10, 25]);
    expect(v.verdict).toBe('linear');
    expect(v.marginalRatio).toBe(1);
    expect(v.exponent).toBeLessThan(0.8);
  });

  it('a per-unit cost that grows is superlinear; one that shrinks is sublinear', () => {
    expect(scalingVerdict([1, 2, 4], [1, 4, 16]).verdict).toBe('superlinear');
    expect(scalingVerdict([1, 4, 16], [1, 2, 2.5]).verdict).toBe('sublinear');
  });

  it('slope is the least-squares slope', () => {
    expect(slope([1, 2, 3], [2, 4, 6])).toBe(2);
    expect(Number.isNaN(slope([1, 1], [1, 2]))).toBe(true);
  });
});
