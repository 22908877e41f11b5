/**
 * Sends under trouble. Ret 1205 (too frequent) waits a growing back-off, the sends behind it stay
 * queued in order; an answer lost after the server stored the message (cut off, or never coming
 * until the client's timeout) is retried with the same ClientMsgId, which the server dedupes —
 * never a second stored message; past the attempt budget the send fails with `sendFailed` and
 * its reason, and the session goes on.
 */
import { describe, expect, it } from 'vitest';
import { SendError } from '../../src/client.js';
import { DEFAULT_MAX_SEND_ATTEMPTS } from '../../src/machines/webwx.machine.js';
import type { RequestRecord, Simulator } from '../../src/simulator/index.js';
import { loginByHand, makeClient, onCleanup, startSim, type TestClient } from '../integration/engine/harness.js';
import { startHostileProxy } from './hostile-proxy.js';

const SEND_DELAYS = { sendRetryBaseMs: 40, sendRetryMaxMs: 200 };

const clientMsgIdOf = (r: RequestRecord): string => (r.body as { Msg: { ClientMsgId: string } }).Msg.ClientMsgId;
const friendOf = (sim: Simulator, uin: string): string =>
  sim.control.contacts(uin).find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'))!.UserName;

async function loggedIn(options: Parameters<typeof makeClient>[1] = {}): Promise<{ sim: Simulator; t: TestClient; uin: string; friend: string }> {
  const sim = await startSim();
  const t = makeClient(sim, { ...options, delays: { ...options.delays, ...SEND_DELAYS } });
  const { uin } = await loginByHand(sim, t);
  return { sim, t, uin, friend: friendOf(sim, uin) };
}

describe('Ret 1205: sending too often', () => {
  it('waits a growing back-off and retries the same ClientMsgId; the sends behind it wait their turn, in order', async () => {
    const { sim, t, uin, friend } = await loggedIn();
    sim.control.setFaults({ rules: [{ endpoint: 'webwxsendmsg', kind: 'ret', ret: 1205, times: 3, uin }] });
    const results = await Promise.all([t.client.send(friend, 'first'), t.client.send(friend, 'second'), t.client.send(friend, 'third')]);

    const attempts = sim.control.requests({ endpoint: 'webwxsendmsg' });
    const ids = attempts.map(clientMsgIdOf);
    expect(ids).toEqual([...Array(4).fill(results[0].clientMsgId), results[1].clientMsgId, results[2].clientMsgId]);
    // The k-th retry waited at least half of base·2^(k-1) (the jitter is within [50 %, 100 %]).
    const gaps = attempts.slice(1, 4).map((r, i) => r.time - attempts[i]!.time);
    gaps.forEach((gap, i) => expect(gap, `retry ${i + 1}`).toBeGreaterThanOrEqual(0.5 * Math.min(SEND_DELAYS.sendRetryMaxMs, SEND_DELAYS.sendRetryBaseMs * 2 ** i) - 5));
    expect(sim.control.sent(uin).map((s) => s.content)).toEqual(['first', 'second', 'third']);
    expect(t.rec.of('sent').map((s) => s.clientMsgId)).toEqual(results.map((r) => r.clientMsgId));
    expect(t.rec.of('sendFailed')).toEqual([]);
  });

  it('past the attempt budget: sendFailed with reason rateLimited and Ret 1205; the next send and the session go on', async () => {
    const { sim, t, uin, friend } = await loggedIn();
    sim.control.setFaults({ rules: [{ endpoint: 'webwxsendmsg', kind: 'ret', ret: 1205, times: DEFAULT_MAX_SEND_ATTEMPTS, uin }] });
    const failed = await t.client.send(friend, 'refused').catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(SendError);
    expect(failed).toMatchObject({ code: 'sendFailed', reason: 'rateLimited', ret: 1205 });
    expect(t.rec.of('sendFailed')).toEqual([{ to: friend, clientMsgId: (failed as SendError).clientMsgId, reason: 'rateLimited', ret: 1205 }]);
    expect(sim.control.requests({ endpoint: 'webwxsendmsg' })).toHaveLength(DEFAULT_MAX_SEND_ATTEMPTS);
    await t.client.send(friend, 'later');
    expect(sim.control.sent(uin).map((s) => s.content)).toEqual(['later']);
    expect(t.client.state()).toBe('syncing');
  });
});

describe('an answer lost after the server stored the message', () => {
  it('a cut-off body (badResponse) is retried with the same ClientMsgId: stored once, sent once, the first MsgID', async () => {
    const { sim, t, uin, friend } = await loggedIn();
    // invalidJson: the server processes the send, then answers half a body.
    sim.control.setFaults({ rules: [{ endpoint: 'webwxsendmsg', kind: 'invalidJson', times: 2, uin }] });
    const sent = await t.client.send(friend, 'exactly once');
    const stored = sim.control.sent(uin);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ content: 'exactly once', clientMsgId: sent.clientMsgId, msgId: sent.msgId });
    const attempts = sim.control.requests({ endpoint: 'webwxsendmsg' });
    expect(attempts.map(clientMsgIdOf)).toEqual([sent.clientMsgId, sent.clientMsgId, sent.clientMsgId]);
    expect(t.rec.of('error').filter((e) => e.code === 'badResponse')).toHaveLength(2);
    expect(t.rec.of('sent')).toHaveLength(1);
  });

  it('an answer that never comes (timeout after the server stored it) is retried with the same ClientMsgId: stored once', async () => {
    const sim = await startSim();
    const proxy = await startHostileProxy(sim.origin);
    onCleanup(() => proxy.close());
    sim.control.setRedirectOrigin(proxy.origin);
    const t = makeClient(sim, { loginOrigin: proxy.origin, requestTimeoutMs: 400, delays: { pollPauseMs: 20, checkPauseMs: 20, backoffBaseMs: 10, backoffMaxMs: 80, ...SEND_DELAYS } });
    const { uin } = await loginByHand(sim, t);
    // The first send goes through to the server (which stores it); its answer is held back for good.
    proxy.set((req) => (req.endpoint === 'webwxsendmsg' && req.nth === 1 ? { hang: true, forward: true } : undefined));
    const sent = await t.client.send(friendOf(sim, uin), 'stored while the answer was lost');
    expect(sim.control.sent(uin)).toEqual([expect.objectContaining({ clientMsgId: sent.clientMsgId, msgId: sent.msgId, content: 'stored while the answer was lost' })]);
    expect(sim.control.requests({ endpoint: 'webwxsendmsg' }).map(clientMsgIdOf)).toEqual([sent.clientMsgId, sent.clientMsgId]);
    expect(t.rec.of('error').map((e) => e.code)).toContain('timeout');
    expect(t.rec.of('sent')).toHaveLength(1);
  });

  it('past the budget of unreadable answers: sendFailed with reason badResponse — and still only one stored message', async () => {
    const { sim, t, uin, friend } = await loggedIn({ maxSendAttempts: 3 });
    sim.control.setFaults({ rules: [{ endpoint: 'webwxsendmsg', kind: 'invalidJson', uin }] });
    const failed = await t.client.send(friend, 'maybe sent').catch((err: unknown) => err);
    expect(failed).toMatchObject({ reason: 'badResponse' });
    expect(t.rec.of('sendFailed')).toEqual([expect.objectContaining({ reason: 'badResponse' })]);
    expect(sim.control.requests({ endpoint: 'webwxsendmsg' })).toHaveLength(3);
    // The server stored it on the first attempt and answered the two retries from its dedupe.
    expect(sim.control.sent(uin).map((s) => s.content)).toEqual(['maybe sent']);
    expect(t.client.state()).toBe('syncing');
  });
});
