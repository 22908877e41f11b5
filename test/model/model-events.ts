/**
 * The model's alphabet: for every state of the webwx machine, the events that can happen there
 * (each invoked service's answers, one per guard branch, and its failures; each pending delay; the
 * user's SEND and LOGOUT), and a bounded serialisation that makes the traversal's graph finite.
 *
 * Answers are built from the state's own context where the guard reads the context (an idle sync
 * repeats the current SyncKey, a new message takes an unseen MsgId), so that each answer takes the
 * branch it is named for in whatever state the traversal offers it.
 */
import { __unsafe_getAllOwnEventDescriptors, type AnyEventObject, type SnapshotFrom } from 'xstate';
import type { webwxMachine } from '../../src/machines/webwx.machine.js';
import type { WebwxContext, WebwxInput } from '../../src/machines/webwx.types.js';
import type { SyncKey } from '../../src/codecs/session.js';
import { int } from '../../src/codecs/common.js';
import {
  batchAnswer,
  check,
  confirmedAnswer,
  contactPage,
  credentialsAnswer,
  expiredAnswer,
  forbiddenAnswer,
  initAnswer,
  EMPTY_KEY,
  key,
  LOGIN_ORIGIN,
  badResponse,
  netError,
  notifyOk,
  notYet,
  pushOk,
  pushRefused,
  rawMessage,
  refused,
  scannedAnswer,
  sendOk,
  serverErrorAnswer,
  storedSession,
  syncAnswer,
  uuidIssued,
} from '../unit/machine/fixtures.js';
import { TEST_DEVICE_ID } from '../unit/machine/harness.js';

export type WebwxSnapshot = SnapshotFrom<typeof webwxMachine>;

/** Small budgets, so every "budget spent" branch is a few steps away. */
export const MODEL_INPUT: WebwxInput = {
  deviceId: TEST_DEVICE_ID,
  loginOrigin: LOGIN_ORIGIN,
  seed: 7,
  maxQrRefreshes: 1,
  maxConsecutiveFailures: 2,
  maxSendAttempts: 2,
  maxMemberAttempts: 2,
  timing: { pollPauseMs: 1000, checkPauseMs: 1000, backoffBaseMs: 100, backoffMaxMs: 400, sendRetryBaseMs: 200, sendRetryMaxMs: 400 },
};

/** The same machine resuming a stored session (the only way into `restoring`). */
export const MODEL_RESTORE_INPUT: WebwxInput = { ...MODEL_INPUT, stored: storedSession() };

/** A group that is never in the contacts with members, so a message from it queues a member fetch. */
export const MODEL_GROUP = '@@modelGroup';
export const MODEL_CLIENT_MSG_ID = '17000000000000001';

export const doneEvent = (id: string, output: unknown): AnyEventObject => ({ type: `xstate.done.actor.${id}`, output, actorId: id });
export const errorEvent = (id: string, error: unknown): AnyEventObject => ({ type: `xstate.error.actor.${id}`, error, actorId: id });

/** A key one step past `current` (every Val + 1): what a server answers after new activity. */
function bump(current: SyncKey | null): SyncKey {
  if (!current || current.List.length === 0) return key(100, 200, 300);
  return { Count: current.Count, List: current.List.map((k) => ({ Key: k.Key, Val: int(k.Val + 1) })) };
}

const UNTRUSTED_REDIRECT = 'https://evil.example/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T@qrticket_0&uuid=u&lang=zh_CN&scan=1';

type Outcomes = Readonly<Record<string, unknown>>;

/**
 * The answers (`done`) and failures (`errors`) of each invoked service, named for the branch of
 * its onDone / onError they take. Built from the context where the branch depends on it.
 */
function outcomesOf(id: string, context: WebwxContext): { done: Outcomes; errors: Outcomes } {
  // An id no answer so far delivered, so the message is new (and is not dropped as a repeat).
  const fresh = `m${context.delivered.length + 1}`;
  switch (id) {
    case 'getUuid':
      return { done: { issued: uuidIssued('uuid-model'), refused: { code: 500 } }, errors: { network: netError('jslogin') } };
    case 'pollLogin':
      return {
        done: {
          408: notYet(),
          201: scannedAnswer(),
          200: confirmedAnswer(),
          '200 untrusted': { answer: { code: 200, redirectUri: UNTRUSTED_REDIRECT }, elapsedMs: 0 },
          400: expiredAnswer(),
          500: serverErrorAnswer(),
        },
        errors: { network: netError('login') },
      };
    case 'newLoginPage':
      return { done: { granted: credentialsAnswer(), forbidden: forbiddenAnswer() }, errors: { network: netError('webwxnewloginpage') } };
    case 'webwxInit':
      return { done: { ok: initAnswer(), 1101: refused(1101), 1: refused(1) }, errors: { network: netError('webwxinit') } };
    case 'statusNotify':
      return { done: { ok: notifyOk(), 1: refused(1) }, errors: { network: netError('webwxstatusnotify') } };
    case 'getContact':
      return {
        done: { 'page Seq 7': contactPage(['@friend2'], 7), 'last page': contactPage(['@friend3'], 0), 1100: refused(1100), 1: refused(1) },
        errors: { network: netError('webwxgetcontact') },
      };
    case 'pushLogin':
      return { done: { accepted: pushOk('uuid-push'), refused: pushRefused() }, errors: { network: netError('webwxpushloginurl') } };
    case 'syncCheck':
      return { done: { 1101: check(1101, 0), 'selector 0': check(0, 0, 10), 'selector 0 after a hold': check(0, 0, 25_000), 'selector 2': check(0, 2, 10) }, errors: { network: netError('synccheck') } };
    case 'webwxSync':
      return {
        done: {
          1101: refused(1101),
          ContinueFlag: syncAnswer({ messages: [rawMessage(fresh, '@friend1', 'more')], syncKey: bump(context.syncKey), continueFlag: 1 }),
          // Nothing new for any context: an empty SyncKey keeps the current one, and no message or contact.
          idle: syncAnswer({ syncKey: EMPTY_KEY }),
          // A new key and a group that speaks for the first time (its members are then fetched).
          'group message': syncAnswer({ messages: [rawMessage(fresh, MODEL_GROUP, '@member:<br/>hi')], syncKey: bump(context.syncKey) }),
          1: refused(1),
        },
        errors: { network: netError('webwxsync') },
      };
    case 'sendText':
      return {
        done: { ok: sendOk('5001'), 1205: refused(1205), 1101: refused(1101), 1: refused(1) },
        errors: { network: netError('webwxsendmsg'), badResponse: badResponse('webwxsendmsg') },
      };
    case 'batchGetContact':
      return {
        done: { ok: batchAnswer([{ name: MODEL_GROUP, members: ['@member'] }]), 1: refused(1) },
        errors: { network: netError('webwxbatchgetcontact') },
      };
    case 'logout':
      return { done: { ok: undefined }, errors: { network: netError('webwxlogout') } };
    default:
      throw new Error(`the model has no outcomes for actor ${id}`);
  }
}

const DONE = 'xstate.done.actor.';
const ERROR = 'xstate.error.actor.';

/** A model event: an xstate event plus, for service results, the name of the branch it takes. */
export type ModelEvent = AnyEventObject & { readonly outcome?: string };

/**
 * The events offered in `snapshot`: every event type the active states handle, expanded into one
 * event per branch; none once the machine is done. SEND is offered only while the outbox is empty, which keeps the outbox (and
 * with it the graph) bounded without losing any of its branches.
 */
export function modelEvents(snapshot: WebwxSnapshot): ModelEvent[] {
  // A finished actor takes no events (xstate's pure transition() would still compute some).
  if (snapshot.status !== 'active') return [];
  const context = snapshot.context;
  return __unsafe_getAllOwnEventDescriptors(snapshot).flatMap((type): ModelEvent[] => {
    if (type.startsWith(DONE)) {
      const id = type.slice(DONE.length);
      return Object.entries(outcomesOf(id, context).done).map(([outcome, output]) => ({ ...doneEvent(id, output), outcome }));
    }
    if (type.startsWith(ERROR)) {
      const id = type.slice(ERROR.length);
      return Object.entries(outcomesOf(id, context).errors).map(([outcome, error]) => ({ ...errorEvent(id, error), outcome }));
    }
    if (type === 'SEND') {
      return context.outbox.length === 0 ? [{ type: 'SEND', to: '@friend1', text: 'hello', clientMsgId: MODEL_CLIENT_MSG_ID }] : [];
    }
    if (type === 'LOGOUT' || type.startsWith('xstate.after.')) return [{ type }];
    throw new Error(`the model does not know event ${type}`);
  });
}

/**
 * The event `event` stands for, built for `snapshot`: a traversal's event was built from whichever
 * snapshot first represented its vertex, and a path may reach that vertex with other keys and
 * MsgIds; rebuilding it by branch name keeps the branch and fits the answer to the context.
 */
export function resolveModelEvent(event: ModelEvent, snapshot: WebwxSnapshot): ModelEvent {
  if (event.outcome === undefined) return event;
  const match = modelEvents(snapshot).find((e) => e.type === event.type && e.outcome === event.outcome);
  if (!match) throw new Error(`${event.type} (${event.outcome}) is not offered in ${JSON.stringify(snapshot.value)}`);
  return match;
}

/** A path step, readable: `done pollLogin 201`, `after backoff`, `LOGOUT`. */
export function describeEvent(event: ModelEvent): string {
  if (event.type.startsWith(DONE)) return `done ${event.type.slice(DONE.length)} ${event.outcome ?? ''}`.trim();
  if (event.type.startsWith(ERROR)) return `error ${event.type.slice(ERROR.length)} ${event.outcome ?? ''}`.trim();
  if (event.type.startsWith('xstate.after.')) return `after ${event.type.split('.')[2] ?? ''} (${event.type.split('.').slice(3).join('.')})`;
  return event.type;
}

/**
 * The bounded serialisation: the state value plus what guards read (budgets, queue lengths, the
 * contact page Seq, whether a session is held, whether the model group is known). Keys, MsgIds
 * and contacts are left out: they grow without bound, and the answers above are rebuilt for each
 * context (resolveModelEvent) so that no guard sees a difference the serialisation hides.
 */
export function serializeModelState(snapshot: WebwxSnapshot): string {
  const c = snapshot.context;
  const top = typeof snapshot.value === 'string' ? snapshot.value : Object.keys(snapshot.value)[0];
  if (top === 'loggedOut') return JSON.stringify([snapshot.status, snapshot.value, c.logout?.reason ?? null]);
  if (top === 'loggingOut') return JSON.stringify([snapshot.status, snapshot.value, c.credentials !== null]);
  return JSON.stringify([
    snapshot.status,
    snapshot.value,
    c.faults.consecutive,
    c.login.qrRefreshes,
    c.outbox.length,
    c.sendAttempts,
    c.members.attempts,
    c.members.pending.length,
    c.members.inFlight.length,
    c.contactSeq,
    c.credentials !== null,
    // Whether the model group's members are known decides if its next message queues a fetch.
    Object.prototype.hasOwnProperty.call(c.contacts, MODEL_GROUP) && c.contacts[MODEL_GROUP]?.members !== undefined,
  ]);
}
