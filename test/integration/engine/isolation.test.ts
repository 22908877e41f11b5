/**
 * Two clients in one process, two accounts on one simulator (one origin, so one cookie domain):
 * nothing leaks between them — cookies, DeviceIDs, keys, messages, sends.
 */
import { describe, expect, it } from 'vitest';
import type { RequestRecord, Simulator } from '../../../src/simulator/index.js';
import { deviceIdsOf, loginByHand, makeClient, startSim, until } from './harness.js';

const cookiesOf = (r: RequestRecord): Map<string, string> => {
  const out = new Map<string, string>();
  for (const part of (r.headers['cookie'] ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
};

function friendOf(sim: Simulator, uin: string): string {
  return sim.control.contacts(uin).find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'))!.UserName;
}

describe('two clients in one process', () => {
  it('share no cookies, device ids, keys or messages', async () => {
    const sim = await startSim();
    const a = makeClient(sim);
    const b = makeClient(sim);
    const { uin: uinA } = await loginByHand(sim, a);
    const { uin: uinB } = await loginByHand(sim, b);
    expect(uinA).not.toBe(uinB);
    const credsA = sim.control.credentials(uinA);
    const credsB = sim.control.credentials(uinB);

    // Both receive at the same time, each only its own.
    const toA = [1, 2, 3].map((i) => sim.control.message({ uin: uinA, from: friendOf(sim, uinA), text: `for A ${i}` }));
    const toB = [1, 2, 3].map((i) => sim.control.message({ uin: uinB, from: friendOf(sim, uinB), text: `for B ${i}` }));
    const [gotA, gotB] = await Promise.all([
      a.rec.messages(3, (m) => m.Content.startsWith('for ')),
      b.rec.messages(3, (m) => m.Content.startsWith('for ')),
    ]);
    expect(gotA.map((m) => m.MsgId)).toEqual(toA.map((m) => m.msgId));
    expect(gotB.map((m) => m.MsgId)).toEqual(toB.map((m) => m.msgId));
    expect(gotA.every((m) => m.ToUserName === credsA.userName)).toBe(true);
    expect(gotB.every((m) => m.ToUserName === credsB.userName)).toBe(true);

    // Each send lands on its own account.
    await Promise.all([a.client.send(friendOf(sim, uinA), 'from A'), b.client.send(friendOf(sim, uinB), 'from B')]);
    expect(sim.control.sent(uinA).map((s) => s.content)).toEqual(['from A']);
    expect(sim.control.sent(uinB).map((s) => s.content)).toEqual(['from B']);

    // A round of quiet syncchecks from both, so the log holds each client's loop after the other's login.
    await until(() => sim.stats().parked >= 2);

    // Two DeviceIDs, one per client, each presented only with its own account's credentials.
    const sessionRequests = sim.control.requests().filter((r) => deviceIdsOf(r).length > 0);
    const deviceOf = new Map<string, string>();
    for (const r of sessionRequests) {
      const base = (r.body as { BaseRequest?: { Uin?: unknown } } | null)?.BaseRequest;
      const uin = base?.Uin !== undefined ? String(base.Uin) : (r.query['uin'] ?? '');
      for (const id of deviceIdsOf(r)) {
        if (!deviceOf.has(id)) deviceOf.set(id, uin);
        expect(deviceOf.get(id), `${r.endpoint} with DeviceID of another account`).toBe(uin);
      }
    }
    expect(deviceOf.size).toBe(2);
    expect(new Set(deviceOf.values())).toEqual(new Set([uinA, uinB]));

    // Cookies: every request that carries a session's cookies carries its own account's only.
    const credsByUin = new Map([
      [uinA, credsA],
      [uinB, credsB],
    ]);
    for (const r of sim.control.requests()) {
      const cookies = cookiesOf(r);
      const ids = deviceIdsOf(r);
      if (ids.length === 0) continue;
      const uin = deviceOf.get(ids[0]!)!;
      const own = credsByUin.get(uin)!;
      if (r.endpoint === 'synccheck' || r.endpoint === 'webwxsync' || r.endpoint === 'webwxgetcontact') {
        expect(cookies.get('wxuin'), `${r.endpoint} cookies`).toBe(uin);
        expect(cookies.get('wxsid')).toBe(own.sid);
        expect(cookies.get('webwx_data_ticket')).toBe(own.dataTicket);
      }
      if (r.query['sid'] !== undefined) expect(r.query['sid']).toBe(own.sid);
      if (r.query['skey'] !== undefined) expect(r.query['skey']).toBe(own.skey);
      if (r.query['pass_ticket'] !== undefined) expect(r.query['pass_ticket']).toBe(own.passTicket);
    }

    // B logged in after A had its cookies (same host): B's login requests carried none of A's.
    const qrB = b.rec.of('qr')[0]!;
    const loginB = sim.control.requests().filter((r) => r.endpoint === 'login' && r.query['uuid'] === qrB.uuid);
    expect(loginB.length).toBeGreaterThan(0);
    for (const r of loginB) expect(cookiesOf(r).get('wxuin')).toBeUndefined();
    const jsloginB = sim.control.requests({ endpoint: 'jslogin' })[1]!;
    expect(cookiesOf(jsloginB).size).toBe(0);

    // The sessions each client would store are each its own.
    const sessionA = a.client.session()!;
    const sessionB = b.client.session()!;
    expect(sessionA.credentials.wxuin).toBe(uinA);
    expect(sessionB.credentials.wxuin).toBe(uinB);
    expect(sessionA.credentials.deviceId).not.toBe(sessionB.credentials.deviceId);
    expect(JSON.stringify(sessionA.cookies)).not.toContain(credsB.sid);
    expect(JSON.stringify(sessionB.cookies)).not.toContain(credsA.sid);

    // One logs out; the other goes on receiving.
    await a.client.logout();
    const later = sim.control.message({ uin: uinB, from: friendOf(sim, uinB), text: 'still here' });
    await b.rec.messages(1, (m) => m.MsgId === later.msgId);
    expect(b.client.state()).toBe('syncing');
    expect(sim.control.sessions().map((s) => [s.uin, s.alive])).toEqual([
      [uinA, false],
      [uinB, true],
    ]);
  });
});

describe('one account, two clients', () => {
  it('a second login of the same account ends the first session (1101, logged in elsewhere), not the new one', async () => {
    const sim = await startSim();
    const first = makeClient(sim);
    const { uin } = await loginByHand(sim, first);
    const second = makeClient(sim);
    await second.client.start();
    const qr = await second.rec.waitFor('qr');
    sim.control.scan({ uuid: qr.uuid, uin });
    await second.rec.waitFor('scanned');
    sim.control.confirm({ uuid: qr.uuid });
    await second.rec.waitFor('state', (s) => s.state === 'syncing');

    expect(await first.rec.waitFor('logout')).toEqual({ reason: 'remote', retcode: 1101 });
    const msg = sim.control.message({ uin, from: friendOf(sim, uin), text: 'to the new session' });
    await second.rec.messages(1, (m) => m.MsgId === msg.msgId);
    expect(first.rec.of('message').some((m) => m.message.MsgId === msg.msgId)).toBe(false);
    expect(second.client.state()).toBe('syncing');
  });
});
