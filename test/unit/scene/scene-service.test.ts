import { describe, expect, it } from 'vitest';
import { createMemoryAccountDirectory, type AccountDirectory } from '../../../src/scene/accounts.js';
import { createMemorySceneStore } from '../../../src/scene/memory-store.js';
import type { PlatformClient } from '../../../src/scene/platform.js';
import { createSceneLoginService, type SceneLoginService } from '../../../src/scene/scene-service.js';
import type { SceneStore } from '../../../src/scene/store.js';

const SECRET_TOKEN = 'ACCESS_TOKEN_VALUE_0123456789';

function stubPlatform(options: { refuseFirstQr?: number; tokenFails?: boolean } = {}) {
  let qrCalls = 0;
  let tokenCalls = 0;
  const platform: PlatformClient = {
    async fetchToken() {
      tokenCalls += 1;
      if (options.tokenFails) return { ok: false, error: { code: 'platform', endpoint: 'token', errcode: 40125, message: 'token: errcode 40125 invalid appsecret' } };
      return { ok: true, grant: { accessToken: `${SECRET_TOKEN}${tokenCalls}`, expiresIn: 7200 } };
    },
    async createQrCode(input) {
      qrCalls += 1;
      if (qrCalls === 1 && options.refuseFirstQr !== undefined) {
        return { ok: false, error: { code: 'platform', endpoint: 'qrcodeCreate', errcode: options.refuseFirstQr, message: 'refused' } };
      }
      return {
        ok: true,
        qr: { ticket: `ticket-${input.sceneId}`, url: `http://weixin.qq.com/q/${input.sceneId}`, expireSeconds: input.expireSeconds },
        imageUrl: `https://mp.example/showqrcode?ticket=ticket-${input.sceneId}`,
      };
    },
  };
  return { platform, tokenCalls: () => tokenCalls, qrCalls: () => qrCalls };
}

interface Site {
  readonly service: SceneLoginService;
  readonly store: SceneStore;
  readonly clock: { now: number };
}

function site(options: { store?: SceneStore; accounts?: AccountDirectory; platform?: PlatformClient; clock?: { now: number } } = {}): Site {
  const clock = options.clock ?? { now: 1_700_000_000_000 };
  const store = options.store ?? createMemorySceneStore({ now: () => clock.now });
  const service = createSceneLoginService({
    store,
    accounts: options.accounts ?? createMemoryAccountDirectory(),
    platformClient: options.platform ?? stubPlatform().platform,
    appId: 'wx1',
    expireSeconds: 120,
    now: () => clock.now,
  });
  return { service, store, clock };
}

async function created(s: Site): Promise<string> {
  const result = await s.service.create();
  if (!result.ok) throw new Error(`create failed: ${result.error.code}`);
  return result.scene.sceneId;
}

describe('scene service', () => {
  it('creates a scene with an unguessable scene_str and stores it without the token', async () => {
    const s = site();
    const result = await s.service.create();
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.scene.sceneId).toMatch(/^[0-9A-Za-z_-]{22}$/);
    expect(result.scene.qrUrl).toBe(`https://mp.example/showqrcode?ticket=ticket-${result.scene.sceneId}`);
    expect(result.scene.expiresAt).toBe(s.clock.now + 120_000);
    const stored = await s.store.readScene(result.scene.sceneId);
    expect(stored?.version).toBe(1);
    expect(stored?.data).not.toContain(SECRET_TOKEN);
    const status = await s.service.status(result.scene.sceneId);
    expect(status).toMatchObject({ ok: true, view: { status: 'pending', openid: null } });
  });

  it('answers the platform error and stores nothing when creation fails', async () => {
    const p = stubPlatform({ tokenFails: true });
    const s = site({ platform: p.platform });
    expect(await s.service.create()).toEqual({
      ok: false,
      error: { code: 'platform', endpoint: 'token', errcode: 40125, message: 'token: errcode 40125 invalid appsecret' },
    });
  });

  it('refreshes the token once when qrcode/create says it expired', async () => {
    const p = stubPlatform({ refuseFirstQr: 42001 });
    const s = site({ platform: p.platform });
    expect((await s.service.create()).ok).toBe(true);
    expect(p.tokenCalls()).toBe(2);
    expect(p.qrCalls()).toBe(2);
  });

  it('takes a new follower through binding to loggedIn', async () => {
    const s = site();
    const id = await created(s);
    expect(await s.service.scan(id, 'oNew', 'subscribe')).toMatchObject({ ok: true, result: { outcome: 'changed', view: { status: 'needsBinding', openid: 'oNew', follow: 'subscribe' } } });
    expect(await s.service.bind(id, '12')).toMatchObject({ ok: true, result: { view: { status: 'needsBinding', bindError: { code: 'badPhone' } } } });
    expect(await s.service.bind(id, '13800138000')).toMatchObject({ ok: true, result: { outcome: 'changed', view: { status: 'loggedIn', openid: 'oNew' } } });
    // The same follower's next login needs no binding.
    const next = await created(s);
    expect(await s.service.scan(next, 'oNew', 'SCAN')).toMatchObject({ ok: true, result: { view: { status: 'loggedIn' } } });
  });

  it('treats replays as unchanged and unknown scenes as unknown', async () => {
    const s = site();
    const id = await created(s);
    await s.service.scan(id, 'o1', 'subscribe');
    const version = (await s.store.readScene(id))?.version;
    expect(await s.service.scan(id, 'o1', 'subscribe')).toMatchObject({ ok: true, result: { outcome: 'unchanged' } });
    expect((await s.store.readScene(id))?.version).toBe(version);
    expect(await s.service.scan('nope', 'o1', 'SCAN')).toEqual({ ok: true, result: { outcome: 'unknown' } });
    expect(await s.service.scan('../etc', 'o1', 'SCAN')).toEqual({ ok: true, result: { outcome: 'unknown' } });
    expect(await s.service.status('nope')).toEqual({ ok: true, view: null });
  });

  it('reports expired once the QR lifetime is over, and a late scan cannot log in', async () => {
    const s = site({ accounts: createMemoryAccountDirectory({ known: { o1: 'user-1' } }) });
    const id = await created(s);
    s.clock.now += 120_000;
    expect(await s.service.status(id)).toMatchObject({ ok: true, view: { status: 'expired' } });
    expect(await s.service.scan(id, 'o1', 'SCAN')).toMatchObject({ ok: true, result: { outcome: 'unchanged', view: { status: 'expired', userId: null } } });
    // Without a poll first, the scan itself finds the scene expired.
    const other = await created(s);
    s.clock.now += 120_000;
    expect(await s.service.scan(other, 'o1', 'SCAN')).toMatchObject({ ok: true, result: { outcome: 'changed', view: { status: 'expired', userId: null } } });
    // Gone from the store after the grace period.
    s.clock.now += 121_000;
    expect(await s.service.status(id)).toEqual({ ok: true, view: null });
  });

  it('lets two instances racing on one scene log it in exactly once', async () => {
    const clock = { now: 1_700_000_000_000 };
    const store = createMemorySceneStore({ now: () => clock.now });
    const accounts = createMemoryAccountDirectory({ known: { oA: 'user-A', oB: 'user-B' } });
    const a = site({ store, accounts, clock });
    const b = site({ store, accounts, clock });
    const id = await created(a);
    const [ra, rb] = await Promise.all([a.service.scan(id, 'oA', 'SCAN'), b.service.scan(id, 'oB', 'SCAN')]);
    const final = await b.service.status(id);
    if (!ra.ok || !rb.ok || !final.ok || final.view === null) throw new Error('expected answers');
    expect(final.view.status).toBe('loggedIn');
    expect(['oA', 'oB']).toContain(final.view.openid);
    expect(final.view.userId).toBe(final.view.openid === 'oA' ? 'user-A' : 'user-B');
    // Both instances report the one winner: neither saw its own scan log someone else in.
    for (const r of [ra, rb]) {
      if (r.result.outcome === 'unknown') throw new Error('scene vanished');
      expect(r.result.view.openid).toBe(final.view.openid);
    }
  });

  it('shows scanned to other instances while the lookup runs, and finishes a stranded lookup on the next event', async () => {
    const clock = { now: 1_700_000_000_000 };
    const store = createMemorySceneStore({ now: () => clock.now });
    const never: AccountDirectory = {
      findByOpenid: () => new Promise(() => undefined),
      bindPhone: () => new Promise(() => undefined),
    };
    // Instance A's account lookup hangs (think: the process dies mid-request).
    const a = createSceneLoginService({
      store,
      accounts: never,
      platformClient: stubPlatform().platform,
      appId: 'wx1',
      now: () => clock.now,
      settleTimeoutMs: 30,
    });
    const b = site({ store, clock, accounts: createMemoryAccountDirectory({ known: { o1: 'user-1' } }) });
    const made = await a.create();
    if (!made.ok) throw new Error('create failed');
    const id = made.scene.sceneId;
    expect(await a.scan(id, 'o1', 'SCAN')).toMatchObject({ ok: true, result: { outcome: 'changed', view: { status: 'scanned' } } });
    expect(await b.service.status(id)).toMatchObject({ ok: true, view: { status: 'scanned', openid: 'o1' } });
    // The platform redelivers the callback to B: B finishes the lookup first, then ignores the replay.
    expect(await b.service.scan(id, 'o1', 'SCAN')).toMatchObject({ ok: true, result: { outcome: 'changed', view: { status: 'loggedIn', userId: 'user-1' } } });
  });

  it('answers a store error value when the store is down', async () => {
    const down: SceneStore = {
      ...createMemorySceneStore(),
      readScene: async () => {
        throw new Error('connection refused');
      },
    };
    const s = site({ store: down });
    expect(await s.service.status('abc')).toMatchObject({ ok: false, error: { code: 'store' } });
    expect(await s.service.scan('abc', 'o1', 'SCAN')).toMatchObject({ ok: false, error: { code: 'store' } });
  });
});
