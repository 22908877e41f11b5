import { describe, expect, it } from 'vitest';
import { encodeCallbackXml, encodeSceneScanXml, type FollowKind } from '../../../src/codecs/scene.js';
import { createCallbackHandler, type CallbackHandlerOptions, type CallbackNote } from '../../../src/scene/callback.js';
import { SceneStoreError } from '../../../src/scene/store.js';
import type { SceneLoginService } from '../../../src/scene/scene-service.js';
import { callbackSignature } from '../../../src/scene/signature.js';

const TOKEN = 'callbackToken42';
/** The site's clock in these tests: the platform's timestamps below are read against it. */
const NOW_S = 1_700_000_000;

function signedQuery(extra: Record<string, string> = {}, token = TOKEN, timestamp = String(NOW_S), nonce = '98765'): URLSearchParams {
  return new URLSearchParams({ signature: callbackSignature(token, timestamp, nonce), timestamp, nonce, ...extra });
}

type ScanAnswer = Awaited<ReturnType<SceneLoginService['scan']>>;

function harness(
  answer: ScanAnswer | (() => ScanAnswer) = { ok: true, result: { outcome: 'unknown' } },
  extra: Partial<CallbackHandlerOptions> = {},
) {
  const scans: { sceneId: string; openid: string; follow: FollowKind }[] = [];
  const notes: CallbackNote[] = [];
  const clock = { ms: NOW_S * 1000 };
  const handler = createCallbackHandler({
    token: TOKEN,
    service: {
      scan: async (sceneId, openid, follow) => {
        scans.push({ sceneId, openid, follow });
        return typeof answer === 'function' ? answer() : answer;
      },
    },
    onNote: (n) => notes.push(n),
    now: () => clock.ms,
    ...extra,
  });
  return { handler, scans, notes, clock };
}

const scanXml = (follow: FollowKind = 'subscribe', openid = 'oUser'): string =>
  encodeSceneScanXml({ follow, sceneId: 'scene_1', openid, toUserName: 'gh_1', createTime: NOW_S, ticket: 'T' });

describe('callback handler: GET verification', () => {
  it('echoes echostr for a valid signature', async () => {
    const { handler, notes } = harness();
    const res = await handler({ method: 'GET', query: signedQuery({ echostr: '5837397520632386234' }) });
    expect(res).toMatchObject({ status: 200, body: '5837397520632386234' });
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(notes).toEqual([{ kind: 'verified' }]);
  });

  it('refuses a wrong, missing or doubled signature with 403 and echoes nothing', async () => {
    const { handler } = harness();
    const wrongToken = await handler({ method: 'GET', query: signedQuery({ echostr: 'e' }, 'otherToken') });
    expect(wrongToken).toMatchObject({ status: 403 });
    expect(wrongToken.body).not.toContain('e\n');
    expect(await handler({ method: 'GET', query: new URLSearchParams({ echostr: 'e' }) })).toMatchObject({ status: 403 });
    const doubled = signedQuery({ echostr: 'e' });
    doubled.append('signature', 'x');
    expect(await handler({ method: 'GET', query: doubled })).toMatchObject({ status: 403 });
  });
});

describe('callback handler: POST events', () => {
  it('hands a signed scene scan to the service and answers success', async () => {
    const { handler, scans, notes } = harness({ ok: true, result: { outcome: 'unknown' } });
    const res = await handler({ method: 'POST', query: signedQuery({ openid: 'oUser' }), body: scanXml('subscribe') });
    expect(res).toMatchObject({ status: 200, body: 'success' });
    expect(scans).toEqual([{ sceneId: 'scene_1', openid: 'oUser', follow: 'subscribe' }]);
    // An unknown scene is answered politely: the platform must not retry it.
    expect(notes).toEqual([{ kind: 'scan', sceneId: 'scene_1', follow: 'subscribe', outcome: 'unknown' }]);
  });

  it('checks the signature before reading the body: unsigned or badly signed → 403, no scan', async () => {
    const { handler, scans, notes } = harness();
    expect(await handler({ method: 'POST', query: new URLSearchParams(), body: scanXml() })).toMatchObject({ status: 403 });
    expect(await handler({ method: 'POST', query: signedQuery({}, 'guess'), body: scanXml() })).toMatchObject({ status: 403 });
    // Even a body that would not parse gets 403, not 400: nothing about it was looked at.
    expect(await handler({ method: 'POST', query: new URLSearchParams(), body: '<<<' })).toMatchObject({ status: 403 });
    expect(scans).toEqual([]);
    expect(notes.every((n) => n.kind === 'rejected')).toBe(true);
  });

  it('answers success and does nothing for events that are not scene scans', async () => {
    const { handler, scans, notes } = harness();
    const unfollow = encodeCallbackXml({ toUserName: 'gh', fromUserName: 'oUser', createTime: 1, msgType: 'event', event: 'unsubscribe' });
    expect(await handler({ method: 'POST', query: signedQuery(), body: unfollow })).toMatchObject({ status: 200, body: 'success' });
    expect(scans).toEqual([]);
    expect(notes).toEqual([{ kind: 'ignored', msgType: 'event', event: 'unsubscribe' }]);
  });

  it('answers 400 to a signed body that is not the event XML', async () => {
    const { handler, scans, notes } = harness();
    expect(await handler({ method: 'POST', query: signedQuery(), body: '<xml><ToUserName>gh</ToUserName></xml>' })).toMatchObject({ status: 400 });
    expect(scans).toEqual([]);
    expect(notes).toEqual([{ kind: 'badBody', path: 'xml.FromUserName' }]);
  });

  it('answers 500 when the service cannot store the scan, so the platform redelivers', async () => {
    const { handler } = harness({ ok: false, error: { code: 'store', endpoint: 'store', message: 'down' } });
    expect(await handler({ method: 'POST', query: signedQuery(), body: scanXml('SCAN') })).toMatchObject({ status: 500 });
  });

  it('refuses other methods', async () => {
    const { handler } = harness();
    expect(await handler({ method: 'PUT', query: signedQuery(), body: scanXml() })).toMatchObject({ status: 405 });
  });

  it('keeps answering when the host logger throws', async () => {
    const handler = createCallbackHandler({
      token: TOKEN,
      service: { scan: async () => ({ ok: true, result: { outcome: 'unknown' } }) },
      onNote: () => {
        throw new Error('logger down');
      },
      now: () => NOW_S * 1000,
    });
    expect(await handler({ method: 'POST', query: signedQuery(), body: scanXml() })).toMatchObject({ status: 200, body: 'success' });
  });
});

describe('callback handler: stale and reused signatures', () => {
  it('refuses a timestamp more than five minutes from the site clock, either way, before looking at the body', async () => {
    const { handler, scans, notes } = harness();
    const at = (offsetS: number, nonce: string): URLSearchParams => signedQuery({}, TOKEN, String(NOW_S + offsetS), nonce);
    expect(await handler({ method: 'POST', query: at(-301, '1'), body: scanXml() })).toMatchObject({ status: 403 });
    expect(await handler({ method: 'POST', query: at(301, '2'), body: scanXml() })).toMatchObject({ status: 403 });
    expect(await handler({ method: 'POST', query: at(-301, '3'), body: '<<<' })).toMatchObject({ status: 403 });
    expect(scans).toEqual([]);
    expect(await handler({ method: 'POST', query: at(-300, '4'), body: scanXml() })).toMatchObject({ status: 200 });
    expect(await handler({ method: 'POST', query: at(300, '5'), body: scanXml() })).toMatchObject({ status: 200 });
    expect(scans).toHaveLength(2);
    expect(notes.slice(0, 3)).toEqual([
      { kind: 'rejected', reason: 'stale' },
      { kind: 'rejected', reason: 'stale' },
      { kind: 'rejected', reason: 'stale' },
    ]);
  });

  it('refuses a signed timestamp that is not whole seconds', async () => {
    const { handler, scans } = harness();
    for (const timestamp of ['', '1700000000.5', '-1', '0x6553f100', ' 1700000000']) {
      expect(await handler({ method: 'POST', query: signedQuery({}, TOKEN, timestamp), body: scanXml() })).toMatchObject({ status: 403 });
    }
    expect(scans).toEqual([]);
  });

  it('does not echo a stale URL verification', async () => {
    const { handler, notes } = harness();
    const res = await handler({ method: 'GET', query: signedQuery({ echostr: 'e42' }, TOKEN, String(NOW_S - 3600)) });
    expect(res).toMatchObject({ status: 403 });
    expect(res.body).not.toContain('e42');
    expect(notes).toEqual([{ kind: 'rejected', reason: 'stale' }]);
  });

  it('takes any timestamp when maxSkewSeconds is Infinity, and refuses a negative or NaN window', async () => {
    const { handler, scans } = harness(undefined, { maxSkewSeconds: Infinity });
    expect(await handler({ method: 'POST', query: signedQuery({}, TOKEN, '1'), body: scanXml() })).toMatchObject({ status: 200 });
    expect(scans).toHaveLength(1);
    expect(() => harness(undefined, { maxSkewSeconds: -1 })).toThrow(TypeError);
    expect(() => harness(undefined, { maxSkewSeconds: Number.NaN })).toThrow(TypeError);
  });

  it('refuses a genuine signature that comes back with another body, and the scan in it never reaches the service', async () => {
    const { handler, scans, notes } = harness();
    const query = signedQuery({}, TOKEN, String(NOW_S), '777');
    expect(await handler({ method: 'POST', query, body: scanXml('SCAN', 'oUser') })).toMatchObject({ status: 200 });
    expect(await handler({ method: 'POST', query, body: scanXml('SCAN', 'oAttacker') })).toMatchObject({ status: 403 });
    expect(scans.map((s) => s.openid)).toEqual(['oUser']);
    expect(notes.at(-1)).toEqual({ kind: 'rejected', reason: 'reused' });
  });

  it('lets the platform redeliver the same body under the same signature, also after a 500', async () => {
    let failNext = true;
    const { handler, scans } = harness((): ScanAnswer => {
      if (!failNext) return { ok: true, result: { outcome: 'unknown' } };
      failNext = false;
      return { ok: false, error: { code: 'store', endpoint: 'store', message: 'down' } };
    });
    const query = signedQuery({}, TOKEN, String(NOW_S), '778');
    expect(await handler({ method: 'POST', query, body: scanXml() })).toMatchObject({ status: 500 });
    expect(await handler({ method: 'POST', query, body: scanXml() })).toMatchObject({ status: 200, body: 'success' });
    expect(await handler({ method: 'POST', query, body: scanXml() })).toMatchObject({ status: 200, body: 'success' });
    expect(scans).toHaveLength(3);
  });

  it('forgets a signature once its timestamp has left the window (the clock refuses it from then on)', async () => {
    const { handler, scans, clock } = harness();
    const query = signedQuery({}, TOKEN, String(NOW_S), '779');
    expect(await handler({ method: 'POST', query, body: scanXml('SCAN', 'oUser') })).toMatchObject({ status: 200 });
    clock.ms += 301_000;
    expect(await handler({ method: 'POST', query, body: scanXml('SCAN', 'oAttacker') })).toMatchObject({ status: 403 });
    expect(scans.map((s) => s.openid)).toEqual(['oUser']);
  });

  it('answers 500 without scanning when the replay guard cannot answer, so the platform redelivers', async () => {
    const { handler, scans, notes } = harness(undefined, {
      replays: {
        check: async () => {
          throw new SceneStoreError('putIfAbsent', new Error('ECONNREFUSED'));
        },
      },
    });
    expect(await handler({ method: 'POST', query: signedQuery(), body: scanXml() })).toMatchObject({ status: 500, body: 'retry' });
    expect(scans).toEqual([]);
    expect(notes).toEqual([{ kind: 'failed', code: 'store' }]);
  });
});
