/** The control API over HTTP (CONTRACT.md "The simulator's control API") and its error answers. */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/simulator/index.js';
import { APPID, baseRequest, CGI, login, pt, SimClient } from './sim-client.js';

let sim: Simulator | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

async function start(): Promise<Simulator> {
  sim = await startSimulator({ hold: 200, contacts: 30 });
  return sim;
}

async function call(s: Simulator, method: string, name: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${s.origin}/__sim/${name}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  return { status: res.status, json: await res.json() };
}

describe('/__sim/ control API', () => {
  it('scan and confirm default to the newest pending QR and create a fresh account', async () => {
    const s = await start();
    const c = new SimClient(s.origin);
    await c.get(`/jslogin?appid=${APPID}&fun=new`);
    await c.get(`/jslogin?appid=${APPID}&fun=new`);
    const newest = s.control.pendingUuids()[1]!.uuid;
    const scanned = await call(s, 'POST', 'scan', {});
    expect(scanned.status).toBe(200);
    expect(scanned.json).toEqual(expect.objectContaining({ uuid: newest, state: 'scanned', uin: expect.stringMatching(/^\d+$/) }));
    const confirmed = await call(s, 'POST', 'confirm');
    expect(confirmed.json).toEqual(expect.objectContaining({ uuid: newest, state: 'confirmed' }));
    expect((await call(s, 'GET', 'accounts')).json).toHaveLength(1);
  });

  it('answers errors as JSON with 404, 400 and 409', async () => {
    const s = await start();
    expect(await call(s, 'POST', 'scan', { uuid: 'nope==' })).toEqual({ status: 404, json: { error: { code: 'notFound', message: 'no such uuid: nope==' } } });
    expect((await call(s, 'POST', 'scan', {})).status).toBe(404);
    expect((await call(s, 'POST', 'message', { from: 'x', text: 'y' })).status).toBe(404);
    expect((await call(s, 'POST', 'nosuchcall', {})).status).toBe(404);
    // A known call with the wrong method: 405 naming the methods it takes.
    const wrong = await fetch(`${s.origin}/__sim/scan`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await fetch(`${s.origin}/__sim/requests`, { method: 'PUT' })).headers.get('allow')).toBe('GET, DELETE');
    expect((await call(s, 'GET', 'requests?since=abc')).status).toBe(400);
    const bad = await fetch(`${s.origin}/__sim/scan`, { method: 'POST', body: '{oops' });
    expect(bad.status).toBe(400);
    const l = await login(s);
    expect((await call(s, 'POST', 'message', { text: 'no from' })).status).toBe(400);
    expect((await call(s, 'POST', 'message', { from: 'nobody-known', text: 'y' })).status).toBe(404);
    expect((await call(s, 'POST', 'logout', { retcode: 1234 })).status).toBe(400);
    expect((await call(s, 'POST', 'logout', { uin: l.creds.wxuin, retcode: 1101 })).status).toBe(200);
    expect((await call(s, 'POST', 'message', { from: s.control.contacts()[1]!.UserName, text: 'late' })).status).toBe(409);
    const c = new SimClient(s.origin);
    await c.get(`/jslogin?appid=${APPID}&fun=new`);
    const uuid = s.control.pendingUuids()[0]!.uuid;
    s.control.scan({ uuid });
    expect((await call(s, 'POST', 'scan', { uuid })).status).toBe(409);
  });

  it('messages injects a batch in order, or nothing when one entry is refused, naming that entry', async () => {
    const s = await start();
    const l = await login(s);
    const friend = s.control.contacts()[1]!.UserName;
    const head = (): number => s.control.sessions()[0]!.head;
    const before = head();
    const ok = await call(s, 'POST', 'messages', { messages: [{ from: friend, text: 'a' }, { from: friend, text: 'b', type: 49 }] });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ uin: l.creds.wxuin, count: 2, msgIds: [expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d+$/)] });
    expect(head()).toBe(before + 2);
    const refused = await call(s, 'POST', 'messages', { messages: [{ from: friend, text: 'c' }, { from: 'nobody-known', text: 'd' }] });
    expect(refused).toEqual({ status: 404, json: { error: { code: 'notFound', message: 'messages[1]: no such contact: nobody-known' } } });
    expect((await call(s, 'POST', 'messages', { messages: [{ from: friend }] })).json).toEqual({
      error: { code: 'badRequest', message: 'messages[0]: "text" is required' },
    });
    expect((await call(s, 'POST', 'messages', { messages: 'no' })).status).toBe(400);
    expect((await call(s, 'POST', 'messages', { messages: [3] })).status).toBe(400);
    expect(head()).toBe(before + 2);
    expect(await call(s, 'POST', 'messages', { messages: [] })).toEqual({ status: 200, json: { uin: null, count: 0, msgIds: [] } });
    // A batch larger than the 1 MiB any WeChat endpoint takes is fine on the control API.
    const big = { messages: Array.from({ length: 20_000 }, (_, i) => ({ from: friend, text: `bulk message number ${i} ${'x'.repeat(40)}` })) };
    expect(JSON.stringify(big).length).toBeGreaterThan(1024 * 1024);
    const many = await call(s, 'POST', 'messages', big);
    expect(many.status).toBe(200);
    expect(head()).toBe(before + 2 + 20_000);
  });

  it('message takes a contact or group by NickName as well as UserName, and a type', async () => {
    const s = await start();
    await login(s);
    const person = s.control.contacts().find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@') && !c.NickName.includes('<'))!;
    const byNick = await call(s, 'POST', 'message', { from: person.NickName, text: 'hi' });
    expect(byNick.json).toEqual(expect.objectContaining({ from: person.UserName, msgId: expect.stringMatching(/^\d{19}$/) }));
    const group = s.control.contacts().find((c) => c.UserName.startsWith('@@'))!;
    const member = s.control.members(group.UserName)[0]!;
    const inGroup = await call(s, 'POST', 'message', { group: group.UserName, from: member.UserName, text: 'yo', type: 49 });
    expect(inGroup.json).toEqual(expect.objectContaining({ from: group.UserName }));
    expect((await call(s, 'POST', 'message', { from: 'filehelper', text: '文件' })).json).toEqual(expect.objectContaining({ from: 'filehelper' }));
  });

  it('sent lists webwxsendmsg per account; requests logs method, path, query, headers and body unredacted', async () => {
    const s = await start();
    const l = await login(s);
    s.control.clearRequests();
    const userName = s.control.credentials().userName;
    await l.client.postJson(`${CGI}/webwxsendmsg?lang=zh_CN&pass_ticket=${pt(l)}`, {
      BaseRequest: baseRequest(l),
      Scene: 0,
      Msg: { Type: 1, Content: 'logged', FromUserName: userName, ToUserName: 'filehelper', LocalID: '9', ClientMsgId: '9' },
    });
    const sent = (await call(s, 'GET', `sent?uin=${l.creds.wxuin}`)).json as { content: string; text: string }[];
    expect(sent).toEqual([expect.objectContaining({ to: 'filehelper', content: 'logged', text: 'logged', clientMsgId: '9', msgId: expect.stringMatching(/^\d+$/) })]);
    const log = (await call(s, 'GET', 'requests')).json as { method: string; path: string; endpoint: string; query: Record<string, string>; headers: Record<string, string>; body: { BaseRequest: { Skey: string } } }[];
    expect(log).toHaveLength(1);
    expect(log[0]).toEqual(
      expect.objectContaining({ method: 'POST', path: '/cgi-bin/mmwebwx-bin/webwxsendmsg', endpoint: 'webwxsendmsg', query: { lang: 'zh_CN', pass_ticket: l.creds.passTicket } }),
    );
    expect(log[0]!.body.BaseRequest.Skey).toBe(l.creds.skey);
    expect(log[0]!.headers['cookie']).toContain(`wxsid=${l.creds.wxsid}`);
    expect(((await call(s, 'GET', 'requests?endpoint=jslogin')).json as unknown[]).length).toBe(0);
    expect((await call(s, 'DELETE', 'requests')).status).toBe(200);
    expect((await call(s, 'GET', 'requests')).json).toEqual([]);
  });

  it('sessions, uuids, accounts, auto and health', async () => {
    const s = await start();
    const created = (await call(s, 'POST', 'accounts', { nickName: '测试', webForbidden: false })).json as { uin: string };
    const l = await login(s, { uin: created.uin });
    const sessions = (await call(s, 'GET', 'sessions')).json as { uin: string; nickName: string; alive: boolean }[];
    expect(sessions).toEqual([expect.objectContaining({ uin: l.creds.wxuin, nickName: '测试', alive: true })]);
    expect((await call(s, 'GET', 'uuids')).json).toEqual([]);
    expect((await call(s, 'GET', `uuid?uuid=${encodeURIComponent(l.uuid)}`)).json).toEqual(expect.objectContaining({ state: 'consumed' }));
    expect((await call(s, 'POST', 'auto', { auto: true, autoDelay: 5 })).json).toEqual({ auto: true, autoDelay: 5 });
    expect((await call(s, 'GET', 'health')).json).toEqual({ ok: true });
    const contacts = (await call(s, 'GET', 'contacts')).json as { UserName: string }[];
    expect(contacts).toHaveLength(30);
  });
});
