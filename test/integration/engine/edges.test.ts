/**
 * The less travelled paths over real HTTP: faults during the login steps, faults and rate limits
 * while sending, QR codes that expire by themselves, logging out before a session exists, group
 * members fetched for a group that spoke, and phone activity.
 */
import { describe, expect, it } from 'vitest';
import { SendError } from '../../../src/client.js';
import type { Simulator } from '../../../src/simulator/index.js';
import { loginByHand, makeClient, startSim, until, waitParked } from './harness.js';

function friendOf(sim: Simulator, uin: string): string {
  return sim.control.contacts(uin).find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'))!.UserName;
}

describe('faults during login', () => {
  it('retries every login step through its faults and still reaches syncing with all contacts', async () => {
    const sim = await startSim({ contacts: 25, pageSize: 10 });
    sim.control.setFaults({
      rules: [
        { endpoint: 'jslogin', kind: 'destroy', times: 1 },
        { endpoint: 'login', kind: 'status', status: 502, times: 1 },
        { endpoint: 'login', kind: 'destroy', after: 1, times: 1 },
        // Not processed, so the single-use ticket is still good for the retry.
        { endpoint: 'webwxnewloginpage', kind: 'destroy', times: 1 },
        { endpoint: 'webwxinit', kind: 'truncate', times: 1 },
        { endpoint: 'webwxinit', kind: 'ret', ret: -1, times: 1 },
        { endpoint: 'webwxstatusnotify', kind: 'status', status: 500, times: 1 },
        { endpoint: 'webwxgetcontact', kind: 'invalidJson', after: 1, times: 1 },
        { endpoint: 'webwxgetcontact', kind: 'destroy', after: 2, times: 1 },
      ],
    });
    const t = makeClient(sim);
    const { uin } = await loginByHand(sim, t);
    expect(sim.control.faultsFired()).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(t.rec.of('error')).toHaveLength(9);
    expect(t.rec.of('logout')).toEqual([]);
    // A failed page is fetched again from its own Seq: every contact counted once.
    expect((await t.rec.waitFor('contacts')).count).toBe(sim.control.contacts(uin).length);
    expect(t.rec.of('login')).toHaveLength(1);
    expect(t.rec.of('qr')).toHaveLength(1);
    const msg = sim.control.message({ uin, from: friendOf(sim, uin), text: 'made it' });
    await t.rec.messages(1, (m) => m.MsgId === msg.msgId);
  });

  it('a login server that keeps failing ends with tooManyFailures', async () => {
    const sim = await startSim();
    sim.control.setFaults({ rules: [{ endpoint: 'jslogin', kind: 'status', status: 503 }] });
    const t = makeClient(sim, { maxConsecutiveFailures: 3 });
    await t.client.start();
    const logout = await t.rec.waitFor('logout');
    expect(logout.reason).toBe('tooManyFailures');
    expect(sim.control.faultsFired()).toEqual([3]);
    expect(t.rec.of('qr')).toEqual([]);
  });
});

describe('sending through faults', () => {
  it('a send whose answer was lost is retried with the same ClientMsgId and stored once', async () => {
    const sim = await startSim();
    const t = makeClient(sim);
    const { uin } = await loginByHand(sim, t);
    sim.control.setFaults({
      rules: [
        { endpoint: 'webwxsendmsg', kind: 'destroy', times: 1 },
        // Processed by the server, then cut: the retry must not store a second message.
        { endpoint: 'webwxsendmsg', kind: 'truncate', times: 1 },
        { endpoint: 'webwxsendmsg', kind: 'ret', ret: 1205, times: 1 },
      ],
    });
    const to = friendOf(sim, uin);
    const sent = await t.client.send(to, 'exactly once');
    const onServer = sim.control.sent(uin);
    expect(onServer).toHaveLength(1);
    expect(onServer[0]).toMatchObject({ content: 'exactly once', clientMsgId: sent.clientMsgId, msgId: sent.msgId });
    const attempts = sim.control.requests({ endpoint: 'webwxsendmsg' });
    expect(attempts).toHaveLength(4);
    expect(new Set(attempts.map((r) => (r.body as { Msg: { ClientMsgId: string } }).Msg.ClientMsgId))).toEqual(new Set([sent.clientMsgId]));
    expect(t.rec.of('sent')).toHaveLength(1);
  });

  it('a refused send rejects with SendError naming the Ret; the session goes on', async () => {
    const sim = await startSim();
    const t = makeClient(sim);
    const { uin } = await loginByHand(sim, t);
    // 1204: not a contact of this account.
    const error = await t.client.send('@nosuchuser0000', 'hello?').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SendError);
    expect(error).toMatchObject({ reason: 'rejected', ret: 1204, to: '@nosuchuser0000' });
    expect(sim.control.sent(uin)).toEqual([]);
    await t.client.send(friendOf(sim, uin), 'but this works');
    expect(sim.control.sent(uin).map((s) => s.content)).toEqual(['but this works']);
  });

  it('sends queued before the login finish after it, in order', async () => {
    const sim = await startSim({ auto: true, autoDelay: 20 });
    const t = makeClient(sim);
    const pending = [t.client.send('filehelper', 'queued 1'), t.client.send('filehelper', 'queued 2')];
    await t.client.start();
    await Promise.all(pending);
    expect(sim.control.sent().map((s) => s.content)).toEqual(['queued 1', 'queued 2']);
  });
});

describe('QR codes that expire by themselves', () => {
  it('a uuid whose lifetime ends during the held poll is replaced until the budget is spent', async () => {
    const sim = await startSim({ uuidLifetimeMs: 150, hold: 1_000 });
    const t = makeClient(sim, { maxQrRefreshes: 2 });
    await t.client.start();
    expect(await t.rec.waitFor('logout')).toEqual({ reason: 'qrExpired' });
    expect(t.rec.of('qr')).toHaveLength(3);
    expect(sim.control.requests({ endpoint: 'jslogin' })).toHaveLength(3);
  });
});

describe('logout before a session exists', () => {
  it('while waiting for the scan: ends as user, aborts the held poll, sends no webwxlogout', async () => {
    const sim = await startSim({ hold: 20_000 });
    const t = makeClient(sim, { longPollTimeoutMs: 30_000 });
    await t.client.start();
    const qr = await t.rec.waitFor('qr');
    await waitParked(sim, 'login', qr.uuid);
    await until(() => sim.stats().parked === 1);
    expect(await t.client.logout()).toEqual({ reason: 'user' });
    // The held poll was given up at once (not left to the 20 s hold).
    await until(() => sim.stats().parked === 0, 10_000, 'the held poll to be dropped');
    expect(sim.control.requests({ endpoint: 'webwxlogout' })).toEqual([]);
    expect(t.rec.states().at(-1)).toBe('loggedOut');
  });
});

describe('group members and phone activity', () => {
  it('fetches the members of webwxinit\'s recent groups at once, and of another group when it first speaks, without holding its message back', async () => {
    const sim = await startSim({ contacts: 120 });
    const t = makeClient(sim);
    const { uin } = await loginByHand(sim, t);
    const asked = (): string[][] =>
      sim.control.requests({ endpoint: 'webwxbatchgetcontact' }).map((r) => (r.body as { List: { UserName: string }[] }).List.map((x) => x.UserName));
    // webwxinit lists the first two groups (members without names): fetched as the session starts.
    const groups = sim.control.contacts(uin).filter((c) => c.UserName.startsWith('@@'));
    await until(() => asked().length === 1);
    expect(asked()).toEqual([[groups[0]!.UserName, groups[1]!.UserName]]);
    // A later group is known without members: its first message asks for them.
    const group = groups[groups.length - 1]!;
    expect(groups.indexOf(group)).toBeGreaterThanOrEqual(2);
    const member = sim.control.members(group.UserName, uin)[0]!;
    const msg = sim.control.message({ uin, group: group.UserName, from: member.UserName, text: 'hello group' });
    const [got] = await t.rec.messages(1, (m) => m.MsgId === msg.msgId);
    expect(got).toMatchObject({ IsGroup: true, SenderUserName: member.UserName, Content: 'hello group' });
    await until(() => asked().length === 2);
    expect(asked()[1]).toEqual([group.UserName]);
    // The second message of that group does not ask again.
    const again = sim.control.message({ uin, group: group.UserName, from: member.UserName, text: 'again' });
    await t.rec.messages(1, (m) => m.MsgId === again.msgId);
    await until(() => sim.stats().parked > 0);
    expect(asked()).toHaveLength(2);
  });

  it('phone activity (selector 7) and contact changes (selector 4) are fetched once, without a loop of requests', async () => {
    const sim = await startSim();
    const t = makeClient(sim);
    const { uin } = await loginByHand(sim, t);
    await until(() => sim.stats().parked > 0);
    const since = sim.control.requests().at(-1)!.seq;
    const activity = sim.control.phoneActivity(uin);
    const [own] = await t.rec.messages(1, (m) => m.MsgId === activity.msgId);
    expect(own).toMatchObject({ MsgType: 51, isSelf: true });
    sim.control.changeContact({ uin, nickName: '新朋友' });
    await until(() => sim.control.sessions()[0]!.syncPos === sim.control.sessions()[0]!.head && sim.stats().parked > 0);
    const loop = sim.control.requests({ since }).filter((r) => r.endpoint === 'webwxsync');
    expect(loop.length).toBeGreaterThanOrEqual(1);
    expect(loop.length).toBeLessThanOrEqual(2);
  });
});

describe('logout while a send is in flight', () => {
  it('rejects the pending send with loggedOut, aborts the held requests and still sends webwxlogout', async () => {
    const sim = await startSim({ hold: 20_000 });
    const t = makeClient(sim, { longPollTimeoutMs: 30_000, requestTimeoutMs: 30_000 });
    const { uin } = await loginByHand(sim, t);
    // The server sits on the send long enough for the logout to overtake it.
    sim.control.setFaults({ rules: [{ endpoint: 'webwxsendmsg', kind: 'delay', delayMs: 20_000 }] });
    const pending = t.client.send(friendOf(sim, uin), 'too late').catch((err: unknown) => err);
    await until(() => sim.control.requests({ endpoint: 'webwxsendmsg' }).length === 1 && sim.stats().inFlight >= 2);
    expect(await t.client.logout()).toEqual({ reason: 'user' });
    const error = await pending;
    expect(error).toBeInstanceOf(SendError);
    expect(error).toMatchObject({ reason: 'loggedOut', to: friendOf(sim, uin) });
    expect(sim.control.requests({ endpoint: 'webwxlogout' })).toHaveLength(1);
    // Neither the 20 s synccheck hold nor the 20 s send delay was waited out: the client hung up.
    await until(() => sim.stats().inFlight === 0, 10_000, 'the held requests to be dropped');
    expect(sim.control.sent(uin)).toEqual([]);
  });
});

describe('desktop (UOS) login', () => {
  it('logs in an account that web login forbids, with the desktop redirect and headers', async () => {
    const sim = await startSim();
    const account = sim.control.createAccount({ webForbidden: true });
    const t = makeClient(sim, { uos: true });
    await t.client.start();
    const qr = await t.rec.waitFor('qr');
    await waitParked(sim, 'login', qr.uuid);
    sim.control.scan({ uuid: qr.uuid, uin: account.uin });
    await t.rec.waitFor('scanned');
    sim.control.confirm({ uuid: qr.uuid });
    await t.rec.waitFor('state', (s) => s.state === 'syncing');
    expect(sim.control.uuid(qr.uuid)!.desktop).toBe(true);
    const page = sim.control.requests({ endpoint: 'webwxnewloginpage' })[0]!;
    expect(page.headers['client-version']).toBe('2.0.0');
    expect(page.headers['extspam']).toBeTruthy();
    expect(t.rec.of('logout')).toEqual([]);
  });
});

describe('message types', () => {
  it('delivers media, app, system and recall messages with their types, decoded, once each and in order', async () => {
    const sim = await startSim({ contacts: 60 });
    const t = makeClient(sim);
    const { uin } = await loginByHand(sim, t);
    const friend = friendOf(sim, uin);
    const group = sim.control.contacts(uin).find((c) => c.UserName.startsWith('@@'))!.UserName;
    const member = sim.control.members(group, uin)[0]!.UserName;
    const injected = [
      sim.control.message({ uin, from: friend, text: 'picture', type: 3 }),
      sim.control.message({ uin, from: friend, text: 'A & B <news>', type: 49 }),
      sim.control.message({ uin, from: member, group, text: 'voice', type: 34 }),
      sim.control.message({ uin, from: member, group, text: '"x" joined the group', type: 10000 }),
      sim.control.message({ uin, from: friend, text: 'you recalled a message', type: 10002 }),
    ];
    const got = await t.rec.messages(5, (m) => injected.some((x) => x.msgId === m.MsgId));
    expect(got.map((m) => m.MsgId)).toEqual(injected.map((m) => m.msgId));
    expect(got.map((m) => m.MsgType)).toEqual([3, 49, 34, 10000, 10002]);
    // XML inside Content arrives unescaped once: readable XML, not entities.
    expect(got[0]!.Content).toMatch(/^<\?xml version="1.0"\?>\n<msg>/);
    expect(got[1]).toMatchObject({ AppMsgType: 5, IsGroup: false });
    expect(got[1]!.Content).toContain('<title>A &amp; B &lt;news&gt;</title>');
    // A member's media in a group names the member; a system notice in a group names nobody.
    expect(got[2]).toMatchObject({ IsGroup: true, SenderUserName: member });
    expect(got[2]!.Content.startsWith('@')).toBe(false);
    expect(got[3]).toMatchObject({ IsGroup: true, Content: '"x" joined the group' });
    expect(got[3]!.SenderUserName).toBeUndefined();
    // The simulator's recall takes back the message before it.
    expect(got[4]!.Content).toContain(`<msgid>${injected[3]!.msgId}</msgid>`);
  });
});

describe('a server that never answers', () => {
  it('a silent synccheck ends at the long-poll deadline as a timeout; the loop goes on and the message arrives once', async () => {
    const sim = await startSim({ hold: 200 });
    const t = makeClient(sim, { longPollTimeoutMs: 800 });
    const { uin } = await loginByHand(sim, t);
    sim.control.setFaults({ rules: [{ endpoint: 'synccheck', kind: 'silence', times: 1 }] });
    await until(() => sim.control.faultsFired()[0] === 1, 5_000, 'the silent synccheck');
    const msg = sim.control.message({ uin, from: friendOf(sim, uin), text: 'after the silence' });
    await t.rec.messages(1, (m) => m.MsgId === msg.msgId);
    expect(t.rec.of('error').map((e) => e.code)).toContain('timeout');
    expect(t.rec.of('message').filter((e) => e.message.MsgId === msg.msgId)).toHaveLength(1);
    expect(t.rec.states().at(-1)).toBe('syncing');
  });
});
