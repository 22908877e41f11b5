/**
 * The ReplayGuard contract, run against the in-process guard, the guard on the memory store
 * (unit) and the guard on the Redis store (integration).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReplayGuard } from '../../../src/scene/replay-guard.js';

export interface GuardFixture {
  readonly guard: ReplayGuard;
  /** Lets `ms` pass for the guard (a fake clock, or real waiting for Redis). */
  advance(ms: number): Promise<void>;
  dispose(): Promise<void>;
}

export function describeReplayGuardContract(name: string, make: () => Promise<GuardFixture>): void {
  describe(`ReplayGuard contract: ${name}`, () => {
    let f: GuardFixture;
    beforeEach(async () => {
      f = await make();
    });
    afterEach(async () => {
      await f.dispose();
    });

    it('tells a first delivery, the same body again, and another body under the same request apart', async () => {
      expect(await f.guard.check('1700000000:1', 'aaa', 60_000)).toBe('first');
      expect(await f.guard.check('1700000000:1', 'aaa', 60_000)).toBe('again');
      expect(await f.guard.check('1700000000:1', 'bbb', 60_000)).toBe('reused');
      // The first body stays the genuine one: a reuse does not take the request over.
      expect(await f.guard.check('1700000000:1', 'aaa', 60_000)).toBe('again');
      expect(await f.guard.check('1700000000:1', 'bbb', 60_000)).toBe('reused');
      // Another request is unrelated.
      expect(await f.guard.check('1700000000:2', 'bbb', 60_000)).toBe('first');
    });

    it('forgets a request after its time to live', async () => {
      expect(await f.guard.check('1700000001:9', 'aaa', 150)).toBe('first');
      await f.advance(400);
      expect(await f.guard.check('1700000001:9', 'bbb', 150)).toBe('first');
    });
  });
}
