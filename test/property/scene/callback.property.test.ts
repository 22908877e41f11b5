import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeSceneScanXml } from '../../../src/codecs/scene.js';
import { createMemoryAccountDirectory, type AccountDirectory } from '../../../src/scene/accounts.js';
import { createCallbackHandler } from '../../../src/scene/callback.js';
import { createMemorySceneStore } from '../../../src/scene/memory-store.js';
import type { PlatformClient } from '../../../src/scene/platform.js';
import { createSceneLoginService } from '../../../src/scene/scene-service.js';
import { callbackSignature } from '../../../src/scene/signature.js';
import type { SceneStore } from '../../../src/scene/store.js';

const TOKEN = 'siteToken7';

const platform: PlatformClient = {
  fetchToken: async () => ({ ok: true, grant: { accessToken: 'AT', expiresIn: 7200 } }),
  createQrCode: async (input) => ({
    ok: true,
    qr: { ticket: `t-${input.sceneId}`, url: `http://weixin.qq.com/q/${input.sceneId}`, expireSeconds: input.expireSeconds },
    imageUrl: 'https://mp.example/showqrcode',
  }),
};

async function site(
  store: SceneStore = createMemorySceneStore(),
  accounts: AccountDirectory = createMemoryAccountDirectory({ known: { oKnown: 'user-1' } }),
) {
  const service = createSceneLoginService({
    store,
    accounts,
    platformClient: platform,
    appId: 'wx1',
  });
  // The site's clock follows the platform's: each callback below is sent "now".
  const clock = { ms: 0 };
  const handler = createCallbackHandler({ token: TOKEN, service, now: () => clock.ms });
  const made = await service.create();
  if (!made.ok) throw new Error('create failed');
  return { service, handler, store, sceneId: made.scene.sceneId, clock };
}

/** How a forged or broken callback differs from a genuine one. */
type Forgery =
  | { kind: 'none' }
  | { kind: 'wrongToken'; token: string }
  | { kind: 'noSignature' }
  | { kind: 'randomSignature'; hex: string }
  | { kind: 'tamperedTimestamp' }
  | { kind: 'tamperedNonce' };

const forgery: fc.Arbitrary<Forgery> = fc.oneof(
  fc.record({ kind: fc.constant('wrongToken' as const), token: fc.string({ minLength: 1, maxLength: 12 }).filter((t) => t !== TOKEN) }),
  fc.constant({ kind: 'noSignature' as const }),
  fc.record({ kind: fc.constant('randomSignature' as const), hex: fc.stringMatching(/^[0-9a-f]{40}$/) }),
  fc.constant({ kind: 'tamperedTimestamp' as const }),
  fc.constant({ kind: 'tamperedNonce' as const }),
);

function query(f: Forgery, timestamp: string, nonce: string): URLSearchParams {
  const signature = callbackSignature(f.kind === 'wrongToken' ? f.token : TOKEN, timestamp, nonce);
  switch (f.kind) {
    case 'none':
    case 'wrongToken':
      return new URLSearchParams({ signature, timestamp, nonce });
    case 'noSignature':
      return new URLSearchParams({ timestamp, nonce });
    case 'randomSignature':
      return new URLSearchParams({ signature: f.hex, timestamp, nonce });
    case 'tamperedTimestamp':
      return new URLSearchParams({ signature, timestamp: `${timestamp}1`, nonce });
    case 'tamperedNonce':
      return new URLSearchParams({ signature, timestamp, nonce: `${nonce}x` });
  }
}

const callback = fc.record({
  forgery: fc.oneof(fc.constant<Forgery>({ kind: 'none' }), forgery),
  openid: fc.constantFrom('oKnown', 'oStranger'),
  follow: fc.constantFrom('subscribe' as const, 'SCAN' as const),
  timestamp: fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }).map(String),
  nonce: fc.integer({ min: 0, max: 2 ** 31 }).map(String),
  // Sign with the timestamp and nonce of an earlier genuine callback (its URL seen and reused).
  reuse: fc.option(fc.nat(), { nil: null }),
});

describe('callback properties', () => {
  it('a callback without a valid signature, or with a seen signature and another body, never changes a scene', async () => {
    // Invariant: for any sequence of genuine, forged and reused callbacks, the stored scene
    // (version and data) changes only on genuine ones with a signature not seen before with
    // another body; every forged or reused one is answered 403, every other genuine one 200.
    await fc.assert(
      fc.asyncProperty(fc.array(callback, { minLength: 1, maxLength: 8 }), async (calls) => {
        const { handler, store, sceneId, clock } = await site();
        const genuine: { timestamp: string; nonce: string }[] = [];
        const firstBody = new Map<string, string>();
        for (const c of calls) {
          const earlier = c.reuse === null || genuine.length === 0 ? null : genuine[c.reuse % genuine.length]!;
          const { timestamp, nonce } = earlier ?? c;
          // A reuse comes within the window (else the clock alone would refuse it).
          clock.ms = (earlier === null ? Number(c.timestamp) : Number(earlier.timestamp) + (Number(c.nonce) % 301)) * 1000;
          const before = await store.readScene(sceneId);
          const body = encodeSceneScanXml({ follow: c.follow, sceneId, openid: c.openid, toUserName: 'gh', createTime: 1, ticket: null });
          const res = await handler({ method: 'POST', query: query(c.forgery, timestamp, nonce), body });
          const after = await store.readScene(sceneId);
          const key = `${timestamp}:${nonce}`;
          const reused = firstBody.has(key) && firstBody.get(key) !== body;
          if (c.forgery.kind !== 'none' || reused) {
            expect(res.status).toBe(403);
            expect(after).toEqual(before);
          } else {
            expect(res.status).toBe(200);
            if (!firstBody.has(key)) firstBody.set(key, body);
            genuine.push({ timestamp, nonce });
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('forged callbacks alone leave every scene pending', async () => {
    // Invariant: without the token nobody can move a scene out of pending through the callback.
    await fc.assert(
      fc.asyncProperty(fc.array(callback.map((c) => ({ ...c, forgery: c.forgery.kind === 'none' ? ({ kind: 'noSignature' } as const) : c.forgery })), { maxLength: 6 }), async (calls) => {
        const { handler, service, sceneId } = await site();
        for (const c of calls) {
          const body = encodeSceneScanXml({ follow: c.follow, sceneId, openid: c.openid, toUserName: 'gh', createTime: 1, ticket: null });
          await handler({ method: 'POST', query: query(c.forgery, c.timestamp, c.nonce), body });
        }
        expect(await service.status(sceneId)).toMatchObject({ ok: true, view: { status: 'pending', openid: null } });
      }),
      { numRuns: 80 },
    );
  });

  it('two instances sharing a store agree on one login, whatever interleaving of genuine events', async () => {
    // Invariant: every state ever written for the scene, once loggedIn, names the same follower,
    // and the account database is asked to bind at most one phone number for the scene.
    await fc.assert(
      fc.asyncProperty(
        // Rounds run one after another; the steps of a round run at once on either instance.
        fc.array(
          fc.array(
            fc.record({
              instance: fc.constantFrom(0, 1),
              kind: fc.constantFrom('scan', 'bind', 'poll'),
              openid: fc.constantFrom('oKnown', 'oNew1', 'oNew2'),
              phone: fc.constantFrom('13800138000', '13900139000'),
            }),
            { minLength: 1, maxLength: 3 },
          ),
          { minLength: 1, maxLength: 5 },
        ),
        async (rounds) => {
          const inner = createMemorySceneStore();
          const written: string[] = [];
          const recording: SceneStore = {
            ...inner,
            replaceScene: async (id, version, data, deleteAt) => {
              const ok = await inner.replaceScene(id, version, data, deleteAt);
              if (ok) written.push(data);
              return ok;
            },
          };
          // One account database behind both instances, recording every binding it is asked for.
          const directory = createMemoryAccountDirectory({ known: { oKnown: 'user-1' } });
          const bindings = new Set<string>();
          const accounts: AccountDirectory = {
            findByOpenid: (openid) => directory.findByOpenid(openid),
            bindPhone: (openid, phone) => {
              bindings.add(`${openid}/${phone}`);
              return directory.bindPhone(openid, phone);
            },
          };
          const a = await site(recording, accounts);
          const b = createSceneLoginService({ store: recording, accounts, platformClient: platform, appId: 'wx1' });
          const services = [a.service, b];
          for (const round of rounds) {
            await Promise.all(
              round.map((s) => {
                const svc = services[s.instance]!;
                if (s.kind === 'scan') return svc.scan(a.sceneId, s.openid, 'SCAN');
                if (s.kind === 'bind') return svc.bind(a.sceneId, s.phone);
                return svc.status(a.sceneId);
              }),
            );
          }
          const loggedIn = written
            .map((d) => (JSON.parse(d) as { snapshot: { value: unknown; context: { openid: string; userId: string } } }).snapshot)
            .filter((s) => s.value === 'loggedIn');
          const who = new Set(loggedIn.map((s) => `${s.context.openid}/${s.context.userId}`));
          expect(who.size).toBeLessThanOrEqual(1);
          // An instance that loses a race must not have bound anything: one scene, one binding asked.
          expect(bindings.size).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 100 },
    );
  });
});
