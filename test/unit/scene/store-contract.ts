/**
 * The SceneStore contract, run against the memory store (unit) and the Redis store (integration).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SceneStore } from '../../../src/scene/store.js';

export interface StoreFixture {
  readonly store: SceneStore;
  /** The clock the store expires entries by. */
  now(): number;
  /** Lets `ms` pass for the store (a fake clock, or real waiting for Redis). */
  advance(ms: number): Promise<void>;
  dispose(): Promise<void>;
}

export function describeSceneStoreContract(name: string, make: () => Promise<StoreFixture>): void {
  describe(`SceneStore contract: ${name}`, () => {
    let f: StoreFixture;
    beforeEach(async () => {
      f = await make();
    });
    afterEach(async () => {
      await f.dispose();
    });

    it('inserts once and reads version 1', async () => {
      const later = f.now() + 60_000;
      expect(await f.store.insertScene('s1', 'one', later)).toBe(true);
      expect(await f.store.insertScene('s1', 'other', later)).toBe(false);
      expect(await f.store.readScene('s1')).toEqual({ version: 1, data: 'one' });
      expect(await f.store.readScene('s2')).toBeNull();
    });

    it('replaces only at the current version (compare-and-set)', async () => {
      const later = f.now() + 60_000;
      await f.store.insertScene('s1', 'v1', later);
      expect(await f.store.replaceScene('s1', 1, 'v2', later)).toBe(true);
      expect(await f.store.replaceScene('s1', 1, 'stale', later)).toBe(false);
      expect(await f.store.readScene('s1')).toEqual({ version: 2, data: 'v2' });
      expect(await f.store.replaceScene('missing', 1, 'x', later)).toBe(false);
      expect(await f.store.readScene('missing')).toBeNull();
    });

    it('lets exactly one of many concurrent replaces at one version win', async () => {
      const later = f.now() + 60_000;
      await f.store.insertScene('race', 'v1', later);
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => f.store.replaceScene('race', 1, `w${i}`, later)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect(await f.store.readScene('race')).toEqual({ version: 2, data: `w${winner}` });
    });

    it('drops scenes at their deleteAt', async () => {
      await f.store.insertScene('short', 'x', f.now() + 40);
      await f.store.insertScene('long', 'y', f.now() + 60_000);
      await f.advance(80);
      expect(await f.store.readScene('short')).toBeNull();
      expect(await f.store.readScene('long')).toEqual({ version: 1, data: 'y' });
      // A replace with a past deleteAt removes the scene too.
      expect(await f.store.replaceScene('long', 1, 'z', f.now() - 1)).toBe(true);
      expect(await f.store.readScene('long')).toBeNull();
    });

    it('keeps the token until its deleteAt', async () => {
      expect(await f.store.readToken('wx1')).toBeNull();
      await f.store.writeToken('wx1', 'T1', f.now() + 60_000);
      await f.store.writeToken('wx2', 'T2', f.now() + 40);
      expect(await f.store.readToken('wx1')).toBe('T1');
      await f.advance(80);
      expect(await f.store.readToken('wx2')).toBeNull();
      await f.store.writeToken('wx1', 'T3', f.now() + 60_000);
      expect(await f.store.readToken('wx1')).toBe('T3');
    });

    it('puts a value only where none is, answers the first one after that, and forgets it at its ttl', async () => {
      expect(await f.store.putIfAbsent('m', 'first', 60_000)).toBeNull();
      expect(await f.store.putIfAbsent('m', 'second', 60_000)).toBe('first');
      expect(await f.store.putIfAbsent('m', 'first', 60_000)).toBe('first');
      expect(await f.store.putIfAbsent('short', 'x', 40)).toBeNull();
      await f.advance(80);
      expect(await f.store.putIfAbsent('short', 'y', 60_000)).toBeNull();
      expect(await f.store.putIfAbsent('short', 'z', 60_000)).toBe('y');
      // Its own namespace: a lock of the same name is a different thing.
      expect(await f.store.acquireLock('m', 'owner', 60_000)).toBe(true);
    });

    it('lets exactly one of many concurrent puts of one name store', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => f.store.putIfAbsent('race', `v${i}`, 60_000)));
      expect(results.filter((r) => r === null)).toHaveLength(1);
      const winner = `v${results.indexOf(null)}`;
      expect(results.filter((r) => r !== null).every((r) => r === winner)).toBe(true);
    });

    it('locks for one owner, unlocks only for that owner, and frees a lock at its ttl', async () => {
      expect(await f.store.acquireLock('l', 'a', 60_000)).toBe(true);
      expect(await f.store.acquireLock('l', 'b', 60_000)).toBe(false);
      await f.store.releaseLock('l', 'b');
      expect(await f.store.acquireLock('l', 'b', 60_000)).toBe(false);
      await f.store.releaseLock('l', 'a');
      expect(await f.store.acquireLock('l', 'b', 40)).toBe(true);
      await f.advance(80);
      expect(await f.store.acquireLock('l', 'c', 60_000)).toBe(true);
      // b's lock timed out and now belongs to c: b's late release must not free it.
      await f.store.releaseLock('l', 'b');
      expect(await f.store.acquireLock('l', 'd', 60_000)).toBe(false);
    });
  });
}
