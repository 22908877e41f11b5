/**
 * The sync loop over real HTTP: ContinueFlag paging, the server ending the session (1100/1101/1102),
 * and faults of every kind on synccheck and webwxsync while messages keep arriving.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSessionStore } from '../../../src/session/index.js';
import type { FaultRule, InjectedMessage, Simulator } from '../../../src/simulator/index.js';
import { expectNoSecrets, loginByHand, makeClient, onCleanup, startSim, until, type TestClient } from './harness.js';

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'webwx-engine-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The seq of the newest request in the simulator's log. */
const lastSeq = (sim: Simulator): number => sim.control.requests().at(-1)?.seq ?? 0;

/** Injects `count` texts from one contact; their ids in order. */
function inject(sim: Simulator, uin: string, count: number, label: string): InjectedMessage[] {
  const from = sim.control.contacts(uin).find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'))!.UserName;
  return Array.from({ length: count }, (_, i) => sim.control.message({ uin, from, text: `${label} ${i}` }));
}

/** Every delivered message with one of these ids, asserted to be exactly them, once each, in order. */
async function expectDeliveredOnce(sim: Simulator, t: TestClient, injected: readonly InjectedMessage[]): Promise<void> {
  const ids = injected.map((m) => m.msgId);
  const wanted = new Set(ids);
  await t.rec.messages(ids.length, (m) => wanted.has(m.MsgId));
  // Give a duplicate the chance to show up: the client must come back to a synccheck that finds nothing.
  const since = lastSeq(sim);
  await until(() => sim.control.requests({ since, endpoint: 'synccheck' }).length > 0 && sim.stats().parked > 0, 10_000, 'a quiet synccheck');
  const all = t.rec.of('message').map((m) => m.message.MsgId);
  expect(all.filter((id) => wanted.has(id))).toEqual(ids);
  expect(new Set(all).size).toBe(all.length);
}

describe('ContinueFlag', () => {
  it('fetches page after page at once, without synccheck between them, and delivers all in order', async () => {
    const sim = await startSim({ syncPageSize: 4 });
    const t = makeClient(sim);
    const { uin } = await loginByHand(sim, t);
    // Settle into the loop: the status-notify message delivered, a synccheck parked with nothing new.
    await until(() => sim.stats().parked > 0 && sim.control.sessions()[0]!.syncPos === sim.control.sessions()[0]!.head);
    const since = lastSeq(sim);

    const injected = inject(sim, uin, 18, 'burst');
    await expectDeliveredOnce(sim, t, injected);

    const loop = (r: { endpoint: string | null }): boolean => r.endpoint === 'synccheck' || r.endpoint === 'webwxsync';
    // The parked synccheck (already logged) answers selector 2, then ceil(18 / 4) = 5 webwxsync calls follow in a row.
    expect(sim.control.requests().filter((r) => r.seq <= since && loop(r)).at(-1)?.endpoint).toBe('synccheck');
    const after = sim.control.requests({ since }).filter(loop);
    const run = after.slice(0, 5);
    expect(run.map((r) => r.endpoint)).toEqual(Array(5).fill('webwxsync'));
    expect(after[5]?.endpoint ?? 'synccheck').toBe('synccheck');
    // Each page asked from where the previous one ended: five distinct keys. Pages 2–5 left as
    // read-aheads while the page before was being delivered; the machine's own call for each took
    // its read-ahead over, so no page was asked for twice.
    expect(new Set(run.map((r) => JSON.stringify((r.body as { SyncKey: unknown }).SyncKey))).size).toBe(5);
  });
});

describe('bulk injection (POST /__sim/messages)', () => {
  it('wakes the parked synccheck once, and the client delivers every message of the batch once, in order, across pages', async () => {
    const sim = await startSim();
    const t = makeClient(sim);
    const { uin } = await loginByHand(sim, t);
    await until(() => sim.stats().parked > 0 && sim.control.sessions()[0]!.syncPos === sim.control.sessions()[0]!.head);
    const contacts = sim.control.contacts(uin);
    const friend = contacts.find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'))!.UserName;
    const group = contacts.find((c) => c.UserName.startsWith('@@'))!.UserName;
    const member = sim.control.members(group, uin)[0]!.UserName;
    const batch = Array.from({ length: 1_200 }, (_, i) =>
      i % 3 === 0 ? { from: member, group, text: `group ${i} <` } : i % 3 === 1 ? { from: friend, text: `text ${i}` } : { from: friend, text: `link ${i}`, type: 49 },
    );
    const since = lastSeq(sim);
    const res = await fetch(`${sim.origin}/__sim/messages`, { method: 'POST', body: JSON.stringify({ uin, messages: batch }) });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { uin: string; count: number; msgIds: string[] };
    expect(answer).toMatchObject({ uin, count: 1_200 });
    await expectDeliveredOnce(
      sim,
      t,
      answer.msgIds.map((msgId) => ({ uin, msgId, from: '', to: '' })),
    );
    const delivered = t.rec.of('message').map((m) => m.message);
    const group0 = delivered.find((m) => m.MsgId === answer.msgIds[0])!;
    expect(group0).toMatchObject({ IsGroup: true, SenderUserName: member, Content: 'group 0 <' });
    // One wake: between the parked synccheck and the quiet one after the batch, only webwxsync pages.
    const loop = sim.control.requests({ since }).filter((r) => r.endpoint === 'synccheck' || r.endpoint === 'webwxsync');
    const pages = loop.findIndex((r) => r.endpoint === 'synccheck');
    expect(pages).toBe(Math.ceil(1_200 / 50));
  });
});

describe('the server ends the session', () => {
  it.each([1100, 1101, 1102] as const)('retcode %i: logout reason remote with that retcode, and the stored session is cleared', async (retcode) => {
    const sim = await startSim();
    const file = join(await tempDir(), 'bot.session');
    const t = makeClient(sim, { session: fileSessionStore(file) });
    const { uin } = await loginByHand(sim, t);
    await until(() => existsSync(file), 10_000, 'the session file');
    expect(await fileSessionStore(file).load()).toMatchObject({ credentials: { wxuin: uin } });

    sim.control.logout({ uin, retcode });
    const logout = await t.rec.waitFor('logout');
    expect(logout).toEqual({ reason: 'remote', retcode });
    await expect(t.client.done).resolves.toEqual({ reason: 'remote', retcode });
    await until(() => !existsSync(file), 10_000, 'the session file to be removed');
    expect(await fileSessionStore(file).load()).toBeNull();
    // The server ended it: no webwxlogout is sent for a session that is already over.
    expect(sim.control.requests({ endpoint: 'webwxlogout' })).toEqual([]);
  });
  it('any other non-zero synccheck retcode also ends the session with that code (PROTOCOL.md), without spinning', async () => {
    const sim = await startSim();
    const t = makeClient(sim);
    const { uin } = await loginByHand(sim, t);
    await until(() => sim.stats().parked > 0);
    sim.control.setFaults({ rules: [{ endpoint: 'synccheck', kind: 'ret', ret: -1, uin, times: 1 }] });
    // Wake the parked synccheck so that the next one meets the fault.
    sim.control.message({ uin, from: 'filehelper', text: 'wake up' });
    const logout = await t.rec.waitFor('logout');
    expect(logout).toEqual({ reason: 'remote', retcode: -1 });
    expect(t.rec.of('error')).toEqual([]);
    expect(sim.control.faultsFired()).toEqual([1]);
  });
});

describe('faults', () => {
  it('reports, backs off and still delivers every message exactly once', async () => {
    const sim = await startSim({ syncPageSize: 3 });
    const t = makeClient(sim, { maxConsecutiveFailures: 20 });
    const { uin } = await loginByHand(sim, t);
    await until(() => sim.stats().parked > 0);

    const rules: FaultRule[] = [
      { endpoint: 'synccheck', kind: 'destroy', uin, times: 1 },
      { endpoint: 'synccheck', kind: 'status', status: 503, uin, times: 1 },
      { endpoint: 'synccheck', kind: 'invalidJson', uin, times: 1 },
      { endpoint: 'synccheck', kind: 'truncate', uin, times: 1 },
      { endpoint: 'webwxsync', kind: 'truncate', uin, times: 2 },
      { endpoint: 'webwxsync', kind: 'invalidJson', uin, times: 2 },
      { endpoint: 'webwxsync', kind: 'destroy', uin, times: 1 },
      { endpoint: 'webwxsync', kind: 'status', status: 502, uin, times: 1 },
      { endpoint: 'webwxsync', kind: 'ret', ret: -1, uin, times: 2 },
      // A gateway page quoting the request's secrets back; an answer above the 16 MiB cap.
      { endpoint: 'webwxsync', kind: 'errorPage', uin, times: 1 },
      { endpoint: 'webwxsync', kind: 'oversize', uin, times: 1 },
      // Not failures: a selector with nothing behind it, answers that arrive late but whole.
      { endpoint: 'synccheck', kind: 'selector', selector: 3, uin, times: 2 },
      { endpoint: 'webwxsync', kind: 'delay', delayMs: 50, uin, probability: 0.3 },
    ];
    const FAILING = 11;
    sim.control.setFaults({ seed: 7, rules });

    const injected: InjectedMessage[] = [];
    for (let round = 0; round < 6; round++) {
      injected.push(...inject(sim, uin, 5, `round ${round}`));
      // The next round arrives while the client is somewhere in its retries.
      await t.rec.waitFor('error', () => t.rec.of('error').length > round, 3_000).catch(() => undefined);
    }
    await expectDeliveredOnce(sim, t, injected);
    const fired = sim.control.faultsFired();
    expect(fired.slice(0, FAILING + 1).every((n) => n >= 1), `fired: ${fired.join(',')}`).toBe(true);
    // Each failed answer was one fault the machine handled: one error event each, none ended the session.
    const failedAnswers = fired.slice(0, FAILING).reduce((a, b) => a + b, 0);
    expect(t.rec.of('error')).toHaveLength(failedAnswers);

    const codes = new Set(t.rec.of('error').map((e) => e.code));
    expect(codes.has('network')).toBe(true);
    expect(codes.has('httpStatus')).toBe(true);
    expect(codes.has('badResponse')).toBe(true);
    expect(codes.has('refused')).toBe(true);
    expect(codes.has('tooLarge')).toBe(true);
    // Still in the loop: the faults were survived, not ended on.
    expect(t.client.state()).toBe('syncing');
    expect(t.rec.of('logout')).toEqual([]);
    // No secret in any error message (nor any other event).
    expectNoSecrets(t.rec, sim.control.credentials(uin));
  });

  it('a server that keeps failing ends the session with tooManyFailures', async () => {
    const sim = await startSim();
    const t = makeClient(sim, { maxConsecutiveFailures: 4 });
    const { uin } = await loginByHand(sim, t);
    await until(() => sim.stats().parked > 0);
    sim.control.setFaults({ rules: [{ endpoint: 'synccheck', kind: 'status', status: 500, uin }] });
    // Wake the parked synccheck so that the next one meets the plan.
    inject(sim, uin, 1, 'wake');

    const logout = await t.rec.waitFor('logout');
    expect(logout.reason).toBe('tooManyFailures');
    expect(logout.message).toMatch(/synccheck/);
    const errors = t.rec.of('error').filter((e) => e.code === 'httpStatus');
    expect(errors).toHaveLength(4);
    // The budget counts consecutive faults: exactly that many failing synccheck calls, then nothing.
    expect(sim.control.faultsFired()).toEqual([4]);
    expect(t.client.state()).toBe('loggedOut');
    // In the order things happened: the last fault, then the state it led to, then the logout.
    const tail = t.rec.events.slice(-3).map((e) => (e.event === 'state' ? `state:${e.payload.state}` : e.event));
    expect(tail).toEqual(['error', 'state:loggedOut', 'logout']);
  });
});
