/** Fault injection over real HTTP: every kind, per endpoint and account, deterministic from the seed. */
import { afterEach, describe, expect, it } from 'vitest';
import { decodeInit } from '../../../src/codecs/session.js';
import { decodeSendMsg } from '../../../src/codecs/send.js';
import { decodeLoginPoll } from '../../../src/codecs/login.js';
import { decodeSync, decodeSyncCheck, formatSyncKey } from '../../../src/codecs/sync.js';
import { isDecodeError } from '../../../src/codecs/errors.js';
import type { SyncKey } from '../../../src/codecs/session.js';
import { startSimulator, type FaultPlan, type Simulator } from '../../../src/simulator/index.js';
import { APPID, baseRequest, CGI, login, pt, SimClient, syncCheckPath, syncPath, type LoggedIn } from './sim-client.js';

const sims: Simulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function start(options: Parameters<typeof startSimulator>[0] = {}): Promise<Simulator> {
  const s = await startSimulator({ hold: 150, contacts: 20, ...options });
  sims.push(s);
  return s;
}

async function initKey(l: LoggedIn): Promise<SyncKey> {
  const answer = decodeInit((await l.client.postJson(`${CGI}/webwxinit?r=1&pass_ticket=${pt(l)}`, { BaseRequest: baseRequest(l) })).text);
  if (!answer.ok) throw new Error('init failed');
  return answer.value.SyncKey;
}

const syncBody = (l: LoggedIn, key: SyncKey): object => ({ BaseRequest: baseRequest(l), SyncKey: key, rr: -1 });

describe('fault kinds', () => {
  it('destroy: the socket is closed without an answer', async () => {
    const s = await start();
    const l = await login(s);
    s.control.setFaults({ rules: [{ endpoint: 'webwxinit', kind: 'destroy', times: 1 }] });
    await expect(l.client.postJson(`${CGI}/webwxinit?pass_ticket=${pt(l)}`, { BaseRequest: baseRequest(l) })).rejects.toThrow();
    expect(s.control.faultsFired()).toEqual([1]);
    expect((await initKey(l)).Count).toBe(4);
  });

  it('silence: the request is read and never answered; the client has to give up', async () => {
    const s = await start();
    const l = await login(s);
    s.control.setFaults({ rules: [{ endpoint: 'webwxinit', kind: 'silence', times: 1 }] });
    const call = fetch(`${s.origin}${CGI}/webwxinit?pass_ticket=${pt(l)}`, {
      method: 'POST',
      body: JSON.stringify({ BaseRequest: baseRequest(l) }),
      signal: AbortSignal.timeout(300),
    });
    await expect(call).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(s.control.faultsFired()).toEqual([1]);
    expect(s.control.requests({ endpoint: 'webwxinit' })).toHaveLength(1);
    // Only that one: the next request is answered.
    expect((await initKey(l)).Count).toBe(4);
  });

  it('status: an HTTP 5xx error page, and the request is not processed', async () => {
    const s = await start();
    s.control.setFaults({ rules: [{ endpoint: 'jslogin', kind: 'status', status: 503, times: 1 }] });
    const c = new SimClient(s.origin);
    const res = await c.get(`/jslogin?appid=${APPID}&fun=new`);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(s.control.pendingUuids()).toEqual([]);
    expect((await c.get(`/jslogin?appid=${APPID}&fun=new`)).status).toBe(200);
  });

  it('ret: BaseResponse Ret -1, login poll 500, synccheck retcode — each in its own form', async () => {
    const s = await start();
    const l = await login(s);
    s.control.setFaults({
      rules: [
        { endpoint: 'webwxinit', kind: 'ret' },
        { endpoint: 'login', kind: 'ret' },
        { endpoint: 'synccheck', kind: 'ret', ret: 1101 },
      ],
    });
    expect(decodeInit((await l.client.postJson(`${CGI}/webwxinit?pass_ticket=${pt(l)}`, { BaseRequest: baseRequest(l) })).text)).toEqual({ ok: false, ret: -1, errMsg: '' });
    expect(decodeLoginPoll((await l.client.get(`${CGI}/login?uuid=${l.uuid}&tip=1`)).text)).toEqual({ code: 500 });
    expect(decodeSyncCheck((await l.client.get(syncCheckPath(l, '1_1'))).text)).toEqual({ retcode: 1101, selector: 0 });
    // The session itself is untouched: the fault was only an answer.
    expect(s.control.sessions()[0]!.alive).toBe(true);
  });

  it('truncate: a webwxsync cut off mid-body does not advance the server key; the retry gets the same messages', async () => {
    const s = await start();
    const l = await login(s);
    const key = await initKey(l);
    const from = s.control.contacts()[2]!.UserName;
    const ids = [s.control.message({ from, text: 'one' }).msgId, s.control.message({ from, text: 'two' }).msgId];
    s.control.setFaults({ rules: [{ endpoint: 'webwxsync', kind: 'truncate', times: 1 }] });
    await expect(l.client.postJson(syncPath(l), syncBody(l, key))).rejects.toThrow();
    expect(s.control.sessions()[0]!.syncPos).toBe(0);
    const retry = decodeSync((await l.client.postJson(syncPath(l), syncBody(l, key))).text);
    expect(retry.ok && retry.value.AddMsgList.map((m) => m.MsgId)).toEqual(ids);
    expect(s.control.sessions()[0]!.syncPos).toBe(2);
  });

  it('invalidJson: a well-framed but cut body; the key does not advance either', async () => {
    const s = await start();
    const l = await login(s);
    const key = await initKey(l);
    s.control.message({ from: s.control.contacts()[2]!.UserName, text: 'x' });
    s.control.setFaults({ rules: [{ endpoint: 'webwxsync', kind: 'invalidJson', times: 1 }] });
    const res = await l.client.postJson(syncPath(l), syncBody(l, key));
    expect(res.status).toBe(200);
    let error: unknown = null;
    try {
      decodeSync(res.text);
    } catch (err) {
      error = err;
    }
    expect(isDecodeError(error)).toBe(true);
    expect(s.control.sessions()[0]!.syncPos).toBe(0);
  });

  it('emptyKey: webwxsync delivers its messages with an empty key; the old key still works', async () => {
    const s = await start();
    const l = await login(s);
    const key = await initKey(l);
    const id = s.control.message({ from: s.control.contacts()[2]!.UserName, text: 'x' }).msgId;
    s.control.setFaults({ rules: [{ endpoint: 'webwxsync', kind: 'emptyKey', times: 1 }] });
    const first = decodeSync((await l.client.postJson(syncPath(l), syncBody(l, key))).text);
    expect(first.ok && first.value.AddMsgList.map((m) => m.MsgId)).toEqual([id]);
    expect(first.ok && [first.value.SyncKey, first.value.SyncCheckKey]).toEqual([{ Count: 0, List: [] }, { Count: 0, List: [] }]);
    // A client that keeps its key (as it must) sees the same message again and has to dedupe it.
    const again = decodeSync((await l.client.postJson(syncPath(l), syncBody(l, key))).text);
    expect(again.ok && again.value.AddMsgList.map((m) => m.MsgId)).toEqual([id]);
    expect(again.ok && again.value.SyncKey.Count).toBe(7);
  });

  it('oversize: the answer, processed and whole, padded with spaces to the size asked; it still decodes', async () => {
    const s = await start();
    const l = await login(s);
    const key = await initKey(l);
    const id = s.control.message({ from: s.control.contacts()[2]!.UserName, text: 'x' }).msgId;
    s.control.setFaults({ rules: [{ endpoint: 'webwxsync', kind: 'oversize', bytes: 300_000, times: 1 }] });
    const res = await l.client.postJson(syncPath(l), syncBody(l, key));
    expect(Buffer.byteLength(res.text)).toBe(300_000);
    expect(res.text.trimEnd().length).toBeLessThan(300_000);
    const answer = decodeSync(res.text);
    expect(answer.ok && answer.value.AddMsgList.map((m) => m.MsgId)).toEqual([id]);
    // Written whole, so the server moved on, as a real one would.
    expect(s.control.sessions()[0]!.syncPos).toBe(1);
  });

  it('errorPage: an HTTP error page quoting the request, query and Cookie header included; not processed', async () => {
    const s = await start();
    const l = await login(s);
    s.control.setFaults({ rules: [{ endpoint: 'webwxinit', kind: 'errorPage', times: 1 }] });
    const res = await l.client.postJson(`${CGI}/webwxinit?r=1&pass_ticket=${pt(l)}`, { BaseRequest: baseRequest(l) });
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain(`pass_ticket=${pt(l)}`);
    expect(res.text).toContain(`wxsid=${l.creds.wxsid}`);
    expect(res.text).not.toMatch(/<script/i);
    expect(s.control.faultsFired()).toEqual([1]);
    expect((await initKey(l)).Count).toBe(4);
  });

  it('selector: synccheck answers at once with that selector and nothing behind it; other endpoints are not matched', async () => {
    // A held synccheck would outlast the test's timeout.
    const s = await start({ hold: 600_000 });
    const l = await login(s);
    const key = formatSyncKey(await initKey(l));
    s.control.setFaults({ rules: [{ endpoint: '*', kind: 'selector', selector: 6, times: 2 }] });
    expect((await initKey(l)).Count).toBe(4);
    const first = decodeSyncCheck((await l.client.get(syncCheckPath(l, key))).text);
    const second = decodeSyncCheck((await l.client.get(syncCheckPath(l, key))).text);
    expect([first, second]).toEqual([
      { retcode: 0, selector: 6 },
      { retcode: 0, selector: 6 },
    ]);
    expect(s.control.faultsFired()).toEqual([2]);
  });

  it('truncate after processing a send: the retry with the same ClientMsgId gets the same MsgID, stored once', async () => {
    const s = await start();
    const l = await login(s);
    await initKey(l);
    const userName = s.control.credentials().userName;
    s.control.setFaults({ rules: [{ endpoint: 'webwxsendmsg', kind: 'truncate', times: 1 }] });
    const body = { BaseRequest: baseRequest(l), Scene: 0, Msg: { Type: 1, Content: 'hi', FromUserName: userName, ToUserName: 'filehelper', LocalID: '170000000000012', ClientMsgId: '170000000000012' } };
    const path = `${CGI}/webwxsendmsg?pass_ticket=${pt(l)}`;
    await expect(l.client.postJson(path, body)).rejects.toThrow();
    const retry = decodeSendMsg((await l.client.postJson(path, body)).text);
    expect(retry.ok && retry.value.MsgID).toBe(s.control.sent()[0]!.msgId);
    expect(s.control.sent()).toHaveLength(1);
  });

  it('ret 1205 once (sending too often): the retry goes through', async () => {
    const s = await start();
    const l = await login(s);
    await initKey(l);
    s.control.setFaults({ rules: [{ endpoint: 'webwxsendmsg', kind: 'ret', ret: 1205, times: 1 }] });
    const userName = s.control.credentials().userName;
    const body = { BaseRequest: baseRequest(l), Msg: { Type: 1, Content: 'hi', FromUserName: userName, ToUserName: 'filehelper', ClientMsgId: '5' } };
    const path = `${CGI}/webwxsendmsg?pass_ticket=${pt(l)}`;
    expect(decodeSendMsg((await l.client.postJson(path, body)).text)).toEqual({ ok: false, ret: 1205, errMsg: '' });
    expect(s.control.sent()).toEqual([]);
    expect(decodeSendMsg((await l.client.postJson(path, body)).text).ok).toBe(true);
  });

  it('delay: the request is answered normally after the pause', async () => {
    const s = await start();
    const l = await login(s);
    s.control.setFaults({ rules: [{ endpoint: 'webwxinit', kind: 'delay', delayMs: 50 }] });
    expect((await initKey(l)).Count).toBe(4);
    expect(s.control.faultsFired()).toEqual([1]);
  });

  it('logout: a scripted server-side logout on the second synccheck', async () => {
    const s = await start();
    const l = await login(s);
    const key = formatSyncKey(await initKey(l));
    s.control.setFaults({ rules: [{ endpoint: 'synccheck', kind: 'logout', after: 1, retcode: 1102 }] });
    expect(decodeSyncCheck((await l.client.get(syncCheckPath(l, key))).text)).toEqual({ retcode: 0, selector: 0 });
    expect(decodeSyncCheck((await l.client.get(syncCheckPath(l, key))).text)).toEqual({ retcode: 1102, selector: 0 });
    expect(s.control.sessions()[0]).toEqual(expect.objectContaining({ alive: false, endRetcode: 1102 }));
  });
});

describe('fault selection', () => {
  it('a rule limited to one account leaves the others alone', async () => {
    const s = await start();
    const a = await login(s);
    const b = await login(s);
    s.control.setFaults({ rules: [{ endpoint: 'webwxinit', kind: 'ret', uin: a.creds.wxuin }] });
    expect(decodeInit((await a.client.postJson(`${CGI}/webwxinit?pass_ticket=${pt(a)}`, { BaseRequest: baseRequest(a) })).text).ok).toBe(false);
    expect(decodeInit((await b.client.postJson(`${CGI}/webwxinit?pass_ticket=${pt(b)}`, { BaseRequest: baseRequest(b) })).text).ok).toBe(true);
  });

  it('is deterministic: the same seed gives the same faults for the same traffic, another seed others', async () => {
    const pattern = async (seed: number): Promise<number[]> => {
      const plan: FaultPlan = { seed, rules: [{ endpoint: 'jslogin', kind: 'status', status: 502, probability: 0.5 }] };
      const s = await start({ faults: plan });
      const c = new SimClient(s.origin);
      const out: number[] = [];
      for (let i = 0; i < 40; i++) out.push((await c.get(`/jslogin?appid=${APPID}&fun=new`)).status);
      return out;
    };
    const first = await pattern(7);
    expect(await pattern(7)).toEqual(first);
    expect(first.filter((st) => st === 502).length).toBeGreaterThan(5);
    expect(first.filter((st) => st === 200).length).toBeGreaterThan(5);
    expect(await pattern(8)).not.toEqual(first);
  });

  it('the plan can be set over HTTP, is validated, reports what fired, and can be cleared', async () => {
    const s = await start();
    const post = (body: unknown): Promise<Response> => fetch(`${s.origin}/__sim/faults`, { method: 'POST', body: JSON.stringify(body) });
    expect((await post({ rules: [{ endpoint: 'nope', kind: 'destroy' }] })).status).toBe(400);
    expect((await post({ rules: [{ endpoint: 'jslogin', kind: 'explode' }] })).status).toBe(400);
    expect((await post({ rules: [{ endpoint: 'jslogin', kind: 'ret', probability: 2 }] })).status).toBe(400);
    expect((await post({ rules: [{ endpoint: 'webwxsync', kind: 'oversize', bytes: 2 ** 40 }] })).status).toBe(400);
    expect((await post({ rules: [{ endpoint: 'synccheck', kind: 'selector', selector: 100 }] })).status).toBe(400);
    expect((await post({ rules: [{ endpoint: 'webwxinit', kind: 'errorPage', status: 42 }] })).status).toBe(400);
    expect((await post({ rules: [{ endpoint: '*', kind: 'status', status: 500, times: 2 }] })).status).toBe(200);
    const c = new SimClient(s.origin);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await c.get(`/jslogin?appid=${APPID}&fun=new`)).status);
    expect(statuses).toEqual([500, 500, 200]);
    expect(await (await fetch(`${s.origin}/__sim/faults`)).json()).toEqual({ fired: [2] });
    await post({ rules: [{ endpoint: '*', kind: 'status' }] });
    expect((await fetch(`${s.origin}/__sim/faults`, { method: 'DELETE' })).status).toBe(200);
    expect((await c.get(`/jslogin?appid=${APPID}&fun=new`)).status).toBe(200);
  });
});
