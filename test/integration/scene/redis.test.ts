import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AccountDirectory } from '../../../src/scene/accounts.js';
import { createSceneBackend } from '../../../src/scene/backend.js';
import { startSceneExampleServer } from '../../../src/scene/example-server.js';
import { createRedisAccountDirectory } from '../../../src/scene/redis-accounts.js';
import { createRedisSceneStore } from '../../../src/scene/redis-store.js';
import { storeReplayGuard } from '../../../src/scene/replay-guard.js';
import { encodeSceneScanXml } from '../../../src/codecs/scene.js';
import { callbackSignature } from '../../../src/scene/signature.js';
import { describeReplayGuardContract } from '../../unit/scene/replay-guard-contract.js';
import { describeSceneStoreContract } from '../../unit/scene/store-contract.js';
import {
  CALLBACK_TOKEN,
  newScene,
  poll,
  pollUntil,
  postJson,
  REDIS_URL,
  redisAvailable,
  redisNamespace,
  startInstance,
  startSimulator,
} from './helpers.js';

// CI starts Redis (.ci/run); elsewhere these tests run when one answers on REDIS_URL.
const available = await redisAvailable();
const run = available || process.env['CI'] === 'true';

describe.runIf(run)('Redis scene store', () => {
  describeSceneStoreContract('redis', async () => {
    const ns = redisNamespace();
    const store = createRedisSceneStore({ url: REDIS_URL, prefix: ns.prefix });
    return {
      store,
      now: () => Date.now(),
      advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      async dispose() {
        await store.close();
        await ns.cleanup();
      },
    };
  });

  describeReplayGuardContract('on the Redis store', async () => {
    const ns = redisNamespace();
    const store = createRedisSceneStore({ url: REDIS_URL, prefix: ns.prefix });
    return {
      guard: storeReplayGuard(store),
      advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      async dispose() {
        await store.close();
        await ns.cleanup();
      },
    };
  });

  it('answers a store error, not a hang or a crash, when Redis is unreachable', async () => {
    const store = createRedisSceneStore({ url: 'redis://127.0.0.1:1', prefix: 'unused:' });
    try {
      const failure = await store.readScene('x').then(
        () => null,
        (err: unknown) => err as { code: string; message: string },
      );
      expect(failure?.code).toBe('store');
      expect(failure?.message).toMatch(/^scene store: readScene failed/);
      expect(failure?.message).not.toContain('127.0.0.1');
    } finally {
      await store.close();
    }
  });
});

describe.runIf(run)('Redis account directory', () => {
  const ns = redisNamespace();
  let client: Redis;
  beforeAll(() => {
    client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await ns.cleanup();
    await client.quit();
  });

  it('binds a phone once, keeps the user on rebinding, and refuses a phone taken by another follower', async () => {
    const accounts = createRedisAccountDirectory({ client, prefix: ns.prefix });
    expect(await accounts.findByOpenid('oA')).toEqual({ ok: true, userId: null });
    const first = await accounts.bindPhone('oA', '13800138000');
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(await accounts.bindPhone('oA', '13800138000')).toEqual(first);
    expect(await accounts.findByOpenid('oA')).toEqual({ ok: true, userId: first.userId });
    expect(await accounts.bindPhone('oB', '13800138000')).toMatchObject({ ok: false, error: { code: 'phoneTaken' } });
    expect(await accounts.findByOpenid('oB')).toEqual({ ok: true, userId: null });
    // No phone number in any key or value.
    const keys = await client.keys(`${ns.prefix}*`);
    const values = await Promise.all(keys.filter((k) => k.includes(':openid:')).map((k) => client.get(k)));
    expect(values.join(' ')).not.toContain('13800138000');
  });
});

describe.runIf(run)('two example servers sharing one Redis', () => {
  const ns = redisNamespace();
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.reverse()) await close();
    closers.length = 0;
    await ns.cleanup();
  });

  it('the callback lands on A, the poll on B sees scanned and then loggedIn; one token for both', async () => {
    const sim = await startSimulator();
    closers.push(() => sim.close());

    // Instance A: built from the parts, with an account lookup held open until the test lets go,
    // so that "scanned" is observable from the other instance.
    const clientA = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    closers.push(async () => void (await clientA.quit()));
    const redisAccounts = createRedisAccountDirectory({ client: clientA, prefix: ns.prefix });
    let release: () => void = () => undefined;
    let gate: Promise<void> = Promise.resolve();
    const gated: AccountDirectory = {
      findByOpenid: async (openid) => {
        await gate;
        return redisAccounts.findByOpenid(openid);
      },
      bindPhone: (openid, phone) => redisAccounts.bindPhone(openid, phone),
    };
    const a = await startInstance({ sim, store: createRedisSceneStore({ client: clientA, prefix: ns.prefix }), accounts: gated });
    closers.push(() => a.server.close());

    // Instance B: wired exactly as `webwx scene-demo --redis` wires it.
    const backend = createSceneBackend({
      platform: { appId: sim.world.appId, appSecret: sim.world.appSecret, apiBaseUrl: sim.origin, showQrBaseUrl: sim.origin },
      redisUrl: REDIS_URL,
      redisPrefix: ns.prefix,
    });
    closers.push(() => backend.close());
    const b = await startSceneExampleServer({ service: backend.service, callbackToken: CALLBACK_TOKEN });
    closers.push(() => b.close());
    expect(a.server.port).not.toBe(b.port);

    // The platform knows only A's callback URL.
    sim.point(a);

    // Both instances start cold and create scenes at once: one token between them.
    const [fromB, fromA] = await Promise.all([newScene(b.origin), newScene(a.server.origin)]);
    expect(sim.world.tokenCalls).toBe(1);
    // Scenes made on one instance are visible on the other.
    expect(await poll(a.server.origin, fromB.sceneId)).toMatchObject({ status: 200, body: { status: 'pending' } });
    expect(await poll(b.origin, fromA.sceneId)).toMatchObject({ status: 200, body: { status: 'pending' } });

    gate = new Promise((resolve) => {
      release = resolve;
    });
    const scanning = sim.scan({ sceneId: fromB.sceneId });
    const scanned = await pollUntil(b.origin, fromB.sceneId, (body) => body['status'] === 'scanned');
    expect(scanned.body['openid']).toMatch(/^o/);
    release();
    const scan = await scanning;
    expect(scan).toMatchObject({ ok: true, follow: 'subscribe', deliveries: [{ status: 200, body: 'success' }] });
    if (!scan.ok) return;
    expect(await poll(b.origin, fromB.sceneId)).toMatchObject({ body: { status: 'needsBinding', openid: scan.openid } });

    // The phone is bound through B; A sees the login.
    const bound = await postJson(`${b.origin}/login/scene/${fromB.sceneId}/bind`, { phone: '13700137000' });
    expect(bound).toMatchObject({ status: 200, body: { status: 'loggedIn', openid: scan.openid } });
    expect(await poll(a.server.origin, fromB.sceneId)).toMatchObject({ body: { status: 'loggedIn', userId: bound.body['userId'] } });

    // Next time the follower scans A's scene (callback on A): B's poll sees the login straight away,
    // because the binding made through B lives in Redis too.
    const rescan = await sim.scan({ sceneId: fromA.sceneId, openid: scan.openid });
    expect(rescan).toMatchObject({ ok: true, follow: 'SCAN' });
    expect(await poll(b.origin, fromA.sceneId)).toMatchObject({ body: { status: 'loggedIn', openid: scan.openid, userId: bound.body['userId'] } });

    // Scenes expire with their QR: the key carries a TTL of the QR lifetime plus the grace period.
    const ttl = await clientA.pttl(`${ns.prefix}scene:${fromA.sceneId}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual((300 + 120) * 1000);
    // The cached token is in Redis, with a TTL, and appears nowhere else.
    expect(await clientA.pttl(`${ns.prefix}token:${sim.world.appId}`)).toBeGreaterThan(0);
  });

  it('a genuine callback on A, its signature reused on B with another openid: B refuses it and the scene keeps the genuine follower', async () => {
    const sim = await startSimulator();
    closers.push(() => sim.close());
    // Both instances wired as `webwx scene-demo --redis` wires them: the guard on the shared store.
    const backends = [0, 1].map(() =>
      createSceneBackend({
        platform: { appId: sim.world.appId, appSecret: sim.world.appSecret, apiBaseUrl: sim.origin, showQrBaseUrl: sim.origin },
        redisUrl: REDIS_URL,
        redisPrefix: ns.prefix,
      }),
    );
    const [a, b] = await Promise.all(
      backends.map(async (backend) => {
        closers.push(() => backend.close());
        const server = await startSceneExampleServer({ service: backend.service, callbackToken: CALLBACK_TOKEN, replays: backend.replays });
        closers.push(() => server.close());
        return server;
      }),
    );
    const scene = await newScene(a!.origin);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = '31337';
    const url = (origin: string): string =>
      `${origin}/wechat/callback?${new URLSearchParams({ signature: callbackSignature(CALLBACK_TOKEN, timestamp, nonce), timestamp, nonce }).toString()}`;
    const scanBy = (openid: string): string =>
      encodeSceneScanXml({ follow: 'subscribe', sceneId: scene.sceneId, openid, toUserName: 'gh', createTime: Number(timestamp), ticket: null });

    const genuine = await fetch(url(a!.origin), { method: 'POST', body: scanBy('oGenuine') });
    expect(genuine.status).toBe(200);
    const reused = await fetch(url(b!.origin), { method: 'POST', body: scanBy('oAttacker') });
    expect(reused.status).toBe(403);
    // The platform redelivering the genuine one to B is still fine.
    expect((await fetch(url(b!.origin), { method: 'POST', body: scanBy('oGenuine') })).status).toBe(200);
    expect(await poll(b!.origin, scene.sceneId)).toMatchObject({ body: { openid: 'oGenuine' } });
  });
});
