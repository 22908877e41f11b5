import { describe, expect, it } from 'vitest';
import { createMemorySceneStore } from '../../../src/scene/memory-store.js';
import type { PlatformClient } from '../../../src/scene/platform.js';
import { SceneStoreError, type SceneStore } from '../../../src/scene/store.js';
import { createTokenCache, tokenFingerprint, useUntilOf } from '../../../src/scene/token-cache.js';

/** A platform whose token endpoint hands out token-1, token-2, … and can be held open. */
function fakePlatform(options: { expiresIn?: number; fail?: boolean } = {}) {
  let issued = 0;
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => undefined;
  const platform: PlatformClient = {
    async fetchToken() {
      issued += 1;
      const n = issued;
      await gate;
      if (options.fail) return { ok: false, error: { code: 'platform', endpoint: 'token', errcode: -1, message: 'busy' } };
      return { ok: true, grant: { accessToken: `token-${n}`, expiresIn: options.expiresIn ?? 7200 } };
    },
    async createQrCode() {
      throw new Error('not used');
    },
  };
  return {
    platform,
    calls: () => issued,
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release: () => open(),
  };
}

const signal = new AbortController().signal;

describe('token cache', () => {
  it('fetches once and serves the cached token until shortly before expires_in', async () => {
    let clock = 1_000_000;
    const now = (): number => clock;
    const p = fakePlatform({ expiresIn: 7200 });
    const cache = createTokenCache({ store: createMemorySceneStore({ now }), platform: p.platform, appId: 'wx1', now });
    expect(await cache.get({ rejectedFingerprint: null }, signal)).toEqual({ ok: true, accessToken: 'token-1', fingerprint: tokenFingerprint('token-1') });
    clock += 7200_000 - 300_000 - 1;
    expect(await cache.get({ rejectedFingerprint: null }, signal)).toMatchObject({ accessToken: 'token-1' });
    expect(p.calls()).toBe(1);
    clock += 1;
    expect(await cache.get({ rejectedFingerprint: null }, signal)).toMatchObject({ accessToken: 'token-2' });
    expect(p.calls()).toBe(2);
  });

  it('stops using short-lived tokens a fifth of their life early', () => {
    expect(useUntilOf(0, 7200)).toBe(7200_000 - 300_000);
    expect(useUntilOf(0, 100)).toBe(80_000);
  });

  it('replaces a refused token, but takes a newer one someone else already fetched', async () => {
    const store = createMemorySceneStore();
    const p = fakePlatform();
    const a = createTokenCache({ store, platform: p.platform, appId: 'wx1' });
    const b = createTokenCache({ store, platform: p.platform, appId: 'wx1' });
    await a.get({ rejectedFingerprint: null }, signal);
    const refused = tokenFingerprint('token-1');
    expect(await a.get({ rejectedFingerprint: refused }, signal)).toMatchObject({ accessToken: 'token-2' });
    // Instance b saw token-1 refused too; token-2 is already there, so no third call.
    expect(await b.get({ rejectedFingerprint: refused }, signal)).toMatchObject({ accessToken: 'token-2' });
    expect(p.calls()).toBe(2);
  });

  it('refreshes once for many concurrent callers across instances sharing a store', async () => {
    const store = createMemorySceneStore();
    const p = fakePlatform();
    const instances = [0, 1, 2].map(() => createTokenCache({ store, platform: p.platform, appId: 'wx1', waitStepMs: 5 }));
    p.hold();
    // One signal per caller, as each invoked actor has its own.
    const pending = instances.flatMap((cache) => [0, 1, 2, 3].map(() => cache.get({ rejectedFingerprint: null }, new AbortController().signal)));
    await new Promise((r) => setTimeout(r, 30));
    p.release();
    const results = await Promise.all(pending);
    expect(p.calls()).toBe(1);
    expect(new Set(results.map((r) => (r.ok ? r.accessToken : 'error')))).toEqual(new Set(['token-1']));
  });

  it('answers the platform error and leaves the lock free for the next try', async () => {
    const store = createMemorySceneStore();
    const failing = fakePlatform({ fail: true });
    const cache = createTokenCache({ store, platform: failing.platform, appId: 'wx1' });
    expect(await cache.get({ rejectedFingerprint: null }, signal)).toEqual({
      ok: false,
      error: { code: 'platform', endpoint: 'token', errcode: -1, message: 'busy' },
    });
    expect(await store.acquireLock('token:wx1', 'probe', 1000)).toBe(true);
  });

  it('takes over a lock whose holder died once it times out', async () => {
    const store = createMemorySceneStore();
    await store.acquireLock('token:wx1', 'dead instance', 60);
    const p = fakePlatform();
    const cache = createTokenCache({ store, platform: p.platform, appId: 'wx1', lockTtlMs: 60, waitStepMs: 10 });
    expect(await cache.get({ rejectedFingerprint: null }, signal)).toMatchObject({ ok: true, accessToken: 'token-1' });
  });

  it('gives up waiting with a timeout error when the lock never frees', async () => {
    let clock = 0;
    const store = createMemorySceneStore({ now: () => 0 });
    await store.acquireLock('token:wx1', 'stuck', 1_000_000);
    const p = fakePlatform();
    const cache = createTokenCache({
      store,
      platform: p.platform,
      appId: 'wx1',
      lockTtlMs: 100,
      waitStepMs: 1,
      now: () => (clock += 10),
    });
    expect(await cache.get({ rejectedFingerprint: null }, signal)).toMatchObject({ ok: false, error: { code: 'timeout', endpoint: 'token' } });
    expect(p.calls()).toBe(0);
  });

  it('answers aborted when its caller leaves while it waits', async () => {
    const store = createMemorySceneStore();
    await store.acquireLock('token:wx1', 'other', 60_000);
    const p = fakePlatform();
    const cache = createTokenCache({ store, platform: p.platform, appId: 'wx1', waitStepMs: 5 });
    const controller = new AbortController();
    const pending = cache.get({ rejectedFingerprint: null }, controller.signal);
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'aborted' } });
  });

  it('turns store failures into a store error without secrets', async () => {
    const broken: SceneStore = {
      ...createMemorySceneStore(),
      readToken: async () => {
        throw new SceneStoreError('readToken', new Error('ECONNREFUSED'));
      },
    };
    const cache = createTokenCache({ store: broken, platform: fakePlatform().platform, appId: 'wx1' });
    expect(await cache.get({ rejectedFingerprint: null }, signal)).toEqual({
      ok: false,
      error: { code: 'store', endpoint: 'store', message: 'scene store: readToken failed (Error)' },
    });
  });

  it('ignores a corrupt cache entry and fetches', async () => {
    const store = createMemorySceneStore();
    await store.writeToken('wx1', '{not json', Date.now() + 60_000);
    const p = fakePlatform();
    const cache = createTokenCache({ store, platform: p.platform, appId: 'wx1' });
    expect(await cache.get({ rejectedFingerprint: null }, signal)).toMatchObject({ accessToken: 'token-1' });
  });
});
