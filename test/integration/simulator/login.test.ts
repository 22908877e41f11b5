/** The login side over real HTTP: jslogin, the QR image, the held login poll, newloginpage, push login. */
import jpeg from 'jpeg-js';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeJsLogin, decodeLoginPoll, decodeNewLoginPage, decodePushLogin, type Credentials } from '../../../src/codecs/login.js';
import { decodeSyncCheck } from '../../../src/codecs/sync.js';
import { qrText, startSimulator, WEB_FORBIDDEN_MESSAGE, type Simulator } from '../../../src/simulator/index.js';
import { QR_MARGIN_MODULES, QR_MODULE_PIXELS, qrModules } from '../../../src/simulator/qr.js';
import { APPID, CGI, login, SimClient, syncCheckPath } from './sim-client.js';

let sim: Simulator | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

async function start(options: Parameters<typeof startSimulator>[0] = {}): Promise<Simulator> {
  sim = await startSimulator({ hold: 400, contacts: 20, ...options });
  return sim;
}

const poll = (c: SimClient, uuid: string, tip: 0 | 1, loginicon = true): Promise<ReturnType<typeof decodeLoginPoll>> =>
  c.get(`${CGI}/login?loginicon=${loginicon}&uuid=${uuid}&tip=${tip}&r=-1&_=${Date.now()}`).then((a) => decodeLoginPoll(a.text));

describe('jslogin and the QR image', () => {
  it('issues a uuid by GET and by POST (wechat4u posts), as text/javascript', async () => {
    const s = await start();
    const c = new SimClient(s.origin);
    const get = await c.get(`/jslogin?appid=${APPID}&fun=new&lang=zh_CN&_=1`);
    expect(get.headers.get('content-type')).toBe('text/javascript');
    const post = await c.request('POST', `/jslogin?appid=${APPID}&fun=new&lang=zh-CN`);
    const a = decodeJsLogin(get.text);
    const b = decodeJsLogin(post.text);
    expect(a.code).toBe(200);
    expect(b.code).toBe(200);
    expect(a.uuid).not.toBe(b.uuid);
    expect(s.control.pendingUuids().map((u) => u.uuid)).toEqual([a.uuid, b.uuid]);
  });

  it('refuses an unknown appid and records the desktop (UOS) redirect', async () => {
    const s = await start();
    const c = new SimClient(s.origin);
    expect(decodeJsLogin((await c.get('/jslogin?appid=wx0000&fun=new')).text)).toEqual({ code: 400 });
    const redirect = encodeURIComponent('https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?mod=desktop');
    const uos = decodeJsLogin((await c.get(`/jslogin?appid=${APPID}&fun=new&redirect_uri=${redirect}`)).text);
    expect(s.control.uuid(uos.uuid!)!.desktop).toBe(true);
  });

  it('serves a JPEG QR (as PROTOCOL.md says) whose modules are the QR of https://login.weixin.qq.com/l/<uuid>', async () => {
    const s = await start();
    const c = new SimClient(s.origin);
    const { uuid } = decodeJsLogin((await c.get(`/jslogin?appid=${APPID}&fun=new`)).text);
    const res = await fetch(`${s.origin}/qrcode/${uuid}`);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    // Decoded, the centre of every module is dark exactly where the QR of that text has a dark module.
    const image = jpeg.decode(bytes, { useTArray: true });
    const qr = qrModules(uuid!);
    const side = (qr.size + 2 * QR_MARGIN_MODULES) * QR_MODULE_PIXELS;
    expect([image.width, image.height]).toEqual([side, side]);
    let mismatches = 0;
    for (let row = -QR_MARGIN_MODULES; row < qr.size + QR_MARGIN_MODULES; row++) {
      for (let col = -QR_MARGIN_MODULES; col < qr.size + QR_MARGIN_MODULES; col++) {
        const y = (row + QR_MARGIN_MODULES) * QR_MODULE_PIXELS + QR_MODULE_PIXELS / 2;
        const x = (col + QR_MARGIN_MODULES) * QR_MODULE_PIXELS + QR_MODULE_PIXELS / 2;
        const luma = image.data[(y * side + x) * 4]!;
        const dark = row >= 0 && col >= 0 && row < qr.size && col < qr.size && qr.dark(row, col);
        if (dark !== luma < 128) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
    expect(qrText(uuid!)).toBe(`https://login.weixin.qq.com/l/${uuid}`);
    expect((await fetch(`${s.origin}/qrcode/nosuchuuid==`)).status).toBe(404);
  });
});

describe('the login poll', () => {
  it('holds, then answers 408 when nothing happened', async () => {
    const s = await start({ hold: 200 });
    const c = new SimClient(s.origin);
    const { uuid } = decodeJsLogin((await c.get(`/jslogin?appid=${APPID}&fun=new`)).text);
    expect(await poll(c, uuid!, 1)).toEqual({ code: 408 });
  });

  it('answers a parked poll at once with 201 and the avatar when the phone scans', async () => {
    const s = await start({ hold: 10_000 });
    const c = new SimClient(s.origin);
    const { uuid } = decodeJsLogin((await c.get(`/jslogin?appid=${APPID}&fun=new`)).text);
    const pending = poll(c, uuid!, 1);
    while (s.stats().parked === 0) await new Promise((r) => setTimeout(r, 5));
    s.control.scan({ uuid: uuid! });
    const answer = await pending;
    expect(answer.code).toBe(201);
    expect(answer.code === 201 && answer.avatar).toMatch(/^data:img\/jpg;base64,\/9j\//);
  });

  it('gives 201 without the avatar when loginicon is not true', async () => {
    const s = await start();
    const c = new SimClient(s.origin);
    const { uuid } = decodeJsLogin((await c.get(`/jslogin?appid=${APPID}&fun=new`)).text);
    s.control.scan({ uuid: uuid! });
    expect(await poll(c, uuid!, 1, false)).toEqual({ code: 201, avatar: null });
  });

  it('after the 201 holds tip=0 polls until the confirm, then answers 200 with a same-origin redirect', async () => {
    const s = await start({ hold: 10_000 });
    const c = new SimClient(s.origin);
    const { uuid } = decodeJsLogin((await c.get(`/jslogin?appid=${APPID}&fun=new`)).text);
    s.control.scan({ uuid: uuid! });
    expect((await poll(c, uuid!, 1)).code).toBe(201);
    const pending = poll(c, uuid!, 0);
    while (s.stats().parked === 0) await new Promise((r) => setTimeout(r, 5));
    s.control.confirm({ uuid: uuid! });
    const answer = await pending;
    expect(answer.code).toBe(200);
    const url = new URL(answer.code === 200 ? answer.redirectUri : '');
    expect(url.origin).toBe(s.origin);
    expect(url.pathname).toBe('/cgi-bin/mmwebwx-bin/webwxnewloginpage');
    expect(url.searchParams.get('ticket')).toMatch(/@qrticket_0$/);
    expect(url.searchParams.get('uuid')).toBe(uuid);
    expect(url.searchParams.get('lang')).toBe('zh_CN');
    expect(url.searchParams.get('scan')).toMatch(/^\d{10}$/);
    // The tips were as the protocol wants them: 1 before the 201, 0 after.
    expect(s.control.uuid(uuid!)!.tips.every((t) => t.ok)).toBe(true);
  });

  it('records a wrong tip without refusing the poll', async () => {
    const s = await start();
    const c = new SimClient(s.origin);
    const { uuid } = decodeJsLogin((await c.get(`/jslogin?appid=${APPID}&fun=new`)).text);
    expect((await poll(c, uuid!, 0)).code).toBe(408);
    expect(s.control.uuid(uuid!)!.tips).toEqual([{ tip: '0', expected: 1, ok: false }]);
  });

  it('answers 400 for an unknown uuid, and for an expired one even while parked', async () => {
    const s = await start({ hold: 10_000, uuidLifetimeMs: 300 });
    const c = new SimClient(s.origin);
    expect(await poll(c, 'unknown0000==', 1)).toEqual({ code: 400 });
    const { uuid } = decodeJsLogin((await c.get(`/jslogin?appid=${APPID}&fun=new`)).text);
    expect(await poll(c, uuid!, 1)).toEqual({ code: 400 });
    expect(s.control.uuid(uuid!)!.state).toBe('expired');
    expect(s.control.pendingUuids()).toEqual([]);
  });

  it('answers 400 after the control API expires a QR', async () => {
    const s = await start({ hold: 10_000 });
    const c = new SimClient(s.origin);
    const { uuid } = decodeJsLogin((await c.get(`/jslogin?appid=${APPID}&fun=new`)).text);
    const pending = poll(c, uuid!, 1);
    while (s.stats().parked === 0) await new Promise((r) => setTimeout(r, 5));
    await fetch(`${s.origin}/__sim/expire`, { method: 'POST', body: JSON.stringify({ uuid }) });
    expect(await pending).toEqual({ code: 400 });
  });

  it('with auto, the phone scans and confirms by itself', async () => {
    const s = await start({ auto: true, autoDelay: 20, hold: 10_000 });
    const c = new SimClient(s.origin);
    const { uuid } = decodeJsLogin((await c.get(`/jslogin?appid=${APPID}&fun=new`)).text);
    expect((await poll(c, uuid!, 1)).code).toBe(201);
    expect((await poll(c, uuid!, 0)).code).toBe(200);
    expect(s.control.accounts()).toHaveLength(1);
  });
});

describe('webwxnewloginpage', () => {
  it('answers 301 without Location, the XML, and the session cookies on Path=/ without Domain', async () => {
    const s = await start();
    const c = new SimClient(s.origin);
    const { uuid } = decodeJsLogin((await c.get(`/jslogin?appid=${APPID}&fun=new`)).text);
    s.control.scan({ uuid: uuid! });
    s.control.confirm({ uuid: uuid! });
    const poll200 = await poll(c, uuid!, 0);
    const redirect = poll200.code === 200 ? poll200.redirectUri : '';
    const res = await fetch(`${redirect}&fun=new&version=v2`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBeNull();
    const answer = decodeNewLoginPage(await res.text());
    const creds = s.control.credentials();
    expect(answer).toEqual({ ret: 0, message: '', skey: creds.skey, wxsid: creds.sid, wxuin: creds.uin, passTicket: creds.passTicket, isgrayscale: 1 });
    // The pass_ticket arrives percent-encoded, with %2B and %2F in it.
    expect(creds.passTicket).toMatch(/%2B/);
    expect(creds.passTicket).toMatch(/%2F/);
    const cookies = res.headers.getSetCookie();
    const names = cookies.map((line) => line.split('=')[0]);
    expect(names).toEqual(['wxuin', 'wxsid', 'wxloadtime', 'mm_lang', 'webwx_data_ticket', 'webwxuvid', 'webwx_auth_ticket']);
    for (const line of cookies) {
      expect(line).toContain('; Path=/');
      expect(line.toLowerCase()).not.toContain('domain=');
    }
    expect(cookies[0]).toBe(`wxuin=${creds.uin}; ${cookies[0]!.split('; ').slice(1).join('; ')}`);
  });

  it('takes each ticket once', async () => {
    const s = await start();
    const c = new SimClient(s.origin);
    const { uuid } = decodeJsLogin((await c.get(`/jslogin?appid=${APPID}&fun=new`)).text);
    s.control.confirm({ uuid: uuid! });
    const p = await poll(c, uuid!, 1);
    const redirect = p.code === 200 ? p.redirectUri : '';
    expect(decodeNewLoginPage((await c.get(redirect)).text).ret).toBe(0);
    const again = await new SimClient(s.origin).get(redirect);
    expect(again.status).toBe(301);
    expect(decodeNewLoginPage(again.text)).toEqual({ ret: 1, message: '' });
    expect(again.headers.getSetCookie()).toEqual([]);
    expect(s.control.sessions()).toHaveLength(1);
  });

  it('refuses a web-forbidden account with 1203 and its message, unless the desktop client asks', async () => {
    const s = await start();
    const forbidden = s.control.createAccount({ webForbidden: true });
    const c = new SimClient(s.origin);
    const { uuid } = decodeJsLogin((await c.get(`/jslogin?appid=${APPID}&fun=new`)).text);
    s.control.scan({ uuid: uuid!, uin: forbidden.uin });
    s.control.confirm({ uuid: uuid! });
    const p = await poll(c, uuid!, 0);
    const answer = await c.get(p.code === 200 ? p.redirectUri : '');
    expect(decodeNewLoginPage(answer.text)).toEqual({ ret: 1203, message: WEB_FORBIDDEN_MESSAGE });
    expect(answer.headers.getSetCookie()).toEqual([]);

    const desktop = await login(s, { uin: forbidden.uin, headers: { 'client-version': '2.0.0', extspam: 'Go8FCIkFEokFCggwMDAwMDAwMRAGGvAE' } });
    expect(desktop.creds.wxuin).toBe(forbidden.uin);
  });

  it('points the redirect at another origin when told to (for the untrusted-redirect rule)', async () => {
    const s = await start();
    const c = new SimClient(s.origin);
    const set = await fetch(`${s.origin}/__sim/redirect`, { method: 'POST', body: JSON.stringify({ origin: 'https://evil.example' }) });
    expect(await set.json()).toEqual({ origin: 'https://evil.example' });
    const { uuid } = decodeJsLogin((await c.get(`/jslogin?appid=${APPID}&fun=new`)).text);
    s.control.confirm({ uuid: uuid! });
    const p = await poll(c, uuid!, 1);
    expect(p.code === 200 && new URL(p.redirectUri).origin).toBe('https://evil.example');
    s.control.setRedirectOrigin(null);
    const { uuid: second } = decodeJsLogin((await c.get(`/jslogin?appid=${APPID}&fun=new`)).text);
    s.control.confirm({ uuid: second!, redirectOrigin: 'https://wx2.qq.com' });
    const q = await poll(c, second!, 1);
    expect(q.code === 200 && new URL(q.redirectUri).origin).toBe('https://wx2.qq.com');
  });
});

describe('webwxpushloginurl', () => {
  it('with the stored cookies answers a uuid the phone confirms; the new login ends the old session', async () => {
    const s = await start({ hold: 10_000 });
    const first = await login(s);
    const push = await first.client.get(`${CGI}/webwxpushloginurl?uin=${first.creds.wxuin}`);
    const answer = decodePushLogin(push.text);
    expect(answer.ok).toBe(true);
    const uuid = answer.ok ? answer.uuid : '';
    expect(s.control.uuid(uuid)).toEqual(expect.objectContaining({ origin: 'push', state: 'scanned', uin: first.creds.wxuin }));
    expect((await poll(first.client, uuid, 1)).code).toBe(201);
    const pending = poll(first.client, uuid, 0);
    while (s.stats().parked === 0) await new Promise((r) => setTimeout(r, 5));
    await fetch(`${s.origin}/__sim/confirm`, { method: 'POST', body: JSON.stringify({ uuid }) });
    const confirmed = await pending;
    expect(confirmed.code).toBe(200);
    const again = decodeNewLoginPage((await first.client.get(confirmed.code === 200 ? confirmed.redirectUri : '')).text);
    expect(again.ret).toBe(0);
    const renewed = again as Credentials;
    expect(renewed.wxuin).toBe(first.creds.wxuin);
    expect(renewed.wxsid).not.toBe(first.creds.wxsid);
    // The old session was logged in elsewhere: its synccheck answers 1101. (Its cookies were replaced, so send the old ones.)
    const old = new SimClient(s.origin);
    old.cookies.set('wxuin', first.creds.wxuin);
    old.cookies.set('wxsid', first.creds.wxsid);
    const check = await old.get(syncCheckPath(first, '1_1'));
    expect(decodeSyncCheck(check.text)).toEqual({ retcode: 1101, selector: 0 });
    expect(s.control.sessions().map((x) => x.alive)).toEqual([false, true]);
  });

  it('refuses without the account cookies', async () => {
    const s = await start();
    const first = await login(s);
    const stranger = new SimClient(s.origin);
    expect(decodePushLogin((await stranger.get(`${CGI}/webwxpushloginurl?uin=${first.creds.wxuin}`)).text)).toEqual({ ok: false, ret: '1', msg: 'auth fail' });
    stranger.cookies.set('wxuin', first.creds.wxuin);
    stranger.cookies.set('webwx_auth_ticket', 'forged');
    expect(decodePushLogin((await stranger.get(`${CGI}/webwxpushloginurl?uin=${first.creds.wxuin}`)).text).ok).toBe(false);
  });

  it('in auto mode the phone confirms a push login by itself', async () => {
    const s = await start({ auto: true, autoDelay: 10, hold: 10_000 });
    const first = await login(s);
    const answer = decodePushLogin((await first.client.get(`${CGI}/webwxpushloginurl?uin=${first.creds.wxuin}`)).text);
    const uuid = answer.ok ? answer.uuid : '';
    expect((await poll(first.client, uuid, 1)).code).toBe(201);
    expect((await poll(first.client, uuid, 0)).code).toBe(200);
  });
});
