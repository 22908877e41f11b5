/**
 * Sessions that outlive their process, over real HTTP with a real session file: a stopped client's
 * successor resumes through `restoring` and receives exactly what it missed; a session the server
 * killed meanwhile is renewed by push login (the phone confirms, no new QR is scanned).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CookieJar } from 'tough-cookie';
import { describe, expect, it } from 'vitest';
import { fileSessionStore } from '../../../src/session/index.js';
import type { InjectedMessage, Simulator } from '../../../src/simulator/index.js';
import { deviceIdsOf, eventually, loginByHand, makeClient, onCleanup, startSim, until, waitParked, type TestClient } from './harness.js';

async function sessionFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'webwx-resume-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'bot.session');
}

function friendOf(sim: Simulator, uin: string): string {
  return sim.control.contacts(uin).find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'))!.UserName;
}

function inject(sim: Simulator, uin: string, texts: readonly string[]): InjectedMessage[] {
  const from = friendOf(sim, uin);
  return texts.map((text) => sim.control.message({ uin, from, text }));
}

const idsOf = (t: TestClient): string[] => t.rec.of('message').map((m) => m.message.MsgId);

const lastSeq = (sim: Simulator): number => sim.control.requests().at(-1)?.seq ?? 0;

describe('a session stored against another server', () => {
  it('is not resumed under a login origin that does not lead to it: no request and no cookie goes to either server, the login starts afresh', async () => {
    const simA = await startSim();
    const file = await sessionFile();
    const first = makeClient(simA, { session: fileSessionStore(file) });
    const { uin } = await loginByHand(simA, first);
    await until(() => existsSync(file));
    await first.client.stop();
    const secretsOfA = simA.control.credentials(uin);
    const aSeen = lastSeq(simA);

    const simB = await startSim();
    const second = makeClient(simB, { session: fileSessionStore(file) });
    await second.client.start();
    await second.rec.waitFor('qr');
    expect(second.rec.of('error')).toEqual([
      { code: 'sessionUntrusted', message: expect.stringContaining(`belongs to ${simA.origin}`) },
    ]);
    expect(second.rec.states()).not.toContain('restoring');
    // Nothing went to A, and B saw none of A's session: no credential in a query or body, no cookie.
    expect(simA.control.requests({ since: aSeen })).toEqual([]);
    const toB = JSON.stringify(simB.control.requests());
    for (const secret of [secretsOfA.sid, secretsOfA.skey, secretsOfA.passTicket, secretsOfA.dataTicket]) expect(toB).not.toContain(secret);
    // The fresh login on B works and replaces the stored session.
    const { uin: uinB } = await loginByHand(simB, second);
    await eventually(async () => (await fileSessionStore(file).load())?.credentials.wxuin === uinB);
  });
});

describe('resume after a restart', () => {
  it('a new client with the same store resumes through restoring and receives exactly what it missed', async () => {
    const sim = await startSim();
    const file = await sessionFile();
    const first = makeClient(sim, { session: fileSessionStore(file) });
    const { uin } = await loginByHand(sim, first);

    const before = inject(sim, uin, ['before 1', 'before 2', 'before 3']);
    await first.rec.messages(3, (m) => before.some((b) => b.msgId === m.MsgId));
    // Let the checkpoint after those messages reach the file, then stop without logout.
    await until(() => sim.stats().parked > 0);
    const stopped = await first.client.stop();
    expect(stopped.reason).toBe('user');
    expect(sim.control.requests({ endpoint: 'webwxlogout' })).toEqual([]);
    expect(existsSync(file)).toBe(true);
    const stored = await fileSessionStore(file).load();
    expect(stored?.credentials.wxuin).toBe(uin);
    expect(stored?.delivered).toEqual(expect.arrayContaining(before.map((b) => b.msgId)));

    // While nobody listens, more arrives (and the old process's parked synccheck has gone).
    const missed = inject(sim, uin, ['while down 1', 'while down 😄 2', 'while down 3']);
    const since = lastSeq(sim);

    const second = makeClient(sim, { session: fileSessionStore(file) });
    await second.client.start();
    await second.rec.waitFor('state', (s) => s.state === 'syncing');
    expect((await second.rec.waitFor('contacts')).count).toBe(sim.control.contacts(uin).length);
    const got = await second.rec.messages(3, (m) => missed.some((x) => x.msgId === m.MsgId));
    expect(got.map((m) => m.Content)).toEqual(['while down 1', 'while down 😄 2', 'while down 3']);

    // And what arrives after the resume, too.
    const after = inject(sim, uin, ['after']);
    await second.rec.messages(1, (m) => m.MsgId === after[0]!.msgId);
    await until(() => sim.control.requests({ since: lastSeq(sim) - 1, endpoint: 'synccheck' }).length > 0 && sim.stats().parked > 0);

    // Exactly the missed and the new ones: nothing from before the restart, nothing twice.
    const all = [...before, ...missed, ...after].map((m) => m.msgId);
    expect(idsOf(second).filter((id) => all.includes(id))).toEqual([...missed, ...after].map((m) => m.msgId));
    expect(new Set(idsOf(second)).size).toBe(idsOf(second).length);

    // Through restoring, with no QR and no login request; one session, one DeviceID.
    expect(second.rec.states()[0]).toBe('restoring');
    expect(second.rec.states()).toEqual(['restoring', 'syncing']);
    expect(second.rec.of('qr')).toEqual([]);
    // One login per process (the peer that told it twice on restart is what not to do).
    expect(second.rec.of('login')).toHaveLength(1);
    const resumed = sim.control.requests({ since });
    expect(resumed.some((r) => r.endpoint === 'jslogin' || r.endpoint === 'login' || r.endpoint === 'webwxnewloginpage')).toBe(false);
    expect(resumed.some((r) => r.endpoint === 'webwxinit')).toBe(true);
    expect(new Set(sim.control.requests().flatMap(deviceIdsOf)).size).toBe(1);
    expect(sim.control.sessions().filter((s) => s.uin === uin)).toHaveLength(1);
    // The resumed client can send on the old session.
    await second.client.send(friendOf(sim, uin), 'back');
    expect(sim.control.sent(uin).map((s) => s.content)).toEqual(['back']);
  });
});

describe('resume while the server is unreachable', () => {
  it('gives up with tooManyFailures after its budget and keeps the stored session for a later try', async () => {
    const sim = await startSim();
    const file = await sessionFile();
    const first = makeClient(sim, { session: fileSessionStore(file) });
    const { uin } = await loginByHand(sim, first);
    await first.client.stop();
    await sim.close();

    const second = makeClient(sim, { session: fileSessionStore(file), maxConsecutiveFailures: 3 });
    await second.client.start();
    const logout = await second.rec.waitFor('logout');
    expect(logout.reason).toBe('tooManyFailures');
    expect(second.rec.of('error').map((e) => e.code)).toEqual(['network', 'network', 'network']);
    expect(second.rec.states()).toEqual(['restoring', 'loggedOut']);
    // An outage says nothing about the session: it stays stored.
    expect((await fileSessionStore(file).load())?.credentials.wxuin).toBe(uin);
  });
});

describe('push login', () => {
  it('renews a session the server killed: restoring → push login → the phone confirms → logged in, no new jslogin', async () => {
    const sim = await startSim();
    const file = await sessionFile();
    const first = makeClient(sim, { session: fileSessionStore(file) });
    const { uin } = await loginByHand(sim, first);
    const oldSid = sim.control.credentials(uin).sid;
    await first.client.stop();

    // The server ends the session while the process is down (logged in elsewhere, expired).
    sim.control.logout({ uin, retcode: 1101 });
    const since = lastSeq(sim);

    const second = makeClient(sim, { session: fileSessionStore(file) });
    await second.client.start();
    const qr = await second.rec.waitFor('qr');
    const pushed = sim.control.uuid(qr.uuid);
    expect(pushed).toMatchObject({ origin: 'push', uin });
    // The phone already shows the prompt: the poll sees it as scanned, then the user confirms.
    await second.rec.waitFor('scanned');
    sim.control.confirm({ uuid: qr.uuid });
    const login = await second.rec.waitFor('login');
    await second.rec.waitFor('state', (s) => s.state === 'syncing');

    const renewed = sim.control.credentials(uin);
    expect(renewed.sid).not.toBe(oldSid);
    expect(login.user.UserName).toBe(renewed.userName);
    const log = sim.control.requests({ since });
    expect(log.filter((r) => r.endpoint === 'jslogin')).toEqual([]);
    expect(log.filter((r) => r.endpoint === 'webwxpushloginurl').map((r) => r.query['uin'])).toEqual([uin]);
    expect(log.filter((r) => r.endpoint === 'login').every((r) => r.query['uuid'] === qr.uuid)).toBe(true);
    expect(second.rec.states()).toEqual(['restoring', 'awaitingScan', 'scanned', 'confirmed', 'initialized', 'syncing']);
    expect(second.rec.of('qr')).toHaveLength(1);
    expect(second.rec.of('login')).toHaveLength(1);

    // The store now holds the renewed session.
    await eventually(async () => (await fileSessionStore(file).load())?.credentials.wxsid === renewed.sid, 10_000, 'the renewed session on file');
    expect((await fileSessionStore(file).load())?.credentials.wxuin).toBe(uin);

    // And the renewed session works end to end.
    const fresh = inject(sim, uin, ['after push login']);
    await second.rec.messages(1, (m) => m.MsgId === fresh[0]!.msgId);
  });

  it('falls back to a new QR when the server refuses the push (the stored cookies are gone)', async () => {
    const sim = await startSim();
    const file = await sessionFile();
    const first = makeClient(sim, { session: fileSessionStore(file) });
    const { uin } = await loginByHand(sim, first);
    await first.client.stop();
    sim.control.logout({ uin, retcode: 1101 });
    // A session saved without its cookies: the push login cannot name the account.
    const stored = (await fileSessionStore(file).load())!;
    await fileSessionStore(file).save({ ...stored, cookies: new CookieJar().serializeSync() });

    const second = makeClient(sim, { session: fileSessionStore(file) });
    await second.client.start();
    const qr = await second.rec.waitFor('qr');
    expect(sim.control.uuid(qr.uuid)?.origin).toBe('qr');
    expect(second.rec.of('error').map((e) => e.code)).toContain('refused');
    // The dead session is forgotten before the new one exists.
    await eventually(async () => (await fileSessionStore(file).load()) === null, 10_000, 'the dead session to be cleared');
    await waitParked(sim, 'login', qr.uuid);
    sim.control.scan({ uuid: qr.uuid, uin });
    await second.rec.waitFor('scanned');
    sim.control.confirm({ uuid: qr.uuid });
    await second.rec.waitFor('state', (s) => s.state === 'syncing');
    expect(second.rec.states()).toEqual(['restoring', 'uuid', 'awaitingScan', 'scanned', 'confirmed', 'initialized', 'syncing']);
    const renewed = sim.control.credentials(uin);
    await eventually(async () => (await fileSessionStore(file).load())?.credentials.wxsid === renewed.sid, 10_000, 'the new session on file');
  });

  it('with the automatic phone, push login completes without any control call', async () => {
    const sim = await startSim();
    const file = await sessionFile();
    const first = makeClient(sim, { session: fileSessionStore(file) });
    const { uin } = await loginByHand(sim, first);
    await first.client.stop();
    sim.control.logout({ uin, retcode: 1100 });
    sim.control.setAuto({ auto: true, autoDelay: 20 });

    const second = makeClient(sim, { session: fileSessionStore(file) });
    await second.client.start();
    await second.rec.waitFor('state', (s) => s.state === 'syncing');
    expect(sim.control.requests({ endpoint: 'jslogin' })).toHaveLength(1);
    expect(sim.control.sessions().filter((s) => s.uin === uin).map((s) => s.alive)).toEqual([false, true]);
  });
});

describe('restart cycles', () => {
  it('stopping mid-page and resuming, again and again, delivers every message exactly once across the processes', async () => {
    const sim = await startSim({ syncPageSize: 2 });
    // Late and lost webwxsync answers and a flaky probe, so stops also land on requests in flight.
    sim.control.setFaults({
      seed: 5,
      rules: [
        { endpoint: 'webwxsync', kind: 'delay', delayMs: 40, probability: 0.5 },
        { endpoint: 'webwxsync', kind: 'truncate', probability: 0.1 },
        { endpoint: 'webwxinit', kind: 'destroy', probability: 0.2 },
      ],
    });
    const file = await sessionFile();
    let current = makeClient(sim, { session: fileSessionStore(file) });
    const { uin } = await loginByHand(sim, current);
    const clients: TestClient[] = [current];
    const injected: InjectedMessage[] = [];

    for (let cycle = 0; cycle < 4; cycle++) {
      const batch = inject(sim, uin, Array.from({ length: 7 }, (_, i) => `cycle ${cycle} #${i}`));
      injected.push(...batch);
      // Stop while the pages of this batch are still being fetched (ContinueFlag pages of 2).
      await current.rec.messages(1, (m) => batch.some((b) => b.msgId === m.MsgId));
      await current.client.stop();
      // Some arrive while no process runs.
      injected.push(...inject(sim, uin, [`cycle ${cycle} while down`]));
      current = makeClient(sim, { session: fileSessionStore(file) });
      clients.push(current);
      await current.client.start();
      await current.rec.waitFor('state', (s) => s.state === 'syncing');
    }
    await current.rec.messages(1, (m) => m.MsgId === injected.at(-1)!.msgId);

    const wanted = new Set(injected.map((m) => m.msgId));
    const everywhere = clients.flatMap((c) => idsOf(c).filter((id) => wanted.has(id)));
    expect(everywhere).toEqual(injected.map((m) => m.msgId));
    // Every resumed process went through restoring, none asked for a QR.
    for (const c of clients.slice(1)) {
      expect(c.rec.states()[0]).toBe('restoring');
      expect(c.rec.of('qr')).toEqual([]);
    }
    expect(sim.control.requests({ endpoint: 'jslogin' })).toHaveLength(1);
  });
});
