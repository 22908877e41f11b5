import { describe, expect, it } from 'vitest';
import { encodeCallbackXml, encodeSceneScanXml, type FollowKind } from '../../../src/codecs/scene.js';
import { createCallbackHandler, type CallbackNote } from '../../../src/scene/callback.js';
import type { SceneLoginService } from '../../../src/scene/scene-service.js';
import { callbackSignature } from '../../../src/scene/signature.js';

const TOKEN = 'callbackToken42';

function signedQuery(extra: Record<string, string> = {}, token = TOKEN): URLSearchParams {
  const timestamp = '1700000000';
  const nonce = '98765';
  return new URLSearchParams({ signature: callbackSignature(token, timestamp, nonce), timestamp, nonce, ...extra });
}

function harness(answer: Awaited<ReturnType<SceneLoginService['scan']>> = { ok: true, result: { outcome: 'unknown' } }) {
  const scans: { sceneId: string; openid: string; follow: FollowKind }[] = [];
  const notes: CallbackNote[] = [];
  const handler = createCallbackHandler({
    token: TOKEN,
    service: {
      scan: async (sceneId, openid, follow) => {
        scans.push({ sceneId, openid, follow });
        return answer;
      },
    },
    onNote: (n) => notes.push(n),
  });
  return { handler, scans, notes };
}

const scanXml = (follow: FollowKind = 'subscribe'): string =>
  encodeSceneScanXml({ follow, sceneId: 'scene_1', openid: 'oUser', toUserName: 'gh_1', createTime: 1700000000, ticket: 'T' });

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
    });
    expect(await handler({ method: 'POST', query: signedQuery(), body: scanXml() })).toMatchObject({ status: 200, body: 'success' });
  });
});
