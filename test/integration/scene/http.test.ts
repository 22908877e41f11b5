import { afterEach, describe, expect, it } from 'vitest';
import got from 'got';
import { encodeSceneScanXml } from '../../../src/codecs/scene.js';
import { createMemoryAccountDirectory } from '../../../src/scene/accounts.js';
import { createMemorySceneStore } from '../../../src/scene/memory-store.js';
import { createPlatformClient } from '../../../src/scene/platform.js';
import { callbackSignature } from '../../../src/scene/signature.js';
import { CALLBACK_TOKEN, getJson, newScene, poll, postJson, startInstance, startSimulator, type Instance } from './helpers.js';

type Sim = Awaited<ReturnType<typeof startSimulator>>;
let closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

async function setup(options: Partial<Parameters<typeof startInstance>[0]> = {}): Promise<{ sim: Sim; site: Instance }> {
  const sim = await startSimulator();
  closers.push(() => sim.close());
  const site = await startInstance({ sim, ...options });
  closers.push(() => site.server.close());
  sim.point(site);
  return { sim, site };
}

function signedCallbackUrl(origin: string, token = CALLBACK_TOKEN, extra: Record<string, string> = {}): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = '424242';
  const q = new URLSearchParams({ signature: callbackSignature(token, timestamp, nonce), timestamp, nonce, ...extra });
  return `${origin}/wechat/callback?${q.toString()}`;
}

describe('scene login over HTTP with the platform simulator', () => {
  it('logs a new follower in after binding a phone, and the same follower directly next time', async () => {
    const { sim, site } = await setup();
    const origin = site.server.origin;
    const scene = await newScene(origin);
    expect(scene.sceneId).toMatch(/^[0-9A-Za-z_-]{22}$/);
    expect(scene.qrUrl.startsWith(`${sim.origin}/cgi-bin/showqrcode?ticket=`)).toBe(true);
    expect(scene.expiresAt).toBeGreaterThan(Date.now());
    // The simulator holds the QR for this very scene_str.
    expect([...sim.world.qrcodes.values()].map((q) => q.sceneStr)).toEqual([scene.sceneId]);
    expect(await poll(origin, scene.sceneId)).toMatchObject({ status: 200, body: { status: 'pending' } });

    const scan = await sim.scan({ sceneId: scene.sceneId });
    expect(scan).toMatchObject({ ok: true, follow: 'subscribe', deliveries: [{ status: 200, body: 'success' }] });
    if (!scan.ok) return;
    expect(await poll(origin, scene.sceneId)).toMatchObject({ status: 200, body: { status: 'needsBinding', openid: scan.openid } });

    expect(await postJson(`${origin}/login/scene/${scene.sceneId}/bind`, { phone: 'nope' })).toMatchObject({ status: 400, body: { error: { code: 'badPhone' } } });
    const bound = await postJson(`${origin}/login/scene/${scene.sceneId}/bind`, { phone: '13800138000' });
    expect(bound).toMatchObject({ status: 200, body: { status: 'loggedIn', openid: scan.openid } });
    expect(await poll(origin, scene.sceneId)).toMatchObject({ body: { status: 'loggedIn', openid: scan.openid, userId: bound.body['userId'] } });

    // Next login: an existing follower scans (SCAN, no prefix) and is in at once.
    const again = await newScene(origin);
    const rescan = await sim.scan({ sceneId: again.sceneId, openid: scan.openid });
    expect(rescan).toMatchObject({ ok: true, follow: 'SCAN' });
    expect(await poll(origin, again.sceneId)).toMatchObject({ body: { status: 'loggedIn', openid: scan.openid, userId: bound.body['userId'] } });
  });

  it('serves the page, the QR as SVG, and the platform QR image', async () => {
    const { site } = await setup();
    const origin = site.server.origin;
    const page = await fetch(`${origin}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain("fetch('/login/scene'");
    expect(html).toContain('setTimeout(poll, next)');
    expect(html).toContain('let next = 2000');
    const scene = await newScene(origin);
    const svg = await fetch(`${origin}/login/scene/${scene.sceneId}/qr.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await svg.text()).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const png = await fetch(scene.qrUrl);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await png.arrayBuffer()).subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(await getJson(`${origin}/login/scene/unknownScene123`)).toEqual({ status: 404, body: { status: 'unknown' } });
  });

  it('verifies the callback URL (GET) and refuses unsigned or forged events (POST) without a state change', async () => {
    const { site } = await setup();
    const origin = site.server.origin;
    const verify = await fetch(signedCallbackUrl(origin, CALLBACK_TOKEN, { echostr: 'echo-me-123' }));
    expect(verify.status).toBe(200);
    expect(await verify.text()).toBe('echo-me-123');
    expect((await fetch(signedCallbackUrl(origin, 'wrongToken', { echostr: 'x' }))).status).toBe(403);

    const scene = await newScene(origin);
    const xml = encodeSceneScanXml({ follow: 'SCAN', sceneId: scene.sceneId, openid: 'oAttacker', toUserName: 'gh', createTime: 1, ticket: null });
    for (const url of [`${origin}/wechat/callback`, signedCallbackUrl(origin, 'wrongToken')]) {
      const res = await fetch(url, { method: 'POST', body: xml, headers: { 'content-type': 'text/xml' } });
      expect(res.status).toBe(403);
    }
    expect(await poll(origin, scene.sceneId)).toMatchObject({ body: { status: 'pending' } });
    expect(site.log.filter((l) => l.includes('rejected (signature)'))).toHaveLength(3);
    // An unknown scene, properly signed, is answered politely.
    const unknown = encodeSceneScanXml({ follow: 'SCAN', sceneId: 'noSuchScene', openid: 'o1', toUserName: 'gh', createTime: 1, ticket: null });
    const polite = await fetch(signedCallbackUrl(origin), { method: 'POST', body: unknown });
    expect(polite.status).toBe(200);
    expect(await polite.text()).toBe('success');
  });

  it('treats the platform redelivering a callback as harmless', async () => {
    const { sim, site } = await setup({ accounts: createMemoryAccountDirectory({ known: { oFan: 'user-9' } }) });
    const scene = await newScene(site.server.origin);
    const scan = await sim.scan({ sceneId: scene.sceneId, openid: 'oFan', replays: 3 });
    expect(scan).toMatchObject({ ok: true, deliveries: [{ status: 200 }, { status: 200 }, { status: 200 }, { status: 200 }] });
    expect(await poll(site.server.origin, scene.sceneId)).toMatchObject({ body: { status: 'loggedIn', userId: 'user-9' } });
    expect(site.log.filter((l) => l.endsWith('→ changed'))).toHaveLength(1);
    expect(site.log.filter((l) => l.endsWith('→ unchanged'))).toHaveLength(3);
  });

  it('reports expired after the QR lifetime, and a scan arriving afterwards does not log in', async () => {
    let now = Date.now();
    const clock = (): number => now;
    const { sim, site } = await setup({
      now: clock,
      store: createMemorySceneStore({ now: clock }),
      accounts: createMemoryAccountDirectory({ known: { oFan: 'user-9' } }),
      expireSeconds: 60,
    });
    const scene = await newScene(site.server.origin);
    expect(scene.expiresAt).toBe(now + 60_000);
    now += 60_000;
    // The platform's own clock has not moved, so it still delivers the scan.
    const scan = await sim.scan({ sceneId: scene.sceneId, openid: 'oFan' });
    expect(scan).toMatchObject({ ok: true, deliveries: [{ status: 200, body: 'success' }] });
    expect(await poll(site.server.origin, scene.sceneId)).toMatchObject({ body: { status: 'expired' } });
    expect((await poll(site.server.origin, scene.sceneId)).body['openid']).toBeUndefined();
  });

  it('refreshes an expired token once and retries qrcode/create', async () => {
    const { sim, site } = await setup();
    await newScene(site.server.origin);
    expect(sim.world.tokenCalls).toBe(1);
    // The platform retires the token early (another tool fetched one, or the secret was reset).
    await postJson(`${sim.origin}/__sim/tokens`, { action: 'expire' });
    await newScene(site.server.origin);
    expect(sim.world.tokenCalls).toBe(2);
    expect(sim.world.qrcodeCalls).toBe(3);
    await newScene(site.server.origin);
    expect(sim.world.tokenCalls).toBe(2);
  });

  it('gives up after one refresh when the platform keeps refusing the token', async () => {
    const { sim, site } = await setup();
    await postJson(`${sim.origin}/__sim/fault`, { endpoint: 'qrcodeCreate', errcode: 40001, count: 2 });
    const res = await getJson(`${site.server.origin}/login/scene`);
    expect(res).toMatchObject({ status: 502, body: { error: { code: 'platform' } } });
    expect(String((res.body['error'] as { message: string }).message)).toContain('40001');
    expect(sim.world.tokenCalls).toBe(2);
    expect(sim.world.qrcodeCalls).toBe(2);
  });

  it('fetches one token for many scenes created at once', async () => {
    const { sim, site } = await setup();
    const scenes = await Promise.all(Array.from({ length: 6 }, () => newScene(site.server.origin)));
    expect(new Set(scenes.map((s) => s.sceneId)).size).toBe(6);
    expect(sim.world.tokenCalls).toBe(1);
  });

  it('never lets the appsecret or the access token out: not in answers, errors or logs', async () => {
    const { sim, site } = await setup();
    await newScene(site.server.origin);
    const tokens = [...sim.world.tokens.keys()];
    expect(tokens).toHaveLength(1);
    // The token is refused, and the refresh fails: every error path runs.
    await postJson(`${sim.origin}/__sim/tokens`, { action: 'revoke' });
    await postJson(`${sim.origin}/__sim/fault`, { endpoint: 'token', status: 500 });
    const failed = await getJson(`${site.server.origin}/login/scene`);
    expect(failed).toMatchObject({ status: 502, body: { error: { code: 'httpStatus', message: 'token: HTTP status 500' } } });
    const visible = JSON.stringify(failed.body) + site.log.join('\n') + JSON.stringify(sim.world.requests);
    for (const secret of [sim.world.appSecret, ...tokens]) expect(visible).not.toContain(secret);
  });
});

describe('platform client against the simulator', () => {
  it('maps refusals, HTTP failures, bad bodies and dead hosts to error values without secrets', async () => {
    const sim = await startSimulator();
    closers.push(() => sim.close());
    const signal = new AbortController().signal;
    const good = createPlatformClient({ appId: sim.world.appId, appSecret: sim.world.appSecret, apiBaseUrl: sim.origin, showQrBaseUrl: sim.origin });
    const token = await good.fetchToken(signal);
    expect(token).toMatchObject({ ok: true, grant: { expiresIn: 7200 } });

    const wrongSecret = createPlatformClient({ appId: sim.world.appId, appSecret: 'not-the-secret', apiBaseUrl: sim.origin });
    expect(await wrongSecret.fetchToken(signal)).toMatchObject({ ok: false, error: { code: 'platform', endpoint: 'token', errcode: 40125 } });

    expect(await good.createQrCode({ accessToken: 'forged', sceneId: 'abc', expireSeconds: 60 }, signal)).toMatchObject({
      ok: false,
      error: { code: 'platform', errcode: 40001 },
    });

    await postJson(`${sim.origin}/__sim/fault`, { endpoint: 'token', status: 503 });
    expect(await good.fetchToken(signal)).toEqual({ ok: false, error: { code: 'httpStatus', endpoint: 'token', status: 503, message: 'token: HTTP status 503' } });

    // A server that answers HTML where JSON belongs.
    const html = createPlatformClient({ appId: 'x', appSecret: 'SECRET_XYZ', apiBaseUrl: `${sim.origin}/nothing-here` });
    const bad = await html.fetchToken(signal);
    expect(bad).toMatchObject({ ok: false, error: { code: 'httpStatus', status: 404 } });

    const closed = await startSimulator();
    const deadOrigin = closed.origin;
    await closed.close();
    const dead = createPlatformClient({ appId: 'x', appSecret: 'SECRET_XYZ', apiBaseUrl: deadOrigin });
    const down = await dead.fetchToken(signal);
    expect(down).toMatchObject({ ok: false, error: { code: 'network', endpoint: 'token' } });
    expect(JSON.stringify(down)).not.toContain('SECRET_XYZ');

    const aborted = new AbortController();
    aborted.abort();
    expect(await good.fetchToken(aborted.signal)).toMatchObject({ ok: false, error: { code: 'aborted' } });
  });

  it('answers badResponse with a path for a malformed body', async () => {
    // A tiny server answering a token without expires_in.
    const { listen } = await import('../../../src/scene/http-kit.js');
    const server = await listen(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"access_token":"LEAKY_TOKEN"}');
    });
    closers.push(() => server.close());
    const client = createPlatformClient({ appId: 'x', appSecret: 'y', apiBaseUrl: server.origin });
    const answer = await client.fetchToken(new AbortController().signal);
    expect(answer).toMatchObject({ ok: false, error: { code: 'badResponse', endpoint: 'token', path: 'expires_in' } });
    expect(JSON.stringify(answer)).not.toContain('LEAKY_TOKEN');
  });
});

describe('simulator control API over HTTP', () => {
  it('scans by HTTP, refuses expired QR codes and unknown scenes, and reports its state without secrets', async () => {
    const { sim, site } = await setup();
    const scene = await newScene(site.server.origin);
    const scan = await postJson(`${sim.origin}/__sim/scan`, { sceneId: scene.sceneId, follow: 'SCAN', openid: 'oExisting1' });
    expect(scan).toMatchObject({ status: 200, body: { ok: true, follow: 'SCAN', openid: 'oExisting1' } });
    expect(await postJson(`${sim.origin}/__sim/scan`, { sceneId: 'neverMade' })).toMatchObject({ status: 409, body: { ok: false, reason: 'noSuchQr' } });
    expect(await postJson(`${sim.origin}/__sim/scan`, { follow: 'maybe' })).toMatchObject({ status: 400 });
    for (const qr of sim.world.qrcodes.values()) sim.world.qrcodes.set(qr.ticket, { ...qr, expiresAt: 0 });
    expect(await postJson(`${sim.origin}/__sim/scan`, { sceneId: scene.sceneId })).toMatchObject({ status: 409, body: { reason: 'qrExpired' } });
    const state = await got(`${sim.origin}/__sim/state`, { retry: { limit: 0 } }).json<Record<string, unknown>>();
    expect(state).toMatchObject({ tokenCalls: 1, qrcodeCalls: 1, followers: 1 });
    expect(JSON.stringify(state)).not.toContain(sim.world.appSecret);
  });
});
