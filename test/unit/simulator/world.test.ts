/** The simulator's world as plain logic: no HTTP, a hand-driven clock. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { World, type Presented, type Session } from '../../../src/simulator/world.js';
import { SimError } from '../../../src/simulator/types.js';

function makeWorld(overrides: Partial<ConstructorParameters<typeof World>[0]> = {}): { world: World; clock: { now: number } } {
  const clock = { now: 1_700_000_000_000 };
  const world = new World({ seed: 3, contacts: 25, pageSize: 10, syncPageSize: 4, uuidLifetimeMs: 60_000, now: () => clock.now, ...overrides });
  world.origin = 'http://127.0.0.1:9';
  return { world, clock };
}

/** Scan, see the 201, confirm, and open the session — the happy path, in-process. */
function loginSession(world: World, uin?: string): Session {
  const { uuid } = world.issueUuid();
  world.scan({ uuid, ...(uin !== undefined ? { uin } : {}) });
  const seen = world.pollLogin(uuid, '1');
  if (seen.kind === 'answer') seen.onWritten?.();
  world.confirm({ uuid });
  const ok = world.pollLogin(uuid, '0');
  if (ok.kind !== 'answer' || ok.answer.code !== 200) throw new Error('not confirmed');
  const ticket = new URL(ok.answer.redirectUri).searchParams.get('ticket');
  const opened = world.newLoginPage({ ticket, uuid, desktopHeaders: false });
  if (!opened.ok) throw new Error('login refused');
  return opened.session;
}

function credsOf(s: Session, over: Partial<Presented> = {}): Presented {
  return {
    base: { Uin: Number(s.account.uin), Sid: s.sid, Skey: s.skey },
    querySid: null,
    queryUin: null,
    querySkey: null,
    passTicket: s.passTicket,
    cookieUin: s.account.uin,
    cookieSid: s.sid,
    ...over,
  };
}

const RULES = { base: true, passTicket: 'required', cookies: 'required' } as const;

describe('QR login', () => {
  it('walks pending → scanned → confirmed → consumed, and the ticket works once', () => {
    const { world } = makeWorld();
    const { uuid } = world.issueUuid();
    expect(world.pollLogin(uuid, '1')).toEqual({ kind: 'wait', wakeAt: 1_700_000_060_000 });
    world.scan({ uuid });
    const scanned = world.pollLogin(uuid, '1');
    expect(scanned.kind === 'answer' && scanned.answer.code).toBe(201);
    // Until the 201 was written the client may not have it: it is answered again.
    expect(world.pollLogin(uuid, '0').kind).toBe('answer');
    if (scanned.kind === 'answer') scanned.onWritten?.();
    expect(world.pollLogin(uuid, '0').kind).toBe('wait');
    world.confirm({ uuid });
    const confirmed = world.pollLogin(uuid, '0');
    expect(confirmed.kind === 'answer' && confirmed.answer.code).toBe(200);
    const redirect = confirmed.kind === 'answer' && confirmed.answer.code === 200 ? new URL(confirmed.answer.redirectUri) : null;
    expect(redirect!.origin).toBe('http://127.0.0.1:9');
    const ticket = redirect!.searchParams.get('ticket');
    expect(world.newLoginPage({ ticket: 'forged@qrticket_0', uuid, desktopHeaders: false })).toEqual({ ok: false, ret: 1, message: '' });
    expect(world.newLoginPage({ ticket, uuid, desktopHeaders: false }).ok).toBe(true);
    expect(world.newLoginPage({ ticket, uuid, desktopHeaders: false })).toEqual({ ok: false, ret: 1, message: '' });
    expect(world.uuid(uuid)!.state).toBe('consumed');
  });

  it('expires a QR after its lifetime: the poll answers 400 and it is no longer pending', () => {
    const { world, clock } = makeWorld();
    const { uuid } = world.issueUuid();
    clock.now += 59_999;
    expect(world.pollLogin(uuid, '1').kind).toBe('wait');
    clock.now += 1;
    expect(world.pollLogin(uuid, '1')).toEqual({ kind: 'answer', answer: { code: 400 } });
    expect(world.pendingUuids()).toEqual([]);
    expect(() => world.scan({ uuid })).toThrow(SimError);
  });

  it('records each tip against the one the protocol expects', () => {
    const { world } = makeWorld();
    const { uuid } = world.issueUuid();
    world.recordTip(uuid, '1');
    world.recordTip(uuid, '0');
    world.scan({ uuid });
    const a = world.pollLogin(uuid, '1');
    if (a.kind === 'answer') a.onWritten?.();
    world.recordTip(uuid, '0');
    world.recordTip(uuid, '1');
    world.recordTip(uuid, null);
    expect(world.uuid(uuid)!.tips).toEqual([
      { tip: '1', expected: 1, ok: true },
      { tip: '0', expected: 1, ok: false },
      { tip: '0', expected: 0, ok: true },
      { tip: '1', expected: 0, ok: false },
      { tip: null, expected: 0, ok: false },
    ]);
  });

  it('tells the automatic phone when a 201 was seen, once per uuid', () => {
    const { world } = makeWorld();
    const seen: string[] = [];
    world.onScanSeen((info) => seen.push(info.uuid));
    const { uuid } = world.issueUuid();
    world.scan({ uuid });
    for (let i = 0; i < 2; i++) {
      const a = world.pollLogin(uuid, '1');
      if (a.kind === 'answer') a.onWritten?.();
    }
    expect(seen).toEqual([uuid]);
  });

  it('refuses a web-forbidden account with 1203, and lets the desktop client in', () => {
    const { world } = makeWorld();
    const account = world.createAccount({ webForbidden: true });
    const { uuid } = world.issueUuid();
    world.scan({ uuid, uin: account.uin });
    world.confirm({ uuid });
    const r = world.pollLogin(uuid, '0');
    const ticket = r.kind === 'answer' && r.answer.code === 200 ? new URL(r.answer.redirectUri).searchParams.get('ticket') : null;
    const refused = world.newLoginPage({ ticket, uuid, desktopHeaders: false });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.ret).toBe(1203);
    expect(world.sessions()).toEqual([]);
    const desktop = loginSessionWithHeaders(world, account.uin);
    expect(desktop.account.uin).toBe(account.uin);
  });

  it('gives the same ids and secrets for the same seed (and others for another)', () => {
    // Invariant: everything the world generates is a function of the seed and the call sequence.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        const run = (s: number): string[] => {
          const { world } = makeWorld({ seed: s });
          const session = loginSession(world);
          return [session.sid, session.skey, session.passTicket, session.account.uin, world.contactsOf()[3]!.UserName];
        };
        expect(run(seed)).toEqual(run(seed));
        expect(run(seed)).not.toEqual(run(seed + 1));
      }),
      { numRuns: 20 },
    );
  });
});

function loginSessionWithHeaders(world: World, uin: string): Session {
  const { uuid } = world.issueUuid();
  world.scan({ uuid, uin });
  world.confirm({ uuid });
  const r = world.pollLogin(uuid, '0');
  const ticket = r.kind === 'answer' && r.answer.code === 200 ? new URL(r.answer.redirectUri).searchParams.get('ticket') : null;
  const opened = world.newLoginPage({ ticket, uuid, desktopHeaders: true });
  if (!opened.ok) throw new Error('refused');
  return opened.session;
}

describe('credentials', () => {
  it('accepts the right credentials, the pass_ticket decoded or not, and the Uin as text', () => {
    const { world } = makeWorld();
    const s = loginSession(world);
    expect(world.authenticate(credsOf(s), RULES).ok).toBe(true);
    expect(world.authenticate(credsOf(s, { passTicket: decodeURIComponent(s.passTicket) }), RULES).ok).toBe(true);
    expect(world.authenticate(credsOf(s, { base: { Uin: s.account.uin, Sid: s.sid, Skey: s.skey } }), RULES).ok).toBe(true);
  });

  it('answers 1101 for wrong or missing credentials and 1102 for missing or foreign cookies', () => {
    const { world } = makeWorld();
    const s = loginSession(world);
    const other = loginSession(world);
    const cases: [Partial<Presented>, number][] = [
      [{ base: { Uin: Number(s.account.uin), Sid: s.sid, Skey: 'x' } }, 1101],
      [{ base: { Uin: Number(other.account.uin), Sid: s.sid, Skey: s.skey } }, 1101],
      [{ base: null }, 1101],
      [{ passTicket: null }, 1101],
      [{ passTicket: encodeURIComponent(encodeURIComponent(s.passTicket)) }, 1101],
      [{ querySkey: other.skey }, 1101],
      [{ cookieUin: null, cookieSid: null }, 1102],
      [{ cookieUin: other.account.uin, cookieSid: other.sid }, 1102],
    ];
    for (const [over, ret] of cases) expect(world.authenticate(credsOf(s, over), RULES)).toEqual({ ok: false, ret });
  });

  it('an ended session answers the retcode it ended with; logging in again ends the old one with 1101', () => {
    const { world } = makeWorld();
    const s = loginSession(world);
    world.serverLogout(s.account.uin, 1100);
    expect(world.authenticate(credsOf(s), RULES)).toEqual({ ok: false, ret: 1100 });
    const again = loginSession(world, s.account.uin);
    const third = loginSession(world, s.account.uin);
    expect(world.authenticate(credsOf(again), RULES)).toEqual({ ok: false, ret: 1101 });
    expect(world.authenticate(credsOf(third), RULES).ok).toBe(true);
    expect(again.user.UserName).not.toBe(third.user.UserName);
  });
});

describe('message log and sync keys', () => {
  it('synccheck names the kind of what waits; webwxsync pages it with ContinueFlag; commit moves the server key', () => {
    const { world } = makeWorld();
    const s = loginSession(world);
    const key0 = (world.init(s) as { SyncKey: { List: { Key: number; Val: number }[] } }).SyncKey.List;
    expect(world.syncCheck(s, key0)).toBeNull();
    const from = world.contactsOf()[1]!.UserName;
    const ids = Array.from({ length: 6 }, (_, i) => world.injectMessage({ from, text: `m${i}` }).msgId);
    expect(world.syncCheck(s, key0)).toEqual({ retcode: 0, selector: 2 });
    const first = world.sync(s, key0);
    expect((first.body['AddMsgList'] as { MsgId: string }[]).map((m) => m.MsgId)).toEqual(ids.slice(0, 4));
    expect(first.body['ContinueFlag']).toBe(1);
    expect(s.syncPos).toBe(0);
    first.commit();
    expect(s.syncPos).toBe(4);
    const second = world.sync(s, first.body.SyncKey.List);
    expect((second.body['AddMsgList'] as { MsgId: string }[]).map((m) => m.MsgId)).toEqual(ids.slice(4));
    expect(second.body['ContinueFlag']).toBe(0);
    // Not committed (the answer never reached the client): a re-init still starts at 4.
    const reinit = world.init(s) as { SyncKey: { List: { Key: number; Val: number }[] } };
    expect(reinit.SyncKey.List[0]!.Val).toBe(key0[0]!.Val + 4);
  });

  it('a key the server cannot place falls back to the server key', () => {
    const { world } = makeWorld();
    const s = loginSession(world);
    world.injectMessage({ from: 'filehelper', text: 'x' });
    expect(world.syncCheck(s, null)).toEqual({ retcode: 0, selector: 2 });
    const answer = world.sync(s, [{ Key: 7, Val: 1 }]);
    expect((answer.body['AddMsgList'] as unknown[]).length).toBe(1);
  });

  it('selector 4 for contact changes and 7 for phone activity; 2 wins when messages wait too', () => {
    const { world } = makeWorld();
    const s = loginSession(world);
    const key = (world.init(s) as { SyncKey: { List: { Key: number; Val: number }[] } }).SyncKey.List;
    world.phoneActivity();
    expect(world.syncCheck(s, key)).toEqual({ retcode: 0, selector: 7 });
    world.changeContact({ nickName: '新朋友' });
    expect(world.syncCheck(s, key)).toEqual({ retcode: 0, selector: 4 });
    world.injectMessage({ from: 'filehelper', text: 'x' });
    expect(world.syncCheck(s, key)).toEqual({ retcode: 0, selector: 2 });
    const body = world.sync(s, key).body;
    expect((body['ModContactList'] as { NickName: string }[]).map((c) => c.NickName)).toEqual(['新朋友']);
    expect(world.contactsOf().some((c) => c.NickName === '新朋友')).toBe(true);
  });

  it('notifies watchers of the session on every new entry and on logout', () => {
    const { world } = makeWorld();
    const s = loginSession(world);
    let calls = 0;
    const stop = world.watch(World.sessionKey(s), () => calls++);
    world.injectMessage({ from: 'filehelper', text: 'x' });
    world.phoneActivity();
    world.serverLogout(undefined, 1102);
    stop();
    world.phoneActivity();
    expect(calls).toBe(3);
  });
});

describe('contacts and sends', () => {
  it('pages contacts by Seq: the pages concatenate to the whole list, each UserName once', () => {
    // Invariant: for any list size and page size, paging from 0 until Seq is 0 yields every contact exactly once, in order.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 120 }), (count, pageSize) => {
        const { world } = makeWorld({ contacts: count, pageSize });
        const s = loginSession(world);
        const seen: string[] = [];
        let seq = 0;
        let pages = 0;
        do {
          const page = world.contactPage(s, seq);
          seen.push(...page.MemberList.map((c) => c.UserName));
          seq = page.Seq;
          pages++;
        } while (seq !== 0 && pages < 1000);
        expect(seen).toEqual(world.contactsOf().map((c) => c.UserName));
        expect(new Set(seen).size).toBe(count);
      }),
      { numRuns: 25 },
    );
  });

  it('stores a send once per ClientMsgId and checks sender and recipient', () => {
    const { world } = makeWorld();
    const s = loginSession(world);
    const self = s.user.UserName;
    const to = world.contactsOf()[2]!.UserName;
    const msg = { Type: 1, Content: 'hi', FromUserName: self, ToUserName: to, LocalID: 12, ClientMsgId: 12 };
    const a = world.sendMsg(s, msg);
    const b = world.sendMsg(s, { ...msg, ClientMsgId: '12', LocalID: '12' });
    expect(a.ret).toBe(0);
    expect(b.record!.msgId).toBe(a.record!.msgId);
    expect(world.sent()).toHaveLength(1);
    expect(world.sendMsg(s, { ...msg, ClientMsgId: 13, ToUserName: '@unknown' }).ret).toBe(1204);
    expect(world.sendMsg(s, { ...msg, ClientMsgId: 14, FromUserName: to }).ret).toBe(1);
    expect(world.sendMsg(s, { ...msg, ClientMsgId: 'abc' }).ret).toBe(1);
    expect(world.sendMsg(s, null).ret).toBe(1);
  });

  it('injects into a group from a member by NickName, with the @member:<br/> prefix', () => {
    const { world } = makeWorld({ contacts: 100 });
    const s = loginSession(world);
    const group = world.contactsOf().find((c) => c.UserName.startsWith('@@'))!;
    const member = world.membersOf(group.UserName)[2]!;
    world.injectMessage({ group: group.UserName, from: member.NickName, text: 'a<b' });
    const msg = (world.sync(s, []).body['AddMsgList'] as { FromUserName: string; Content: string }[])[0]!;
    expect(msg.FromUserName).toBe(group.UserName);
    expect(msg.Content).toBe(`${member.UserName}:<br/>a&lt;b`);
    expect(() => world.injectMessage({ group: '@@nosuchgroup', from: 'x', text: 'y' })).toThrow(SimError);
  });
});
