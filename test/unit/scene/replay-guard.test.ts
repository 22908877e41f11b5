import { describe, expect, it } from 'vitest';
import { createMemorySceneStore } from '../../../src/scene/memory-store.js';
import { createMemoryReplayGuard, storeReplayGuard } from '../../../src/scene/replay-guard.js';
import { describeReplayGuardContract } from './replay-guard-contract.js';

describeReplayGuardContract('memory', async () => {
  let now = 1_000_000;
  return {
    guard: createMemoryReplayGuard({ now: () => now }),
    advance: async (ms) => void (now += ms),
    dispose: async () => undefined,
  };
});

describeReplayGuardContract('on the memory store', async () => {
  let now = 1_000_000;
  const store = createMemorySceneStore({ now: () => now });
  return {
    guard: storeReplayGuard(store),
    advance: async (ms) => void (now += ms),
    dispose: () => store.close(),
  };
});

describe('storeReplayGuard', () => {
  it('keeps only the request and the digest of its first body in the store, for the time given', async () => {
    const puts: [string, string, number][] = [];
    const guard = storeReplayGuard({
      putIfAbsent: async (name, value, ttlMs) => {
        puts.push([name, value, ttlMs]);
        return null;
      },
    });
    await guard.check('1700000000:42', 'd1gest', 1000);
    expect(puts).toEqual([['callback:1700000000:42', 'd1gest', 1000]]);
  });
});
