/**
 * Isolation under stress: two clients in one process, two accounts on one simulator, their
 * session files side by side in one directory, faults on both, messages to both interleaved; then
 * both stopped and resumed from their files at once. Each gets exactly its own messages, in order,
 * once; each file holds its own account. (The quiet case — cookies, DeviceIDs, keys and sends
 * request by request — is test/integration/engine/isolation.test.ts.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSessionStore } from '../../src/session/index.js';
import type { FaultRule, InjectedMessage, Simulator } from '../../src/simulator/index.js';
import { loginByHand, makeClient, onCleanup, startSim, type TestClient } from '../integration/engine/harness.js';
import { between, rng, sized } from './support.js';

const friendOf = (sim: Simulator, uin: string): string =>
  sim.control.contacts(uin).find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'))!.UserName;

function faults(uin: string): FaultRule[] {
  return (['destroy', 'truncate', 'invalidJson', 'status', 'emptyKey'] as const).flatMap((kind) =>
    (['synccheck', 'webwxsync'] as const)
      .filter((endpoint) => kind !== 'emptyKey' || endpoint === 'webwxsync')
      .map((endpoint): FaultRule => ({ endpoint, kind, uin, probability: 0.02 })),
  );
}

describe('two clients, two accounts, one process, one directory, faults on both', () => {
  it('each receives exactly its own messages, in order, once — before and after both resume from their files', { timeout: 120_000 }, async () => {
    const random = rng(99);
    const dir = await mkdtemp(join(tmpdir(), 'webwx-isolation-'));
    onCleanup(() => rm(dir, { recursive: true, force: true }));
    const sim = await startSim({ syncPageSize: 4 });
    const files = { a: join(dir, 'bot-a.session'), b: join(dir, 'bot-b.session') };
    const first = { a: makeClient(sim, { session: fileSessionStore(files.a), maxConsecutiveFailures: 30 }), b: makeClient(sim, { session: fileSessionStore(files.b), maxConsecutiveFailures: 30 }) };
    const uin = { a: (await loginByHand(sim, first.a)).uin, b: (await loginByHand(sim, first.b)).uin };
    expect(uin.a).not.toBe(uin.b);
    sim.control.setFaults({ seed: 5, rules: [...faults(uin.a), ...faults(uin.b)] });

    const injected: Record<'a' | 'b', InjectedMessage[]> = { a: [], b: [] };
    const inject = (count: number): void => {
      for (let i = 0; i < count; i++) {
        const who = random() < 0.5 ? 'a' : 'b';
        injected[who].push(sim.control.message({ uin: uin[who], from: friendOf(sim, uin[who]), text: `${who}${injected[who].length}` }));
      }
    };
    const ownIds = (who: 'a' | 'b', t: TestClient): string[] => {
      const mine = new Set(injected[who].map((m) => m.msgId));
      return t.rec.of('message').map((m) => m.message.MsgId).filter((id) => mine.has(id));
    };
    const foreign = (who: 'a' | 'b', t: TestClient): string[] => {
      const other = new Set(injected[who === 'a' ? 'b' : 'a'].map((m) => m.msgId));
      return t.rec.of('message').map((m) => m.message.MsgId).filter((id) => other.has(id));
    };

    const rounds = sized(20, 200);
    for (let round = 0; round < rounds; round++) {
      inject(between(random, 1, 8));
      await Promise.all((['a', 'b'] as const).map((who) => first[who].rec.messages(injected[who].length, (m) => injected[who].some((x) => x.msgId === m.MsgId), 20_000)));
    }
    // Both stop (no logout) and both resume at once from their files, while more arrives.
    await Promise.all([first.a.client.stop(), first.b.client.stop()]);
    const stored = { a: await fileSessionStore(files.a).load(), b: await fileSessionStore(files.b).load() };
    expect(stored.a?.credentials.wxuin).toBe(uin.a);
    expect(stored.b?.credentials.wxuin).toBe(uin.b);
    expect(stored.a?.credentials.deviceId).not.toBe(stored.b?.credentials.deviceId);
    const before = { a: injected.a.length, b: injected.b.length };
    inject(20);
    const second = { a: makeClient(sim, { session: fileSessionStore(files.a), maxConsecutiveFailures: 30 }), b: makeClient(sim, { session: fileSessionStore(files.b), maxConsecutiveFailures: 30 }) };
    await Promise.all([second.a.client.start(), second.b.client.start()]);
    for (let round = 0; round < Math.ceil(rounds / 2); round++) {
      inject(between(random, 1, 8));
      await Promise.all((['a', 'b'] as const).map((who) => second[who].rec.messages(injected[who].length - before[who], (m) => injected[who].slice(before[who]).some((x) => x.msgId === m.MsgId), 20_000)));
    }

    for (const who of ['a', 'b'] as const) {
      const all = [...ownIds(who, first[who]), ...ownIds(who, second[who])];
      expect(all, `${who}: own messages, in order, once across both processes`).toEqual(injected[who].map((m) => m.msgId));
      expect(foreign(who, first[who])).toEqual([]);
      expect(foreign(who, second[who])).toEqual([]);
      expect(second[who].rec.states()[0]).toBe('restoring');
      expect(second[who].rec.of('login')[0]?.user.Uin).toBe(Number(uin[who]));
    }
    expect(sim.control.faultsFired().reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
    expect(sim.control.sessions().map((s) => s.uin).sort()).toEqual([uin.a, uin.b].sort());
  });
});
