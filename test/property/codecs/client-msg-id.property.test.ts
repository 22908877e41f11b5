import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeClientMsgId } from '../../../src/codecs/index.js';

/** Millisecond clocks of this and the next centuries: always 13 digits. */
const arbNow = fc.integer({ min: 1_000_000_001_000, max: 9_000_000_000_000 });
const arbRandom = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

describe('makeClientMsgId', () => {
  // Invariant: an id is the 13-digit ms clock followed by 4 digits: 17 digits in all.
  it('is 17 digits led by the clock', () => {
    fc.assert(
      fc.property(arbNow, arbRandom, (now, r) => {
        const id = makeClientMsgId(now, () => r);
        expect(id).toMatch(/^\d{17}$/);
        expect(id.startsWith(String(now))).toBe(true);
      }),
    );
  });

  // Invariant: threading `last` through any sequence of calls — same millisecond, a clock that
  // goes backwards, any random digits — gives strictly increasing 17-digit ids.
  it('is strictly increasing when the last id is given', () => {
    fc.assert(
      fc.property(arbNow, fc.array(fc.tuple(fc.integer({ min: -5, max: 5 }), arbRandom), { minLength: 1, maxLength: 60 }), (start, steps) => {
        let now = start;
        let last: string | undefined;
        for (const [delta, r] of steps) {
          now += delta;
          const id = makeClientMsgId(now, () => r, last);
          expect(id).toMatch(/^\d{17}$/);
          if (last !== undefined) expect(BigInt(id) > BigInt(last)).toBe(true);
          last = id;
        }
      }),
    );
  });

  // Invariant: a random source outside [0, 1) or a damaged `last` never breaks the format or throws.
  it('tolerates a bad random source and a damaged last id', () => {
    fc.assert(
      fc.property(arbNow, fc.oneof(fc.double(), fc.constantFrom(1, -1, Number.NaN, Infinity)), fc.oneof(fc.string(), fc.constant(undefined)), (now, r, last) => {
        const id = makeClientMsgId(now, () => r, last);
        expect(id).toMatch(/^\d+$/);
        if (last === undefined || !/^\d+$/.test(last) || last.length < 17) expect(id).toMatch(/^\d{17}$/);
      }),
    );
  });
});
