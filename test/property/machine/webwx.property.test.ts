/**
 * Properties of the live webwx actor under random server answers (faults included) and user
 * actions racing them (fast-check scheduler; simulated clock). Each property names the invariant
 * it guards; scenario.ts describes a run, checks.ts the helpers that judge its trace.
 */
import type { SyncBody } from '../../../src/codecs/sync.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LoginPollAnswer } from '../../../src/codecs/login.js';
import type { PollLoginInput } from '../../../src/services/types.js';
import type { Timed } from '../../../src/machines/webwx.types.js';
import {
  answerDelivered,
  callsOf,
  emittedOf,
  expectedMessageIds,
  isEmptyKey,
  keyText,
  SCENARIO_SECRETS,
  stillInFlight,
  syncAnswerOf,
  syncKeyOf,
} from './checks.js';
import { arbScenario, runScenario, type Trace } from './scenario.js';

/** 100 runs per property by default; WEBWX_PROPERTY_RUNS=5000 for a longer bug hunt. */
const RUNS = { numRuns: Number(process.env['WEBWX_PROPERTY_RUNS'] ?? 100) };

/** A property over whole runs: `check` judges the trace of each. */
function holds(check: (trace: Trace) => void, shape?: Parameters<typeof arbScenario>[0]): Promise<void> {
  return fc.assert(
    fc.asyncProperty(arbScenario(shape), fc.scheduler(), async (scenario, s) => {
      check(await runScenario(scenario, s));
    }),
    RUNS,
  );
}

describe('webwx machine: properties of live runs', () => {
  it('runs reach syncing often enough for the sync properties to mean something', async () => {
    // Not an invariant: a guard on the generators, so the properties below are not vacuous.
    let syncing = 0;
    let messages = 0;
    let sends = 0;
    await fc.assert(
      fc.asyncProperty(arbScenario(), fc.scheduler(), async (scenario, s) => {
        const trace = await runScenario(scenario, s);
        if (trace.snapshots.some((x) => x.top === 'syncing')) syncing += 1;
        if (emittedOf(trace, 'messages').length > 0) messages += 1;
        if (emittedOf(trace, 'sent').length > 0) sends += 1;
      }),
      // A fixed seed: this counts what the generators produce, so it must not flicker.
      { ...RUNS, seed: 4242 },
    );
    expect(syncing).toBeGreaterThan(RUNS.numRuns / 4);
    expect(messages).toBeGreaterThan(RUNS.numRuns / 10);
    expect(sends).toBeGreaterThan(RUNS.numRuns / 20);
  });

  // Invariant: never in `syncing` without credentials (and hosts, and a position to sync from).
  it('is never in syncing without credentials', () =>
    holds((trace) => {
      for (const snapshot of trace.snapshots.filter((x) => x.top === 'syncing')) {
        expect(snapshot.context.credentials).not.toBeNull();
        expect(snapshot.context.hosts).not.toBeNull();
        expect(isEmptyKey(snapshot.context.syncKey)).toBe(false);
      }
    }));

  // Invariant: once a uuid has been answered 201 (scanned), it is never polled with tip=1 again.
  it('never polls with tip 1 after a 201 for the same uuid', () =>
    holds((trace) => {
      const scanned = new Set<string>();
      for (const call of callsOf(trace, 'pollLogin')) {
        const input = call.input as PollLoginInput;
        if (scanned.has(input.uuid)) expect({ uuid: input.uuid, tip: input.tip }).toEqual({ uuid: input.uuid, tip: 0 });
        const answer = call.reply?.ok ? (call.reply.value as Timed<LoginPollAnswer>).answer : undefined;
        if (answer?.code === 201 && answerDelivered(trace, call)) scanned.add(input.uuid);
      }
    }, { qrChurn: true }));

  // Invariant: the sync key never goes backwards and never becomes empty: every webwxsync and
  // synccheck carries a non-empty key, each webwxsync carries the key of the previous answer if
  // it had one (else the previous key again), and the server's counter never decreases across them.
  it('never sends an empty, stale or older sync key', () =>
    holds((trace) => {
      for (const call of [...callsOf(trace, 'webwxSync'), ...callsOf(trace, 'syncCheck')]) {
        expect(isEmptyKey(syncKeyOf(call))).toBe(false);
      }
      const syncs = callsOf(trace, 'webwxSync');
      for (let i = 1; i < syncs.length; i++) {
        const previous = syncs[i - 1]!;
        const current = syncs[i]!;
        const answer = syncAnswerOf(previous);
        const delivered = answerDelivered(trace, previous);
        const expected =
          delivered && answer?.ok && !isEmptyKey(answer.value.SyncKey) ? answer.value.SyncKey : syncKeyOf(previous);
        expect(keyText(syncKeyOf(current))).toBe(keyText(expected));
        const before = syncKeyOf(previous).List[0]?.Val ?? 0;
        expect(syncKeyOf(current).List[0]?.Val ?? 0).toBeGreaterThanOrEqual(before);
      }
      for (const snapshot of trace.snapshots) {
        if (snapshot.top === 'syncing') expect(isEmptyKey(snapshot.context.syncKey)).toBe(false);
      }
    }));

  // Invariant: each MsgId is emitted as `message` at most once, across answers and within the
  // dedupe window (a stored session's window included).
  it('emits each MsgId at most once', () =>
    holds((trace) => {
      const ids = emittedOf(trace, 'messages').flatMap((e) => e.messages.map((m) => m.MsgId as string));
      expect(new Set(ids).size).toBe(ids.length);
      for (const old of trace.input.stored?.delivered ?? []) expect(ids).not.toContain(old);
    }));

  // Invariant: messages are emitted in server order: exactly the messages of the answers the
  // machine processed, in the order the server sent them, minus repeats.
  it('emits the messages of processed answers in server order', () =>
    holds((trace) => {
      expect(emittedOf(trace, 'messages').flatMap((e) => e.messages.map((m) => m.MsgId as string))).toEqual(expectedMessageIds(trace));
    }));

  // Invariant: with a small dedupe window, a MsgId is dropped exactly while it is among the last
  // delivered ones: repeats inside the window never reach the host, order is the server's.
  it('drops repeats exactly within a small dedupe window', () =>
    holds(
      (trace) => {
        expect(emittedOf(trace, 'messages').flatMap((e) => e.messages.map((m) => m.MsgId as string))).toEqual(expectedMessageIds(trace));
        for (const checkpoint of emittedOf(trace, 'checkpoint')) expect(checkpoint.delivered.length).toBeLessThanOrEqual(2);
      },
      { dedupeWindow: 2, syncReplies: 8 },
    ));

  // Invariant: `loggedOut` is final, told once, and after it no request is in flight (every call
  // the machine started was answered or aborted).
  it('ends in a final loggedOut with no request in flight', () =>
    holds((trace) => {
      expect(trace.final.value).toBe('loggedOut');
      expect(trace.final.status).toBe('done');
      const firstEnd = trace.snapshots.findIndex((x) => x.top === 'loggedOut');
      expect(firstEnd).toBeGreaterThanOrEqual(0);
      expect(trace.snapshots.slice(firstEnd).every((x) => x.top === 'loggedOut' && x.status === 'done')).toBe(true);
      expect(emittedOf(trace, 'logout')).toHaveLength(1);
      expect(trace.calls.filter(stillInFlight).map((c) => `${c.name}#${c.seq}`)).toEqual([]);
    }));

  // Invariant: every SEND the actor took ends in exactly one `sent` or `sendFailed` for its
  // clientMsgId, `sent` only after a Ret 0, and a clientMsgId is never sent again after a Ret 0.
  it('settles every SEND exactly once and never sends a message twice', () =>
    holds(
      (trace) => {
        const outcomes = [...emittedOf(trace, 'sent'), ...emittedOf(trace, 'sendFailed')];
        for (const record of trace.user.filter((u) => u.action.type === 'SEND' && u.accepted)) {
          const id = record.action.clientMsgId;
          expect(outcomes.filter((o) => o.clientMsgId === id)).toHaveLength(1);
        }
        const acknowledged = new Set<string>();
        for (const call of callsOf(trace, 'sendText')) {
          const id = (call.input as { clientMsgId: string }).clientMsgId;
          expect(acknowledged.has(id), `clientMsgId ${id} sent again after Ret 0`).toBe(false);
          const answer = call.reply?.ok ? (call.reply.value as { ok: boolean }) : undefined;
          if (answer?.ok && answerDelivered(trace, call)) acknowledged.add(id);
        }
        for (const sent of emittedOf(trace, 'sent')) expect(acknowledged.has(sent.clientMsgId)).toBe(true);
      },
      { maxSends: 4 },
    ));

  // Invariant: no error is thrown into the host: the actor never errors, and no promise
  // rejection goes unhandled (the listener is the test's own and is removed after).
  it('never errors and leaves no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', listener);
    try {
      await fc.assert(
        fc.asyncProperty(arbScenario(), fc.scheduler(), async (scenario, s) => {
          const trace = await runScenario(scenario, s);
          // Let any rejection surface before judging (Node reports them after the microtasks).
          await new Promise<void>((resolve) => setImmediate(resolve));
          expect(trace.crashes).toEqual([]);
          expect(unhandled).toEqual([]);
        }),
        RUNS,
      );
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  // Invariant: LOGOUT while the machine runs (whatever is in flight) ends in loggedOut, reason user.
  it('ends with reason user after a LOGOUT, whatever was in flight', () =>
    holds(
      (trace) => {
        const logout = trace.user.find((u) => u.action.type === 'LOGOUT' && u.accepted);
        if (!logout) return;
        expect(trace.final.context.logout?.reason).toBe('user');
        expect(emittedOf(trace, 'logout').map((e) => e.reason)).toEqual(['user']);
        // What was in flight then was aborted (or had its answer already on the way).
        for (const seq of logout.inFlight) {
          const call = trace.calls[seq]!;
          expect(call.signal.aborted || call.settled).toBe(true);
        }
        // The server is told (webwxlogout, once) exactly when there was a session to end.
        expect(callsOf(trace, 'logout').length).toBe(logout.hadSession ? 1 : 0);
      },
      { maxLogouts: 2 },
    ));

  // Invariant: never two requests in flight for the same region (the login chain, the sync loop's
  // synccheck/webwxsync, the outbox, the member fetch).
  it('never has two requests in flight in one region', () =>
    holds((trace) => {
      expect(trace.calls.filter((c) => c.overlapping.length > 0).map((c) => `${c.name}#${c.seq} over ${c.overlapping.join(',')}`)).toEqual([]);
    }));

  // Invariant: the machine tells messages one page at a time: a `messages` event is never empty,
  // and no MsgId appears twice, within a page or across pages.
  it('emits each page as one non-empty messages event, with no MsgId twice', () =>
    holds((trace) => {
      const pages = emittedOf(trace, 'messages');
      for (const page of pages) expect(page.messages.length).toBeGreaterThan(0);
      const ids = pages.flatMap((page) => page.messages.map((m) => m.MsgId as string));
      expect(new Set(ids).size).toBe(ids.length);
    }));

  // Invariant: a checkpoint (what a store persists) never covers a message that was not emitted
  // before it, and never holds an empty key: resuming from any checkpoint loses nothing.
  it('checkpoints only what has been delivered', () =>
    holds((trace) => {
      const emittedIds = new Set<string>(trace.input.stored?.delivered ?? []);
      for (const event of trace.emitted) {
        if (event.type === 'messages') for (const message of event.messages) emittedIds.add(message.MsgId);
        if (event.type !== 'checkpoint') continue;
        expect(isEmptyKey(event.syncKey)).toBe(false);
        expect(event.delivered.filter((id) => !emittedIds.has(id))).toEqual([]);
      }
    }));

  // Invariant: the machine never spins: a synccheck that came back at once with nothing (or
  // failed) is followed by a pause before the next synccheck, and a login poll that came back at
  // once unchanged (408, or 201 while scanned) or expired (400), or failed, by a pause before the
  // next poll or jslogin.
  it('pauses before asking again after an answer that came back at once with nothing', () =>
    holds(
      (trace) => {
        const { checkPauseMs, pollPauseMs } = trace.input.timing as { checkPauseMs: number; pollPauseMs: number };
        const loop = trace.calls.filter((c) => c.name === 'syncCheck' || c.name === 'webwxSync');
        for (let i = 1; i < loop.length; i++) {
          const [previous, current] = [loop[i - 1]!, loop[i]!];
          if (previous.name !== 'syncCheck' || current.name !== 'syncCheck') continue;
          const answered = previous.reply?.ok ? (previous.reply.value as { elapsedMs: number }) : undefined;
          if (answered && answered.elapsedMs >= checkPauseMs) continue;
          expect(current.at, `synccheck #${current.seq} right after #${previous.seq}`).toBeGreaterThan(previous.at);
        }
        const polls = callsOf(trace, 'pollLogin');
        for (let i = 1; i < polls.length; i++) {
          const [previous, current] = [polls[i - 1]!, polls[i]!];
          const [a, b] = [previous.input as PollLoginInput, current.input as PollLoginInput];
          if (a.uuid !== b.uuid || a.tip !== b.tip) continue;
          const answered = previous.reply?.ok ? (previous.reply.value as Timed<LoginPollAnswer>) : undefined;
          if (answered && answered.elapsedMs >= pollPauseMs) continue;
          expect(current.at, `poll #${current.seq} right after #${previous.seq}`).toBeGreaterThan(previous.at);
        }
        // A poll that came back at once with an expired QR (400) waits before the new jslogin:
        // a server expiring every QR at once is not hammered through the refreshes.
        const login = trace.calls.filter((c) => c.name === 'pollLogin' || c.name === 'getUuid');
        for (let i = 1; i < login.length; i++) {
          const [previous, current] = [login[i - 1]!, login[i]!];
          if (previous.name !== 'pollLogin' || current.name !== 'getUuid') continue;
          const answered = previous.reply?.ok ? (previous.reply.value as Timed<LoginPollAnswer>) : undefined;
          if (!answered || answered.answer.code !== 400 || answered.elapsedMs >= pollPauseMs) continue;
          expect(current.at, `${current.name} #${current.seq} right after the poll #${previous.seq} that answered ${answered.answer.code} at once`).toBeGreaterThan(previous.at);
        }
      },
      { qrChurn: true },
    ));

  // Invariant: a webwxsync that brought no message (whatever it did to the keys or the contacts)
  // and asked for no next page is followed by a pause before the next synccheck, so a server
  // that answers a selector at once, forever, gets no spin.
  it('pauses after a webwxsync that brought no message, even when it moved the keys or changed contacts', () =>
    holds((trace) => {
      const loop = trace.calls.filter((c) => c.name === 'syncCheck' || c.name === 'webwxSync');
      for (let i = 1; i < loop.length; i++) {
        const [sync, next] = [loop[i - 1]!, loop[i]!];
        if (sync.name !== 'webwxSync' || next.name !== 'syncCheck') continue;
        const answer = sync.reply?.ok ? (sync.reply.value as { ok: boolean; value?: SyncBody }) : undefined;
        const body = answer?.ok ? answer.value : undefined;
        if (!body || body.ContinueFlag !== 0) continue;
        if (body.AddMsgList.length > 0) continue;
        expect(next.at, `synccheck #${next.seq} right after the empty webwxsync #${sync.seq}`).toBeGreaterThan(sync.at);
      }
    }));

  // Invariant: no secret (skey, sid, pass_ticket, login ticket) in anything the machine emits.
  it('emits no secret', () =>
    holds((trace) => {
      const text = JSON.stringify(trace.emitted);
      for (const secret of SCENARIO_SECRETS) expect(text).not.toContain(secret);
    }));
});
