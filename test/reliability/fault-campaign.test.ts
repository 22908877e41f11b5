/**
 * The fault campaign: a client against the simulator with seeded random faults of every kind on
 * about 10 % of its requests, across ≥ 1,000 synccheck → webwxsync rounds in CI (≥ 10,000 with
 * WEBWX_SOAK=1), messages injected throughout (people, groups, contact changes, phone activity),
 * sends going out meanwhile. What must hold:
 *
 * - every injected message is delivered exactly once, in server order;
 * - the sync key presented never goes back and is never empty (an empty-key answer is not adopted);
 * - the session ends only by the scripted server logout at the end;
 * - never two requests in flight in one region (the loop, the outbox, the member fetch);
 * - every send is stored exactly once (the server dedupes the same ClientMsgId).
 *
 * A non-zero synccheck retcode ends the session (PROTOCOL.md), so `ret` is not among synccheck's
 * transient faults; the `logout` kind is the scripted end.
 */
import { describe, expect, it } from 'vitest';
import { createWebwxClient, type WebwxClient } from '../../src/client.js';
import type { Message } from '../../src/codecs/content.js';
import { memorySessionStore } from '../../src/session/index.js';
import type { SessionStore, StoredSession } from '../../src/session/types.js';
import { startSimulator, type FaultKind, type FaultRule, type InjectedMessage, type SimEndpoint, type Simulator } from '../../src/simulator/index.js';
import { positionOf, watchLoop } from './loop-watch.js';
import { between, printFigures, rng, seedOr, sized, sleep, until } from './support.js';

const CYCLES = sized(1_000, 10_000);
const SEED = seedOr(20_250_101);
/** The share of requests that meet a fault. */
const FAULT_SHARE = 0.1;

/** Client timeouts far below the real ones, so a `delay` fault past them is a timeout in milliseconds. */
const REQUEST_TIMEOUT_MS = 300;
const LONG_POLL_TIMEOUT_MS = 500;
const HOLD_MS = 40;

interface FaultSpec {
  readonly kind: FaultKind;
  /** Share of this endpoint's fault budget. */
  readonly weight: number;
  readonly extra?: Partial<FaultRule>;
}

const common: readonly FaultSpec[] = [
  { kind: 'delay', weight: 3, extra: { delayMs: 25 } },
  { kind: 'destroy', weight: 3 },
  { kind: 'status', weight: 2, extra: { status: 500 } },
  { kind: 'status', weight: 1, extra: { status: 503 } },
  { kind: 'truncate', weight: 3 },
  { kind: 'invalidJson', weight: 3 },
];

/** Per endpoint, every kind that is a transient fault there (see the header for what is left out). */
const PLAN: Readonly<Partial<Record<SimEndpoint, readonly FaultSpec[]>>> = {
  synccheck: [...common, { kind: 'delay', weight: 0.3, extra: { delayMs: LONG_POLL_TIMEOUT_MS + HOLD_MS + 150 } }],
  webwxsync: [
    ...common,
    { kind: 'ret', weight: 2, extra: { ret: -1 } },
    { kind: 'emptyKey', weight: 3 },
    { kind: 'delay', weight: 0.3, extra: { delayMs: REQUEST_TIMEOUT_MS + 150 } },
  ],
  webwxsendmsg: [...common, { kind: 'ret', weight: 3, extra: { ret: 1205 } }, { kind: 'delay', weight: 0.5, extra: { delayMs: REQUEST_TIMEOUT_MS + 150 } }],
  webwxbatchgetcontact: [...common, { kind: 'ret', weight: 2, extra: { ret: -1 } }],
};

function faultRules(uin: string): FaultRule[] {
  // Besides the random ones, a few timeouts at fixed points, so that every run has some.
  const rules: FaultRule[] = [
    { endpoint: 'synccheck', kind: 'delay', uin, after: 150, times: 1, delayMs: LONG_POLL_TIMEOUT_MS + HOLD_MS + 150 },
    { endpoint: 'webwxsync', kind: 'delay', uin, after: 300, times: 1, delayMs: REQUEST_TIMEOUT_MS + 150 },
  ];
  for (const [endpoint, specs] of Object.entries(PLAN) as [SimEndpoint, readonly FaultSpec[]][]) {
    const total = specs.reduce((sum, s) => sum + s.weight, 0);
    for (const spec of specs) rules.push({ endpoint, kind: spec.kind, uin, probability: (FAULT_SHARE * spec.weight) / total, ...spec.extra });
  }
  return rules;
}

/** Records every save: each must cover only delivered messages and never move the key back. */
function watchedStore(delivered: ReadonlySet<string>): { store: SessionStore; violations: string[]; saves: () => number } {
  const inner = memorySessionStore();
  const violations: string[] = [];
  let saves = 0;
  let highest = -Infinity;
  const store: SessionStore = {
    load: () => inner.load(),
    clear: () => inner.clear(),
    save: async (session: StoredSession) => {
      saves++;
      const undelivered = session.delivered.filter((id) => !delivered.has(id));
      if (undelivered.length > 0) violations.push(`saved ${undelivered.length} undelivered MsgId(s)`);
      const position = positionOf(session.syncKey);
      if (position !== null) {
        if (position < highest) violations.push(`saved position ${position} after ${highest}`);
        highest = Math.max(highest, position);
      }
      await inner.save(session);
    },
  };
  return { store, violations, saves: () => saves };
}

interface Stream {
  readonly injected: InjectedMessage[];
  inject(random: () => number): number;
}

/** Messages from friends and inside groups, contact changes (selector 4), phone activity (selector 7). */
function stream(sim: Simulator, uin: string): Stream {
  const contacts = sim.control.contacts(uin);
  const friends = contacts.filter((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'));
  // webwxinit lists the first groups with their members; the others are fetched (batchgetcontact) when they speak.
  const groups = contacts.filter((c) => c.UserName.startsWith('@@'));
  const injected: InjectedMessage[] = [];
  let n = 0;
  return {
    injected,
    inject(random) {
      const burst = between(random, 1, 5);
      for (let i = 0; i < burst; i++) {
        const roll = random();
        const group = groups[between(random, 0, groups.length - 1)];
        if (roll < 0.2 && group) {
          const member = sim.control.members(group.UserName, uin)[0];
          injected.push(sim.control.message({ uin, group: group.UserName, from: member?.UserName ?? 'stranger', text: `g${n++}` }));
        } else {
          injected.push(sim.control.message({ uin, from: friends[between(random, 0, friends.length - 1)]!.UserName, text: `m${n++}` }));
        }
      }
      if (random() < 0.05) sim.control.changeContact({ uin });
      if (random() < 0.05) sim.control.phoneActivity(uin);
      return burst;
    },
  };
}

describe('fault campaign', () => {
  it(`${CYCLES} sync rounds with ~10 % faults of every kind: exactly once, in order, keys forward, one request per region, no end but the scripted one`, { timeout: sized(240_000, 1_800_000) }, async () => {
    const started = Date.now();
    const random = rng(SEED);
    const sim = await startSimulator({ hold: HOLD_MS, auto: true, autoDelay: 5, contacts: 120, syncPageSize: 3, seed: SEED });
    const watch = watchLoop();
    const deliveredIds = new Set<string>();
    const { store, violations, saves } = watchedStore(deliveredIds);
    const client: WebwxClient = createWebwxClient({
      loginOrigin: sim.origin,
      session: store,
      delays: { pollPauseMs: 10, checkPauseMs: 10, backoffBaseMs: 5, backoffMaxMs: 40, sendRetryBaseMs: 5, sendRetryMaxMs: 40 },
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      longPollTimeoutMs: LONG_POLL_TIMEOUT_MS,
      maxSendAttempts: 12,
      actors: watch.actors,
    });
    const delivered: Message[] = [];
    const states: string[] = [];
    const logouts: unknown[] = [];
    const errors = new Map<string, number>();
    const injectedIds = new Set<string>();
    let arrived = 0;
    let waiter: { target: number; wake: () => void } | null = null;
    /** Resolves once `target` injected messages arrived (woken by the listener, no polling). */
    const arrivedAt = (target: number, what: string): Promise<void> =>
      arrived >= target
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what} (${arrived} of ${target})`)), 30_000);
            waiter = { target, wake: () => (clearTimeout(timer), resolve()) };
          });
    client.on('message', ({ message }) => {
      delivered.push(message);
      deliveredIds.add(message.MsgId);
      if (injectedIds.has(message.MsgId)) arrived++;
      if (waiter && arrived >= waiter.target) {
        const { wake } = waiter;
        waiter = null;
        wake();
      }
    });
    client.on('state', ({ state }) => states.push(state));
    client.on('logout', (info) => logouts.push(info));
    client.on('error', ({ code }) => errors.set(code, (errors.get(code) ?? 0) + 1));
    try {
      await client.start();
      await until(() => states.includes('syncing'), 15_000, 'the login');
      const uin = sim.control.sessions()[0]!.uin;
      const friend = sim.control.contacts(uin).find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'))!.UserName;
      const rules = faultRules(uin);
      sim.control.setFaults({ seed: SEED, rules });
      // The faulted endpoints' requests, counted by the client (the simulator's log keeps only the last 10,000).
      const faultedCalls = (): number => watch.calls('syncCheck') + watch.calls('webwxSync') + watch.calls('sendText') + watch.calls('batchGetContact');
      const callsBefore = faultedCalls();
      const loopRequestsBefore = watch.calls('syncCheck') + watch.calls('webwxSync');

      const messages = stream(sim, uin);
      const sends: Promise<unknown>[] = [];
      const sentTexts: string[] = [];
      const wanted = (): number => messages.injected.length;
      while (watch.rounds() < CYCLES) {
        const before = messages.injected.length;
        messages.inject(random);
        for (const m of messages.injected.slice(before)) injectedIds.add(m.msgId);
        if (random() < 0.03) {
          const text = `send ${sentTexts.length}`;
          sentTexts.push(text);
          sends.push(client.send(friend, text));
        }
        // Mostly wait for the burst to arrive (a round each); sometimes pile up more behind it.
        if (random() < 0.8) await arrivedAt(wanted(), `message ${wanted()}`);
        else await sleep(between(random, 0, 3));
      }
      await arrivedAt(wanted(), 'the last messages');
      await Promise.all(sends);

      // The scripted end: the server ends the session at the next synccheck.
      const fired = sim.control.faultsFired();
      sim.control.setFaults({ rules: [{ endpoint: 'synccheck', kind: 'logout', retcode: 1101, uin, times: 1 }] });
      sim.control.message({ uin, from: friend, text: 'wake the parked synccheck' });
      await until(() => logouts.length > 0, 15_000, 'the scripted logout');
      await sleep(50);

      // Figures.
      const faultsByKind: Record<string, number> = {};
      rules.forEach((rule, i) => {
        const key = rule.kind === 'delay' && (rule.delayMs ?? 0) > 100 ? 'delay (timeout)' : rule.kind;
        faultsByKind[key] = (faultsByKind[key] ?? 0) + (fired[i] ?? 0);
      });
      faultsByKind['logout (scripted)'] = sim.control.faultsFired()[0] ?? 0;
      const requests = faultedCalls() - callsBefore;
      const faults = fired.reduce((a, b) => a + b, 0);
      const ids = delivered.map((m) => m.MsgId);
      const injectedInOrder = messages.injected.map((m) => m.msgId);
      const duplicates = ids.length - new Set(ids).size;
      const lost = injectedInOrder.filter((id) => !deliveredIds.has(id)).length;
      printFigures('fault-campaign', {
        seed: SEED,
        cycles: watch.rounds(),
        webwxsyncCalls: watch.syncCalls(),
        loopRequests: watch.calls('syncCheck') + watch.calls('webwxSync') - loopRequestsBefore,
        requestsOnFaultedEndpoints: requests,
        faults,
        faultShare: Number((faults / requests).toFixed(3)),
        faultsByKind,
        errorEvents: Object.fromEntries(errors),
        messages: injectedInOrder.length,
        delivered: ids.length,
        duplicates,
        lost,
        sends: sentTexts.length,
        sessionSaves: saves(),
        maxInFlight: watch.maxInFlight(),
        seconds: Math.round((Date.now() - started) / 1000),
      });

      // Exactly once, in order.
      expect(duplicates).toBe(0);
      expect(lost).toBe(0);
      expect(ids.filter((id) => injectedIds.has(id))).toEqual(injectedInOrder);
      // Keys only forward, never empty; saves only of delivered messages.
      expect(watch.regressions).toEqual([]);
      expect(violations).toEqual([]);
      // One request at a time per region.
      expect(watch.overlaps).toEqual([]);
      expect(watch.maxInFlight()).toMatchObject({ loop: 1, outbox: 1, members: 1 });
      // The only end is the scripted one.
      expect(logouts).toEqual([{ reason: 'remote', retcode: 1101 }]);
      expect(states.filter((s) => s === 'loggedOut')).toHaveLength(1);
      expect(states.at(-1)).toBe('loggedOut');
      // Every send stored once, in order, though its requests met faults too.
      expect(sim.control.sent(uin).map((s) => s.content)).toEqual(sentTexts);
      // The campaign was what it says: ~10 % faults, every kind fired.
      expect(watch.rounds()).toBeGreaterThanOrEqual(CYCLES);
      expect(faults / requests).toBeGreaterThan(0.06);
      expect(faults / requests).toBeLessThan(0.14);
      for (const kind of ['delay', 'delay (timeout)', 'destroy', 'status', 'ret', 'truncate', 'invalidJson', 'emptyKey', 'logout (scripted)']) {
        expect(faultsByKind[kind], kind).toBeGreaterThan(0);
      }
      expect(errors.get('timeout') ?? 0).toBeGreaterThan(0);
    } finally {
      await client.stop();
      await sim.close();
    }
  });
});
