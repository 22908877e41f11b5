/**
 * A short soak: random faults of every kind on the sync loop and on sends (deterministic per seed),
 * messages arriving in bursts, sends going out meanwhile. Whatever the mix, every message is
 * delivered exactly once in server order and every send is stored exactly once.
 */
import { describe, expect, it } from 'vitest';
import type { FaultKind, FaultRule, InjectedMessage } from '../../../src/simulator/index.js';
import { expectNoSecrets, loginByHand, makeClient, startSim, until } from './harness.js';

const LOOP_KINDS: readonly FaultKind[] = ['destroy', 'status', 'ret', 'truncate', 'invalidJson', 'delay'];
/**
 * Sends meet only the faults the outbox retries (lost connections, 5xx, late or unreadable
 * answers: the retry carries the same ClientMsgId, which the server dedupes). A non-zero Ret
 * other than 1205 ends a send by design.
 */
const SEND_KINDS: readonly FaultKind[] = ['destroy', 'status', 'truncate', 'invalidJson', 'delay'];

function plan(uin: string, p: number): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const endpoint of ['synccheck', 'webwxsync'] as const) {
    // A non-zero synccheck retcode is the server ending the session (PROTOCOL.md), not a transient fault.
    const kinds = endpoint === 'synccheck' ? LOOP_KINDS.filter((kind) => kind !== 'ret') : LOOP_KINDS;
    for (const kind of kinds) rules.push({ endpoint, kind, uin, probability: p, delayMs: 30 });
  }
  for (const kind of SEND_KINDS) rules.push({ endpoint: 'webwxsendmsg', kind, uin, probability: p * 2, delayMs: 30 });
  return rules;
}

describe('soak with random faults', () => {
  it.each([11, 23, 47])('seed %i: every message once and in order, every send stored once', async (seed) => {
    const sim = await startSim({ syncPageSize: 4, seed });
    // A generous budget: at p = 0.08 per rule, runs of consecutive faults are common but short.
    const t = makeClient(sim, { maxConsecutiveFailures: 50, maxSendAttempts: 50 });
    const { uin } = await loginByHand(sim, t);
    const friends = sim.control.contacts(uin).filter((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'));
    sim.control.setFaults({ seed, rules: plan(uin, 0.08) });

    const injected: InjectedMessage[] = [];
    const sends: Promise<{ clientMsgId: string; msgId: string } | { failed: unknown }>[] = [];
    for (let round = 0; round < 8; round++) {
      for (let i = 0; i < 5; i++) injected.push(sim.control.message({ uin, from: friends[i % friends.length]!.UserName, text: `r${round} m${i}` }));
      sends.push(t.client.send(friends[round % friends.length]!.UserName, `send ${round}`).catch((failed: unknown) => ({ failed })));
      // Let the client get somewhere before the next burst.
      await t.rec.messages(injected.length, (m) => injected.some((x) => x.msgId === m.MsgId));
    }
    const results = await Promise.all(sends);
    expect(results.filter((r) => 'failed' in r)).toEqual([]);

    const ids = new Set(injected.map((m) => m.msgId));
    const delivered = t.rec.of('message').map((m) => m.message.MsgId);
    expect(delivered.filter((id) => ids.has(id))).toEqual(injected.map((m) => m.msgId));
    expect(new Set(delivered).size).toBe(delivered.length);

    const stored = sim.control.sent(uin);
    expect(stored.map((s) => s.content)).toEqual(Array.from({ length: 8 }, (_, i) => `send ${i}`));
    expect(stored.map((s) => s.msgId)).toEqual(results.map((r) => ('msgId' in r ? r.msgId : null)));
    expect(t.rec.of('sent')).toHaveLength(8);
    expect(t.rec.of('logout')).toEqual([]);
    expect(sim.control.faultsFired().reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    // Back to a quiet loop with the faults gone: nothing else is delivered.
    sim.control.setFaults(null);
    const since = sim.control.requests().at(-1)!.seq;
    await until(() => sim.control.requests({ since, endpoint: 'synccheck' }).length > 0 && sim.stats().parked > 0);
    expect(t.rec.of('message').map((m) => m.message.MsgId)).toEqual(delivered);
    // Dozens of error events, and not one secret in any of them.
    expectNoSecrets(t.rec, sim.control.credentials(uin));
  });
});
