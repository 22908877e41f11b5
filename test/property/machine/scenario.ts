/**
 * Random runs of the LIVE webwx actor for the machine's properties.
 *
 * A scenario is a script of server replies per service (answers of every kind, refusals and
 * ServiceErrorData of every code) plus user actions (SEND, LOGOUT). Each invoked service takes the
 * next reply of its script; when its script is spent the call hangs until it is aborted, as a
 * long poll would. fast-check's scheduler decides when each reply arrives and when each user action
 * happens, so LOGOUT and SEND race the answers; the machine's delays run on a simulated clock.
 *
 * The run records a trace (every call with its input, signal and fate, everything the machine
 * emitted, every event it processed, every state it passed) that the properties judge.
 */
import fc from 'fast-check';
import { createActor, fromPromise, type AnyEventObject, type InspectionEvent } from 'xstate';
import { asMsgId, asUserName, asUuid, int, okBase, type Answer } from '../../../src/codecs/common.js';
import type { SyncKey } from '../../../src/codecs/session.js';
import type { SyncBody } from '../../../src/codecs/sync.js';
import { topStateOf, webwxMachine } from '../../../src/machines/webwx.machine.js';
import type {
  WebwxActorName,
  WebwxActorOutputs,
  WebwxContext,
  WebwxEmitted,
  WebwxInput,
} from '../../../src/machines/webwx.types.js';
import type { ServiceErrorData } from '../../../src/services/types.js';
import {
  batchAnswer,
  check,
  confirmedAnswer,
  contact,
  contactPage,
  credentialsAnswer,
  forbiddenAnswer,
  initAnswer,
  key,
  LOGIN_ORIGIN,
  notifyOk,
  poll,
  pushRefused,
  refused,
  sendOk,
  storedSession,
} from '../../unit/machine/fixtures.js';
import { settle, TestClock, TEST_DEVICE_ID } from '../../unit/machine/harness.js';
import { ENDPOINT_OF } from '../../../src/machines/webwx.actors.js';

// ---------------------------------------------------------------------------------------------
// Replies: plain data (so a counterexample prints readably), made concrete when a call takes them

export type Fault = ServiceErrorData;

/** A webwxsync answer; its SyncKey is made by the simulated server when the call takes it. */
export interface SyncTemplate {
  readonly ret: number;
  readonly messages: readonly { readonly id: string; readonly from: string }[];
  /** `advance`: the server's next key; `same`: its current key; `empty`: Count 0. */
  readonly key: 'advance' | 'same' | 'empty';
  readonly syncCheckKey: boolean;
  readonly continueFlag: number;
  readonly modContact: boolean;
}

/** What a script holds for each service: an answer template or a fault. */
export type Reply =
  | { readonly fault: Fault }
  | { readonly getUuid: 'issued' | number }
  | { readonly pollLogin: 408 | 201 | 200 | 400 | 500 | 'untrusted'; readonly elapsedMs: number }
  | { readonly newLoginPage: 'granted' | number }
  | { readonly ret: number }
  | { readonly contactSeq: number }
  | { readonly pushLogin: boolean }
  | { readonly syncCheck: { readonly retcode: number; readonly selector: number; readonly elapsedMs: number } }
  | { readonly webwxSync: SyncTemplate }
  | { readonly batch: true }
  | { readonly logout: true };

export type Scripts = { readonly [N in WebwxActorName]: readonly Reply[] };

export type UserAction = { readonly type: 'SEND'; readonly to: string; readonly text: string } | { readonly type: 'LOGOUT' };

/** A user action and the driver turn from which it may happen (the scheduler then decides when). */
export interface TimedAction {
  readonly action: UserAction;
  readonly from: number;
}

export interface Scenario {
  readonly restored: boolean;
  readonly dedupeWindow?: number;
  readonly scripts: Scripts;
  readonly user: readonly TimedAction[];
  /** When an answer and a timer are both due, whether the timer goes first (used in turn). */
  readonly timerFirst: readonly boolean[];
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const ENDPOINTS = ENDPOINT_OF;

/** A request URL carrying the fixtures' secrets (fixtures.ts: credentialsAnswer, confirmedAnswer). */
const SECRET_URL =
  'http://127.0.0.1:7777/cgi-bin/mmwebwx-bin/webwxsync?sid=sid0001&skey=@crypt_first_skey&pass_ticket=MX4l%2Fabc%2Bdef&ticket=T1@qrticket_0';

/** ServiceErrorData of every code, as the bound actors throw it. */
export const arbFault = (name: WebwxActorName): fc.Arbitrary<Reply> => {
  const endpoint = ENDPOINTS[name];
  return fc
    .constantFrom<Fault>(
      { code: 'network', endpoint, message: `${endpoint}: network failure (ECONNRESET)` },
      { code: 'timeout', endpoint, message: `${endpoint}: no answer within 35000 ms` },
      { code: 'httpStatus', endpoint, status: 502, message: `${endpoint}: HTTP 502` },
      { code: 'tooLarge', endpoint, message: `${endpoint}: answer larger than the cap` },
      { code: 'aborted', endpoint, message: `${endpoint}: aborted` },
      { code: 'badResponse', endpoint, path: 'BaseResponse.Ret', excerpt: '{}', message: `${endpoint}: bad response at BaseResponse.Ret` },
      // A fault quoting the request it failed on, secrets and all: nothing emitted may repeat them.
      { code: 'network', endpoint, message: `${endpoint}: ECONNRESET on ${SECRET_URL}` },
    )
    .map((fault) => ({ fault }));
};

/** Refusals the protocol knows (PROTOCOL.md): dead sessions, too often, other failures. */
const arbRet = fc.constantFrom(1100, 1101, 1102, 1205, -1, 1);

/** Weighted: mostly the reply that moves the login on, so many runs get as far as syncing. */
const loginReplies = (name: WebwxActorName, good: fc.Arbitrary<Reply>, bad: fc.Arbitrary<Reply>): fc.Arbitrary<Reply> =>
  fc.oneof({ arbitrary: good, weight: 6 }, { arbitrary: bad, weight: 2 }, { arbitrary: arbFault(name), weight: 1 });

const arbPoll: fc.Arbitrary<Reply> = fc.oneof(
  { arbitrary: fc.record({ pollLogin: fc.constantFrom<408 | 201 | 200>(201, 200, 408), elapsedMs: fc.constantFrom(0, 25_000) }), weight: 6 },
  { arbitrary: fc.record({ pollLogin: fc.constantFrom<400 | 500 | 'untrusted'>(400, 400, 500, 'untrusted'), elapsedMs: fc.constant(0) }), weight: 3 },
  { arbitrary: arbFault('pollLogin'), weight: 1 },
);

/** A small pool of MsgIds (m1, m2 are also in the stored session's window): repeats are common. */
const arbMessage = fc.record({
  id: fc.constantFrom('m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8'),
  from: fc.constantFrom('@friend1', '@friend2', '@@group1', '@@group2', '@self0001'),
});

export const arbSyncTemplate: fc.Arbitrary<SyncTemplate> = fc.record({
  ret: fc.oneof({ arbitrary: fc.constant(0), weight: 6 }, { arbitrary: arbRet, weight: 1 }),
  messages: fc.array(arbMessage, { minLength: 0, maxLength: 4 }),
  key: fc.constantFrom<SyncTemplate['key']>('advance', 'advance', 'same', 'empty'),
  syncCheckKey: fc.boolean(),
  continueFlag: fc.constantFrom(0, 0, 1),
  modContact: fc.boolean(),
});

const arbCheck: fc.Arbitrary<Reply> = fc.oneof(
  { arbitrary: fc.record({ retcode: fc.constant(0), selector: fc.constantFrom(2, 2, 2, 0, 3, 4, 6, 7), elapsedMs: fc.constantFrom(0, 25_000) }).map((syncCheck) => ({ syncCheck })), weight: 8 },
  { arbitrary: fc.record({ retcode: fc.constantFrom(1100, 1101, 1102, -1), selector: fc.constant(0), elapsedMs: fc.constant(0) }).map((syncCheck) => ({ syncCheck })), weight: 1 },
  { arbitrary: arbFault('syncCheck'), weight: 1 },
);

const list = (reply: fc.Arbitrary<Reply>, maxLength: number, minLength = 0): fc.Arbitrary<Reply[]> => fc.array(reply, { minLength, maxLength });

/**
 * A login step's script: a few random replies (faults and refusals included), then, in most
 * runs, the replies that move the login on, so that many runs get as far as syncing.
 */
const stepScript = (reply: fc.Arbitrary<Reply>, happy: readonly Reply[], maxPrefix = 2): fc.Arbitrary<Reply[]> =>
  fc
    .tuple(list(reply, maxPrefix), fc.oneof({ arbitrary: fc.constant(true), weight: 6 }, { arbitrary: fc.constant(false), weight: 1 }))
    .map(([prefix, proceed]) => (proceed ? [...prefix, ...happy] : prefix));

export interface ScenarioShape {
  /** Longest random part of the login services' scripts (before the replies that move on). */
  readonly loginReplies?: number;
  /**
   * QR login only, with long poll scripts rich in 201 and 400 (scanned, then expired, then a new
   * uuid is scanned again): the runs that the tip rule is about.
   */
  readonly qrChurn?: boolean;
  /** Longest script of each sync-phase service. */
  readonly syncReplies?: number;
  /** The machine's dedupe window (default: the machine's own, far larger than any run). */
  readonly dedupeWindow?: number;
  readonly maxSends?: number;
  readonly maxLogouts?: number;
}

export const arbScenario = (shape: ScenarioShape = {}): fc.Arbitrary<Scenario> => {
  const syncReplies = shape.syncReplies ?? 6;
  const loginMore = shape.loginReplies ?? 0;
  const retReplies = arbRet.map((ret): Reply => ({ ret }));
  const scripts: fc.Arbitrary<Scripts> = fc.record({
    getUuid: stepScript(loginReplies('getUuid', fc.constant({ getUuid: 'issued' as const }), fc.constant({ getUuid: 500 })), [{ getUuid: 'issued' }], 2 + loginMore),
    pollLogin: stepScript(arbPoll, [{ pollLogin: 201, elapsedMs: 0 }, { pollLogin: 200, elapsedMs: 0 }], 3 + loginMore),
    newLoginPage: stepScript(
      loginReplies('newLoginPage', fc.constant({ newLoginPage: 'granted' as const }), fc.constantFrom({ newLoginPage: 1203 }, { newLoginPage: -1 }, { newLoginPage: 1 })),
      [{ newLoginPage: 'granted' }],
      1,
    ),
    webwxInit: stepScript(loginReplies('webwxInit', fc.constant({ ret: 0 }), retReplies), [{ ret: 0 }]),
    statusNotify: stepScript(loginReplies('statusNotify', fc.constant({ ret: 0 }), retReplies), [{ ret: 0 }], 1),
    getContact: stepScript(loginReplies('getContact', fc.constantFrom({ contactSeq: 0 }, { contactSeq: 17 }), retReplies), [{ contactSeq: 0 }]),
    pushLogin: list(fc.oneof(fc.boolean().map((pushLogin) => ({ pushLogin })), arbFault('pushLogin')), 2),
    syncCheck: list(arbCheck, syncReplies, 1),
    webwxSync: list(fc.oneof({ arbitrary: arbSyncTemplate.map((webwxSync) => ({ webwxSync })), weight: 5 }, { arbitrary: arbFault('webwxSync'), weight: 1 }), syncReplies, 1),
    sendText: list(
      fc.oneof({ arbitrary: fc.constant({ ret: 0 }), weight: 4 }, { arbitrary: retReplies, weight: 2 }, { arbitrary: arbFault('sendText'), weight: 2 }),
      syncReplies,
    ),
    batchGetContact: list(fc.oneof({ arbitrary: fc.constant({ batch: true as const }), weight: 2 }, { arbitrary: fc.constant({ ret: 1 }), weight: 1 }, { arbitrary: arbFault('batchGetContact'), weight: 1 }), 3),
    logout: list(fc.oneof(fc.constant({ logout: true as const }), arbFault('logout')), 1),
  });
  const send = fc.record({ type: fc.constant('SEND' as const), to: fc.constantFrom('@friend1', '@@group1'), text: fc.constantFrom('hi', '你好', 'a&b') });
  const timed = (action: fc.Arbitrary<UserAction>): fc.Arbitrary<TimedAction> => fc.record({ action, from: fc.nat({ max: 40 }) });
  const user = fc
    .tuple(
      fc.array(timed(send), { maxLength: shape.maxSends ?? 3 }),
      fc.array(timed(fc.constant({ type: 'LOGOUT' as const })), { maxLength: shape.maxLogouts ?? 1 }),
    )
    .map(([sends, logouts]) => [...sends, ...logouts]);
  const churn: fc.Arbitrary<Partial<Scripts>> = fc.record({
    getUuid: fc.array(fc.constant<Reply>({ getUuid: 'issued' }), { minLength: 1, maxLength: 4 }),
    pollLogin: fc.array(
      fc.oneof(
        { arbitrary: fc.constantFrom<Reply>({ pollLogin: 201, elapsedMs: 0 }, { pollLogin: 400, elapsedMs: 0 }, { pollLogin: 408, elapsedMs: 0 }), weight: 8 },
        { arbitrary: fc.constantFrom<Reply>({ pollLogin: 500, elapsedMs: 0 }, { pollLogin: 200, elapsedMs: 0 }), weight: 1 },
        { arbitrary: arbFault('pollLogin'), weight: 1 },
      ),
      { minLength: 2, maxLength: 10 },
    ),
  });
  return fc.record({
    ...(shape.dedupeWindow !== undefined ? { dedupeWindow: fc.constant(shape.dedupeWindow) } : {}),
    restored: shape.qrChurn ? fc.constant(false) : fc.boolean(),
    scripts: shape.qrChurn ? fc.tuple(scripts, churn).map(([all, login]) => ({ ...all, ...login })) : scripts,
    user,
    timerFirst: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
  });
};

// ---------------------------------------------------------------------------------------------
// The run

export type Region = 'main' | 'loop' | 'outbox' | 'members';

/** Which region of the chart issues each service's requests. */
export const REGION_OF: Record<WebwxActorName, Region> = {
  getUuid: 'main',
  pollLogin: 'main',
  newLoginPage: 'main',
  webwxInit: 'main',
  statusNotify: 'main',
  getContact: 'main',
  pushLogin: 'main',
  logout: 'main',
  syncCheck: 'loop',
  webwxSync: 'loop',
  sendText: 'outbox',
  batchGetContact: 'members',
};

export interface CallRecord {
  readonly seq: number;
  readonly name: WebwxActorName;
  readonly input: unknown;
  readonly signal: AbortSignal;
  /** The simulated clock when the call started. */
  readonly at: number;
  /** The concrete answer or fault it was given (undefined while its script was spent). */
  reply: { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown } | undefined;
  settled: boolean;
  /** Calls of the same region in flight (started, neither settled nor aborted) when it started. */
  readonly overlapping: readonly number[];
}

export interface UserRecord {
  readonly action: UserAction & { readonly clientMsgId?: string };
  /** Whether the actor was still running (it takes no events once done). */
  readonly accepted: boolean;
  /** Calls in flight at that moment. */
  readonly inFlight: readonly number[];
  /** Whether the machine held a session (credentials and hosts) at that moment. */
  readonly hadSession: boolean;
}

export interface Trace {
  readonly scenario: Scenario;
  readonly input: WebwxInput;
  readonly calls: readonly CallRecord[];
  readonly emitted: readonly WebwxEmitted[];
  /** Service results the machine actually processed (`xstate.done.actor.*` / `xstate.error.actor.*`). */
  readonly delivered: readonly AnyEventObject[];
  readonly user: readonly UserRecord[];
  /** Every snapshot the actor published: its top state and context. */
  readonly snapshots: readonly { readonly top: string; readonly status: string; readonly context: WebwxContext }[];
  readonly crashes: readonly unknown[];
  /** The final snapshot after a last LOGOUT (if the run had not ended) and quiescence. */
  readonly final: { readonly value: unknown; readonly status: string; readonly context: WebwxContext };
  /** Whether the run ended by itself (before the driver's closing LOGOUT). */
  readonly endedByItself: boolean;
}

export const SCENARIO_TIMING = { pollPauseMs: 1000, checkPauseMs: 1000, backoffBaseMs: 100, backoffMaxMs: 800, sendRetryBaseMs: 200, sendRetryMaxMs: 800 };

/** The simulated server's side of a run: unique uuids and monotonic SyncKeys. */
class World {
  private uuids = 0;
  /** The server's current sync position (every Val of the key); above any stored key. */
  private position = 1000;

  nextUuid(): string {
    this.uuids += 1;
    return `uuid-${this.uuids}`;
  }

  key(step: 'advance' | 'same'): SyncKey {
    if (step === 'advance') this.position += 1;
    return key(this.position, this.position, this.position);
  }

  make(name: WebwxActorName, reply: Reply): { ok: true; value: unknown } | { ok: false; error: unknown } {
    if ('fault' in reply) return { ok: false, error: reply.fault };
    const value = this.answer(name, reply);
    return { ok: true, value };
  }

  private answer(name: WebwxActorName, reply: Exclude<Reply, { fault: Fault }>): unknown {
    if ('getUuid' in reply) return reply.getUuid === 'issued' ? { code: 200, uuid: asUuid(this.nextUuid()) } : { code: reply.getUuid };
    if ('pollLogin' in reply) {
      const code = reply.pollLogin;
      if (code === 201) return poll({ code: 201, avatar: null }, reply.elapsedMs);
      if (code === 200) return { ...confirmedAnswer(), elapsedMs: reply.elapsedMs };
      if (code === 'untrusted') return poll({ code: 200, redirectUri: 'https://evil.example/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T' }, 0);
      return poll({ code }, reply.elapsedMs);
    }
    if ('newLoginPage' in reply) {
      if (reply.newLoginPage === 'granted') return credentialsAnswer();
      // Ret 1: a refusal whose message quotes the redirect it was asked with (ticket and all).
      return reply.newLoginPage === 1 ? forbiddenAnswer(1, `bad request ${SECRET_URL}`) : forbiddenAnswer(reply.newLoginPage);
    }
    if ('contactSeq' in reply) return contactPage(['@friend2', '@friend3'], reply.contactSeq);
    if ('pushLogin' in reply) return reply.pushLogin ? { ok: true, uuid: asUuid(this.nextUuid()) } : pushRefused();
    if ('syncCheck' in reply) return check(reply.syncCheck.retcode, reply.syncCheck.selector, reply.syncCheck.elapsedMs);
    if ('webwxSync' in reply) return this.sync(reply.webwxSync);
    if ('batch' in reply) return batchAnswer([{ name: '@@group1', members: ['@m1'] }, { name: '@@group2', members: ['@m2'] }]);
    if ('logout' in reply) return undefined;
    // { ret }: the JSON endpoints' answers.
    if (reply.ret !== 0) return refused(reply.ret);
    switch (name) {
      case 'webwxInit':
        return initAnswer({ syncKey: this.key('advance') });
      case 'statusNotify':
        return notifyOk();
      case 'getContact':
        return contactPage(['@friend2']);
      case 'sendText':
        return sendOk(`svr${this.uuids}${this.position}`);
      case 'batchGetContact':
        return batchAnswer([]);
      default:
        return refused(reply.ret);
    }
  }

  private sync(t: SyncTemplate): Answer<SyncBody> {
    if (t.ret !== 0) return refused(t.ret);
    const syncKey = t.key === 'empty' ? { Count: int(0), List: [] } : this.key(t.key);
    return {
      ok: true,
      value: {
        BaseResponse: okBase(),
        AddMsgCount: int(t.messages.length),
        AddMsgList: t.messages.map((m) => ({
          MsgId: asMsgId(m.id),
          FromUserName: asUserName(m.from),
          ToUserName: asUserName('@self0001'),
          MsgType: int(1),
          Content: m.from.startsWith('@@') ? `@m1:<br/>${m.id}` : m.id,
          CreateTime: int(1_700_000_000),
        })),
        SyncKey: syncKey,
        ...(t.syncCheckKey && t.key !== 'empty' ? { SyncCheckKey: syncKey } : {}),
        ContinueFlag: int(t.continueFlag),
        ...(t.modContact ? { ModContactList: [contact('@friend9')], ModContactCount: int(1) } : {}),
      },
    };
  }
}

/** The scheduler's side: fast-check's `fc.scheduler()` as the run uses it. */
type Scheduler = fc.Scheduler;

const MAX_TURNS = 3000;

export function scenarioInput(scenario: Scenario): WebwxInput {
  return {
    deviceId: TEST_DEVICE_ID,
    loginOrigin: LOGIN_ORIGIN,
    seed: 11,
    maxQrRefreshes: 2,
    maxConsecutiveFailures: 3,
    maxSendAttempts: 3,
    maxMemberAttempts: 2,
    timing: SCENARIO_TIMING,
    ...(scenario.dedupeWindow !== undefined ? { dedupeWindow: scenario.dedupeWindow } : {}),
    ...(scenario.restored ? { stored: storedSession({ user: { UserName: '@self0001', NickName: 'Me', Uin: 1234567 } }) } : {}),
  };
}

/**
 * Runs `scenario` on a live actor, letting `s` order the replies and the user's actions, firing
 * timers when nothing else is due (or first, as `timerFirst` says), then closes the run with a
 * LOGOUT if it has not ended, and waits until nothing more can happen.
 */
export async function runScenario(scenario: Scenario, s: Scheduler): Promise<Trace> {
  const world = new World();
  const queues = Object.fromEntries(Object.entries(scenario.scripts).map(([n, r]) => [n, [...r]])) as Record<WebwxActorName, Reply[]>;
  const calls: CallRecord[] = [];
  const clock = new TestClock();
  const inFlight = (c: CallRecord): boolean => !c.settled && !c.signal.aborted;

  const actorFor = <N extends WebwxActorName>(name: N) =>
    fromPromise<WebwxActorOutputs[N], unknown>(({ input, signal }) => {
      const overlapping = calls.filter((c) => REGION_OF[c.name] === REGION_OF[name] && inFlight(c)).map((c) => c.seq);
      const record: CallRecord = { seq: calls.length, name, input, signal, at: clock.now(), reply: undefined, settled: false, overlapping };
      calls.push(record);
      const next = queues[name].shift();
      if (next === undefined && name !== 'logout') {
        // A spent script: the call hangs like an unanswered long poll until the machine aborts it.
        return new Promise<never>((_, reject) => {
          signal.addEventListener('abort', () => {
            record.settled = true;
            reject({ code: 'aborted', endpoint: ENDPOINTS[name], message: `${ENDPOINTS[name]}: aborted` });
          });
        });
      }
      // webwxlogout always answers in the end (a spent script answers OK), so every run can finish.
      const reply = world.make(name, next ?? { logout: true });
      record.reply = reply;
      return s.schedule(Promise.resolve(reply), `${name}#${record.seq}`).then((r) => {
        record.settled = true;
        if (r.ok) return r.value as WebwxActorOutputs[N];
        throw r.error;
      });
    });
  const actors = Object.fromEntries((Object.keys(ENDPOINTS) as WebwxActorName[]).map((n) => [n, actorFor(n)]));

  const input = scenarioInput(scenario);
  const emitted: WebwxEmitted[] = [];
  const delivered: AnyEventObject[] = [];
  const snapshots: Trace['snapshots'][number][] = [];
  const crashes: unknown[] = [];
  const user: UserRecord[] = [];
  const machine = webwxMachine.provide({ actors: actors as Parameters<typeof webwxMachine.provide>[0]['actors'] });
  const actor = createActor(machine, {
    input,
    clock,
    inspect: (event: InspectionEvent) => {
      if (event.type !== '@xstate.event' || event.actorRef !== actor) return;
      if (/^xstate\.(done|error)\.actor\./.test(event.event.type)) delivered.push(event.event);
    },
  });
  actor.on('*', (event) => emitted.push(event as WebwxEmitted));
  actor.subscribe({
    next: (snapshot) => snapshots.push({ top: topStateOf(snapshot.value), status: snapshot.status, context: snapshot.context }),
    error: (err) => crashes.push(err),
  });

  let sends = 0;
  // A finished actor takes no events (xstate ignores them, with a warning): such actions are
  // recorded as not accepted and not sent.
  const act = (action: UserAction): void => {
    const running = actor.getSnapshot().status === 'active';
    const flying = calls.filter(inFlight).map((c) => c.seq);
    const { credentials, hosts } = actor.getSnapshot().context;
    const hadSession = credentials !== null && hosts !== null;
    if (action.type === 'SEND') {
      sends += 1;
      const clientMsgId = `1700000000000${String(sends).padStart(4, '0')}`;
      user.push({ action: { ...action, clientMsgId }, accepted: running, inFlight: flying, hadSession });
      if (running) actor.send({ type: 'SEND', to: action.to, text: action.text, clientMsgId });
    } else {
      user.push({ action, accepted: running, inFlight: flying, hadSession });
      if (running) actor.send({ type: 'LOGOUT' });
    }
  };

  actor.start();
  // Each user action joins the scheduler's tasks once the driver reaches its turn (or when
  // nothing else is left to do), so it races whatever is in flight at that point.
  const waiting = [...scenario.user];
  const release = (all: boolean): boolean => {
    const due = waiting.filter((t) => all || t.from <= turn);
    for (const t of due) {
      waiting.splice(waiting.indexOf(t), 1);
      void s.schedule(Promise.resolve(t.action), `user ${t.action.type}`).then(act);
    }
    return due.length > 0;
  };

  let turn = 0;
  const drive = async (): Promise<void> => {
    for (;;) {
      if (turn++ > MAX_TURNS) throw new Error(`no end after ${MAX_TURNS} turns in ${JSON.stringify(actor.getSnapshot().value)}`);
      await settle();
      release(false);
      const timer = clock.nextIn();
      if (timer === undefined && s.count() === 0 && !release(true)) return;
      const timerFirst = scenario.timerFirst[turn % scenario.timerFirst.length] ?? false;
      if (timer !== undefined && (s.count() === 0 || timerFirst)) clock.increment(timer);
      else await s.waitOne();
    }
  };
  await drive();
  const endedByItself = actor.getSnapshot().status !== 'active';
  if (!endedByItself) {
    act({ type: 'LOGOUT' });
    await drive();
  }
  const last = actor.getSnapshot();
  const final = { value: last.value, status: last.status, context: last.context };
  actor.stop();
  return { scenario, input, calls, emitted, delivered, user, snapshots, crashes, final, endedByItself };
}
