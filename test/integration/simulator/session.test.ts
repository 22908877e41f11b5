/** The session side over real HTTP: credentials, init, contacts, synccheck, webwxsync, send, logout. */
import { afterEach, describe, expect, it } from 'vitest';
import { decodeBatchGetContact, decodeGetContact, decodeInit, decodeStatusNotify } from '../../../src/codecs/session.js';
import { decodeSendMsg } from '../../../src/codecs/send.js';
import { decodeSync, decodeSyncCheck, formatSyncKey, type SyncBody } from '../../../src/codecs/sync.js';
import type { SyncKey } from '../../../src/codecs/session.js';
import { decodeContent } from '../../../src/codecs/content.js';
import { startSimulator, type Simulator } from '../../../src/simulator/index.js';
import { baseRequest, CGI, login, pt, syncCheckPath, syncPath, type LoggedIn } from './sim-client.js';

let sim: Simulator | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

async function start(options: Parameters<typeof startSimulator>[0] = {}): Promise<Simulator> {
  sim = await startSimulator({ hold: 300, contacts: 40, ...options });
  return sim;
}

const initPath = (l: LoggedIn, passTicket = pt(l)): string => `${CGI}/webwxinit?r=-1&lang=zh_CN&pass_ticket=${passTicket}`;

async function init(l: LoggedIn): Promise<{ userName: string; syncKey: SyncKey }> {
  const answer = decodeInit((await l.client.postJson(initPath(l), { BaseRequest: baseRequest(l) })).text);
  if (!answer.ok) throw new Error(`init ret ${answer.ret}`);
  return { userName: answer.value.User.UserName, syncKey: answer.value.SyncKey };
}

async function sync(l: LoggedIn, key: SyncKey): Promise<SyncBody> {
  const answer = decodeSync((await l.client.postJson(syncPath(l), { BaseRequest: baseRequest(l), SyncKey: key, rr: -1 })).text);
  if (!answer.ok) throw new Error(`sync ret ${answer.ret}`);
  return answer.value;
}

describe('credentials', () => {
  it('webwxinit accepts the pass_ticket encoded once more (official client) and as received', async () => {
    const s = await start();
    const l = await login(s);
    for (const passTicket of [pt(l), l.creds.passTicket]) {
      const answer = decodeInit((await l.client.postJson(initPath(l, passTicket), { BaseRequest: baseRequest(l) })).text);
      expect(answer.ok).toBe(true);
    }
    // Uin as a string, as the web client's first webwxinit sends it.
    const asString = decodeInit((await l.client.postJson(initPath(l), { BaseRequest: { ...baseRequest(l), Uin: l.creds.wxuin } })).text);
    expect(asString.ok).toBe(true);
  });

  it('answers 1101 for a wrong Skey, Sid, Uin or pass_ticket, and for a missing pass_ticket', async () => {
    const s = await start();
    const l = await login(s);
    const wrong = [
      [initPath(l), { ...baseRequest(l), Skey: '@crypt_00000000_00000000000000000000000000000000' }],
      [initPath(l), { ...baseRequest(l), Sid: 'AAAAAAAAAAAAAAAA' }],
      [initPath(l), { ...baseRequest(l), Uin: 1 }],
      [initPath(l, 'forged'), baseRequest(l)],
      [`${CGI}/webwxinit?r=-1&lang=zh_CN`, baseRequest(l)],
    ] as const;
    for (const [path, base] of wrong) {
      const answer = decodeInit((await l.client.postJson(path, { BaseRequest: base })).text);
      expect(answer).toEqual({ ok: false, ret: 1101, errMsg: '' });
    }
  });

  it('answers Ret 1 without a BaseRequest and an empty body to a body that is not JSON', async () => {
    const s = await start();
    const l = await login(s);
    expect(JSON.parse((await l.client.postJson(initPath(l), {})).text)).toEqual({ BaseResponse: { Ret: 1, ErrMsg: '' } });
    const bad = await l.client.postJson(initPath(l), '{"BaseRequest": {');
    expect(bad.status).toBe(200);
    expect(bad.text).toBe('');
  });

  it('answers 1102 when synccheck comes without the session cookies or with someone else’s', async () => {
    const s = await start();
    const l = await login(s);
    const other = await login(s);
    const { syncKey } = await init(l);
    const path = syncCheckPath(l, formatSyncKey(syncKey));
    const saved = new Map(l.client.cookies);
    l.client.cookies.clear();
    expect(decodeSyncCheck((await l.client.get(path)).text)).toEqual({ retcode: 1102, selector: 0 });
    l.client.cookies.set('wxuin', other.creds.wxuin);
    l.client.cookies.set('wxsid', other.creds.wxsid);
    expect(decodeSyncCheck((await l.client.get(path)).text)).toEqual({ retcode: 1102, selector: 0 });
    for (const [k, v] of saved) l.client.cookies.set(k, v);
    expect(decodeSyncCheck((await l.client.get(syncCheckPath({ ...l, creds: { ...l.creds, skey: 'x' } }, formatSyncKey(syncKey)))).text)).toEqual({
      retcode: 1101,
      selector: 0,
    });
    expect(decodeSyncCheck((await l.client.get(path)).text)).toEqual({ retcode: 0, selector: 0 });
  });
});

describe('webwxinit, statusnotify, contacts', () => {
  it('webwxinit gives the user, recent chats and a four-item SyncKey', async () => {
    const s = await start();
    const l = await login(s);
    const answer = decodeInit((await l.client.postJson(initPath(l), { BaseRequest: baseRequest(l) })).text);
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    const v = answer.value;
    expect(v.User.Uin).toBe(Number(l.creds.wxuin));
    expect(v.User.UserName).toMatch(/^@[0-9a-f]{32}$/);
    expect(v.SyncKey.List.map((k) => k.Key)).toEqual([1, 2, 3, 1000]);
    expect(v.SKey).toBe(l.creds.skey);
    expect(v.ContactList.length).toBe(v.Count);
    expect(v.ContactList.some((c) => c.UserName.startsWith('@@') && (c.MemberList?.length ?? 0) > 0)).toBe(true);
    expect(v.ChatSet).toContain('filehelper');
  });

  it('statusnotify answers a MsgID and, for Code 3, the phone syncs the chat list once (MsgType 51)', async () => {
    const s = await start();
    const l = await login(s);
    const { userName, syncKey } = await init(l);
    const body = (code: number) => ({ BaseRequest: baseRequest(l), Code: code, FromUserName: userName, ToUserName: userName, ClientMsgId: Date.now() });
    const path = `${CGI}/webwxstatusnotify?lang=zh_CN&pass_ticket=${pt(l)}`;
    for (let i = 0; i < 2; i++) {
      const answer = decodeStatusNotify((await l.client.postJson(path, body(3))).text);
      expect(answer.ok && answer.value.MsgID).toMatch(/^\d{19}$/);
    }
    expect(decodeSyncCheck((await l.client.get(syncCheckPath(l, formatSyncKey(syncKey)))).text)).toEqual({ retcode: 0, selector: 2 });
    const delta = await sync(l, syncKey);
    expect(delta.AddMsgList).toHaveLength(1);
    expect(delta.AddMsgList[0]).toEqual(expect.objectContaining({ MsgType: 51, StatusNotifyCode: 4, FromUserName: userName, ToUserName: userName }));
    const wrongFrom = JSON.parse((await l.client.postJson(path, { ...body(3), FromUserName: '@someoneelse' })).text);
    expect(wrongFrom.BaseResponse.Ret).toBe(1);
  });

  it('pages 10,000 contacts by Seq until it is 0, each once, with realistic fields', async () => {
    const s = await start({ contacts: 10_000, pageSize: 3000 });
    const l = await login(s);
    const seen: string[] = [];
    const seqs: number[] = [];
    let seq = 0;
    do {
      const path = `${CGI}/webwxgetcontact?lang=zh_CN&pass_ticket=${pt(l)}&r=${Date.now()}&seq=${seq}&skey=${encodeURIComponent(l.creds.skey)}`;
      const answer = decodeGetContact((await l.client.get(path)).text);
      if (!answer.ok) throw new Error('getcontact failed');
      seen.push(...answer.value.MemberList.map((c) => c.UserName));
      expect(answer.value.MemberCount).toBe(answer.value.MemberList.length);
      seq = answer.value.Seq ?? 0;
      seqs.push(seq);
    } while (seq !== 0);
    expect(seqs).toEqual([3000, 6000, 9000, 0]);
    expect(seen).toHaveLength(10_000);
    expect(new Set(seen).size).toBe(10_000);
    expect(seen.filter((u) => u.startsWith('@@')).length).toBeGreaterThan(100);
    expect(s.control.sessions()[0]!.contacts).toBe(10_000);
  });

  it('getcontact: an older client POSTs with cookies only; without cookies nothing names the session (1101)', async () => {
    const s = await start();
    const l = await login(s);
    const answer = decodeGetContact((await l.client.postJson(`${CGI}/webwxgetcontact?r=1`, {})).text);
    expect(answer.ok && answer.value.MemberList.length).toBe(40);
    const saved = new Map(l.client.cookies);
    l.client.cookies.clear();
    expect(decodeGetContact((await l.client.get(`${CGI}/webwxgetcontact?r=1&seq=0&skey=${encodeURIComponent(l.creds.skey)}`)).text)).toEqual({
      ok: false,
      ret: 1101,
      errMsg: '',
    });
    for (const [k, v] of saved) l.client.cookies.set(k, v);
    expect(decodeGetContact((await l.client.get(`${CGI}/webwxgetcontact?r=1&seq=0&skey=wrong`)).text)).toEqual({ ok: false, ret: 1101, errMsg: '' });
  });

  it('batchgetcontact gives groups with their members, and refuses more than 50 at once', async () => {
    const s = await start({ contacts: 200 });
    const l = await login(s);
    const groups = s.control.contacts().filter((c) => c.UserName.startsWith('@@'));
    const path = `${CGI}/webwxbatchgetcontact?type=ex&r=1&lang=zh_CN&pass_ticket=${pt(l)}`;
    const list = groups.map((g) => ({ UserName: g.UserName, EncryChatRoomId: '' }));
    const answer = decodeBatchGetContact((await l.client.postJson(path, { BaseRequest: baseRequest(l), Count: list.length, List: list })).text);
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(answer.value.ContactList.map((c) => c.UserName)).toEqual(groups.map((g) => g.UserName));
    for (const group of answer.value.ContactList) {
      expect(group.MemberCount).toBe(group.MemberList!.length);
      expect(group.MemberList!.length).toBeGreaterThanOrEqual(3);
      expect(group.EncryChatRoomId).toMatch(/^@/);
    }
    // A member met in a loaded group can be looked up too.
    const member = answer.value.ContactList[0]!.MemberList![0]!;
    const one = decodeBatchGetContact((await l.client.postJson(path, { BaseRequest: baseRequest(l), Count: 1, List: [{ UserName: member.UserName }] })).text);
    expect(one.ok && one.value.ContactList.map((c) => c.UserName)).toEqual([member.UserName]);
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ UserName: s.control.contacts()[i]!.UserName }));
    const refused = decodeBatchGetContact((await l.client.postJson(path, { BaseRequest: baseRequest(l), Count: 51, List: tooMany })).text);
    expect(refused).toEqual({ ok: false, ret: 1, errMsg: '' });
  });
});

describe('synccheck and webwxsync', () => {
  it('synccheck is held and answers selector 2 as soon as a message arrives; 0 when the hold ends', async () => {
    const s = await start({ hold: 10_000 });
    const l = await login(s);
    const { syncKey } = await init(l);
    const pending = l.client.get(syncCheckPath(l, formatSyncKey(syncKey)));
    while (s.stats().parked === 0) await new Promise((r) => setTimeout(r, 5));
    const person = s.control.contacts()[3]!;
    s.control.message({ from: person.UserName, text: 'hi' });
    expect(decodeSyncCheck((await pending).text)).toEqual({ retcode: 0, selector: 2 });
    expect(s.stats().parked).toBe(0);
    const idle = await startSimulator({ hold: 150, contacts: 5 });
    try {
      const m = await login(idle);
      const k = await init(m);
      expect(decodeSyncCheck((await m.client.get(syncCheckPath(m, formatSyncKey(k.syncKey)))).text)).toEqual({ retcode: 0, selector: 0 });
    } finally {
      await idle.close();
    }
  });

  it('webwxsync delivers the messages as the server writes them and advances SyncKey and a separate SyncCheckKey', async () => {
    const s = await start();
    const l = await login(s);
    const { syncKey, userName } = await init(l);
    const person = s.control.contacts().find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'))!;
    const group = s.control.contacts().find((c) => c.UserName.startsWith('@@'))!;
    const member = s.control.members(group.UserName)[1]!;
    const a = s.control.message({ from: person.UserName, text: 'Tom & Jerry <3\n第二行 😀🇨🇳' });
    const b = s.control.message({ group: group.UserName, from: member.UserName, text: '大家好' });
    const delta = await sync(l, syncKey);
    expect(delta.AddMsgList.map((m) => m.MsgId)).toEqual([a.msgId, b.msgId]);
    const [ma, mb] = delta.AddMsgList;
    expect(ma!.Content).toBe('Tom &amp; Jerry &lt;3<br/>第二行 <span class="emoji emoji1f600"></span><span class="emoji emoji1f1e81f1f3"></span>');
    expect(decodeContent(ma!.Content)).toBe('Tom & Jerry <3\n第二行 😀🇨🇳');
    expect(ma!.ToUserName).toBe(userName);
    expect(mb!.FromUserName).toBe(group.UserName);
    expect(mb!.Content).toBe(`${member.UserName}:<br/>大家好`);
    expect(delta.ContinueFlag).toBe(0);
    const keyVal = (key: SyncKey, k: number): number => key.List.find((i) => i.Key === k)!.Val;
    expect(keyVal(delta.SyncKey, 1)).toBe(keyVal(syncKey, 1) + 2);
    expect(delta.SyncCheckKey).toBeDefined();
    expect(formatSyncKey(delta.SyncCheckKey!)).not.toBe(formatSyncKey(delta.SyncKey));
    expect(keyVal(delta.SyncCheckKey!, 1)).toBe(keyVal(delta.SyncKey, 1));
    // Nothing after the new key.
    const again = await sync(l, delta.SyncKey);
    expect(again.AddMsgList).toEqual([]);
    expect(s.control.sessions()[0]!.syncPos).toBe(2);
  });

  it('sets ContinueFlag while more than a page waits', async () => {
    const s = await start({ syncPageSize: 3 });
    const l = await login(s);
    let { syncKey: key } = await init(l);
    const person = s.control.contacts()[2]!;
    const ids = Array.from({ length: 7 }, (_, i) => s.control.message({ from: person.UserName, text: `m${i}` }).msgId);
    const got: string[] = [];
    const flags: number[] = [];
    for (;;) {
      const delta = await sync(l, key);
      got.push(...delta.AddMsgList.map((m) => m.MsgId));
      flags.push(delta.ContinueFlag ?? 0);
      key = delta.SyncKey;
      if (!delta.ContinueFlag) break;
    }
    expect(flags).toEqual([1, 1, 0]);
    expect(got).toEqual(ids);
  });

  it('an old SyncKey (a resumed session) gets everything after it again', async () => {
    const s = await start();
    const l = await login(s);
    const { syncKey: stored } = await init(l);
    const person = s.control.contacts()[2]!;
    const first = s.control.message({ from: person.UserName, text: 'one' }).msgId;
    const delta = await sync(l, stored);
    const second = s.control.message({ from: person.UserName, text: 'two' }).msgId;
    expect((await sync(l, delta.SyncKey)).AddMsgList.map((m) => m.MsgId)).toEqual([second]);
    expect((await sync(l, stored)).AddMsgList.map((m) => m.MsgId)).toEqual([first, second]);
    // A re-init hands out the server's key: after what was delivered, not before.
    const reinit = await init(l);
    expect(reinit.syncKey.List[0]!.Val).toBe(stored.List[0]!.Val + 2);
  });

  it('selector 4 for a contact change (ModContactList) and 7 for activity on the phone', async () => {
    const s = await start();
    const l = await login(s);
    let { syncKey: key } = await init(l);
    const target = s.control.contacts()[4]!;
    const res = await fetch(`${s.origin}/__sim/contact`, { method: 'POST', body: JSON.stringify({ userName: target.UserName, remarkName: '老王' }) });
    expect(res.status).toBe(200);
    expect(decodeSyncCheck((await l.client.get(syncCheckPath(l, formatSyncKey(key)))).text)).toEqual({ retcode: 0, selector: 4 });
    let delta = await sync(l, key);
    expect(delta.ModContactList!.map((c) => [c.UserName, c.RemarkName])).toEqual([[target.UserName, '老王']]);
    key = delta.SyncCheckKey!;
    await fetch(`${s.origin}/__sim/phone`, { method: 'POST', body: '{}' });
    expect(decodeSyncCheck((await l.client.get(syncCheckPath(l, formatSyncKey(key)))).text)).toEqual({ retcode: 0, selector: 7 });
    delta = await sync(l, key);
    expect(delta.AddMsgList.map((m) => [m.MsgType, m.StatusNotifyCode])).toEqual([[51, 2]]);
  });

  it('webwxsync refuses without cookies (1102), without SyncKey (1), with wrong query credentials (1101)', async () => {
    const s = await start();
    const l = await login(s);
    const { syncKey } = await init(l);
    const missingKey = decodeSync((await l.client.postJson(syncPath(l), { BaseRequest: baseRequest(l), rr: 1 })).text);
    expect(missingKey).toEqual({ ok: false, ret: 1, errMsg: '' });
    const wrongQuery = decodeSync(
      (await l.client.postJson(`${CGI}/webwxsync?sid=x&skey=${encodeURIComponent(l.creds.skey)}`, { BaseRequest: baseRequest(l), SyncKey: syncKey })).text,
    );
    expect(wrongQuery).toEqual({ ok: false, ret: 1101, errMsg: '' });
    l.client.cookies.clear();
    const raw = JSON.parse((await l.client.postJson(syncPath(l), { BaseRequest: baseRequest(l), SyncKey: syncKey })).text);
    expect(raw.BaseResponse.Ret).toBe(1102);
    // A refused answer carries an empty key, which clients must not adopt.
    expect(raw.SyncKey).toEqual({ Count: 0, List: [] });
  });
});

describe('webwxsendmsg and webwxlogout', () => {
  it('stores what was sent and answers the same MsgID for a repeated ClientMsgId', async () => {
    const s = await start();
    const l = await login(s);
    const { userName } = await init(l);
    const to = s.control.contacts()[5]!.UserName;
    const path = `${CGI}/webwxsendmsg?lang=zh_CN&pass_ticket=${pt(l)}`;
    const msg = { Type: 1, Content: '你好 <b>', FromUserName: userName, ToUserName: to, LocalID: '17000000000001234', ClientMsgId: '17000000000001234' };
    const first = decodeSendMsg((await l.client.postJson(path, { BaseRequest: baseRequest(l), Scene: 0, Msg: msg })).text);
    const retry = decodeSendMsg((await l.client.postJson(path, { BaseRequest: baseRequest(l), Scene: 0, Msg: msg })).text);
    expect(first.ok && retry.ok).toBe(true);
    if (!first.ok || !retry.ok) return;
    expect(retry.value.MsgID).toBe(first.value.MsgID);
    expect(first.value.LocalID).toBe('17000000000001234');
    // wechat4u sends the ids as numbers.
    const numeric = decodeSendMsg(
      (await l.client.postJson(path, { BaseRequest: baseRequest(l), Scene: 0, Msg: { ...msg, Content: 'n', LocalID: 17000000000009, ClientMsgId: 17000000000009 } })).text,
    );
    expect(numeric.ok).toBe(true);
    const sent = (await (await fetch(`${s.origin}/__sim/sent?uin=${l.creds.wxuin}`)).json()) as { msgId: string; to: string; content: string; clientMsgId: string }[];
    expect(sent.map((x) => [x.content, x.to, x.clientMsgId])).toEqual([
      ['你好 <b>', to, '17000000000001234'],
      ['n', to, '17000000000009'],
    ]);
    expect(sent[0]!.msgId).toBe(first.value.MsgID);
  });

  it('refuses an unknown recipient (1204), a foreign FromUserName (1) and a message without ClientMsgId (1)', async () => {
    const s = await start();
    const l = await login(s);
    const { userName } = await init(l);
    const path = `${CGI}/webwxsendmsg?lang=zh_CN&pass_ticket=${pt(l)}`;
    const msg = { Type: 1, Content: 'x', FromUserName: userName, ToUserName: '@nobody', LocalID: '1', ClientMsgId: '1' };
    const send = async (m: object): Promise<number> => JSON.parse((await l.client.postJson(path, { BaseRequest: baseRequest(l), Scene: 0, Msg: m })).text).BaseResponse.Ret;
    expect(await send(msg)).toBe(1204);
    expect(await send({ ...msg, ToUserName: 'filehelper', FromUserName: '@me', ClientMsgId: '2' })).toBe(1);
    expect(await send({ Type: 1, Content: 'x', FromUserName: userName, ToUserName: 'filehelper' })).toBe(1);
    expect(await send({ ...msg, ToUserName: 'filehelper', ClientMsgId: '3' })).toBe(0);
    expect(s.control.sent()).toHaveLength(1);
  });

  it('webwxlogout ends the session: 301 to the web page, then synccheck answers 1101', async () => {
    const s = await start();
    const l = await login(s);
    const { syncKey } = await init(l);
    const res = await l.client.request('POST', `${CGI}/webwxlogout?redirect=1&type=0&skey=${encodeURIComponent(l.creds.skey)}`, {
      body: `sid=${l.creds.wxsid}&uin=${l.creds.wxuin}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`${s.origin}/?&lang=zh_CN`);
    expect((await fetch(`${s.origin}/?&lang=zh_CN`)).status).toBe(200);
    expect(decodeSyncCheck((await l.client.get(syncCheckPath(l, formatSyncKey(syncKey)))).text)).toEqual({ retcode: 1101, selector: 0 });
    expect(s.control.sessions()[0]).toEqual(expect.objectContaining({ alive: false, endRetcode: 1101 }));
  });

  it('a server-side logout answers its retcode at once to a parked synccheck, and Ret to every session call', async () => {
    const s = await start({ hold: 10_000 });
    const l = await login(s);
    const { syncKey } = await init(l);
    const pending = l.client.get(syncCheckPath(l, formatSyncKey(syncKey)));
    while (s.stats().parked === 0) await new Promise((r) => setTimeout(r, 5));
    const res = await fetch(`${s.origin}/__sim/logout`, { method: 'POST', body: JSON.stringify({ uin: l.creds.wxuin, retcode: 1100 }) });
    expect(((await res.json()) as { endRetcode: number }).endRetcode).toBe(1100);
    expect(decodeSyncCheck((await pending).text)).toEqual({ retcode: 1100, selector: 0 });
    expect(decodeSync((await l.client.postJson(syncPath(l), { BaseRequest: baseRequest(l), SyncKey: syncKey })).text)).toEqual({ ok: false, ret: 1100, errMsg: '' });
    expect(decodeInit((await l.client.postJson(initPath(l), { BaseRequest: baseRequest(l) })).text)).toEqual({ ok: false, ret: 1100, errMsg: '' });
  });
});
