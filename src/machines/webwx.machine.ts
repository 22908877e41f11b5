/**
 * The WeChat Web protocol as one explicit statechart (XState v5). Pure: the actors are
 * placeholders that `webwx.actors.ts` replaces with the real services, the delays read the
 * context (so a simulated clock drives them), and the context is plain data.
 *
 * Top-level states: uuid → awaitingScan → scanned → confirmed → initialized → syncing → loggedOut,
 * plus restoring (a stored session) and loggingOut (LOGOUT from anywhere).
 */
import { assign, emit, enqueueActions, fromPromise, setup } from 'xstate';
import type { Answer } from '../codecs/common.js';
import { isGroupUserName, normalizeMessage, type Message } from '../codecs/content.js';
import type { Endpoint } from '../codecs/errors.js';
import type { JsLoginAnswer, LoginPollAnswer, NewLoginPageAnswer, PushLoginAnswer } from '../codecs/login.js';
import { redactSecrets } from '../codecs/redact.js';
import type { BatchGetContactBody, Contact, GetContactBody, InitBody } from '../codecs/session.js';
import type { SendMsgBody } from '../codecs/send.js';
import { nextSyncKey, sameKey, type SyncBody, type SyncCheckAnswer } from '../codecs/sync.js';
import { decideHosts, DEFAULT_LOGIN_ORIGIN, QR_TEXT_ORIGIN, storedHostsTrusted } from '../services/hosts.js';
import type { ServiceErrorCode, ServiceErrorData, ServiceInputs, SessionInput } from '../services/types.js';
import { nextSeed, remainingPause, webwxDelays } from './webwx.delays.js';
import {
  DEFAULT_TIMING,
  type ContactSummary,
  type Fault,
  type FaultTally,
  type LoginProgress,
  type LogoutInfo,
  type MemberLoading,
  type OutboxItem,
  type SendFailReason,
  type SyncKey,
  type Timed,
  type WebwxActorName,
  type WebwxActorOutputs,
  type WebwxContext,
  type WebwxEmitted,
  type WebwxEvent,
  type WebwxInput,
  type WebwxSettings,
  type WebwxStateName,
} from './webwx.types.js';

/** Retcodes (synccheck) and Rets (JSON answers) that mean the server ended the session. */
export const SESSION_DEAD_CODES: readonly number[] = [1100, 1101, 1102];
/** webwxsendmsg: sending too often; wait and retry the same message. */
export const RET_TOO_OFTEN = 1205;
/** webwxbatchgetcontact takes at most this many names per call. */
export const MEMBER_BATCH = 50;

export const DEFAULT_MAX_QR_REFRESHES = 5;
export const DEFAULT_MAX_CONSECUTIVE_FAILURES = 8;
export const DEFAULT_MAX_SEND_ATTEMPTS = 5;
export const DEFAULT_MAX_MEMBER_ATTEMPTS = 3;
export const DEFAULT_DEDUPE_WINDOW = 2000;

// ---------------------------------------------------------------------------------------------
// Placeholder actors: the machine names what it invokes; webwx.actors.ts binds the services.

function placeholder<N extends WebwxActorName>(name: N) {
  return fromPromise<WebwxActorOutputs[N], ServiceInputs[N]>(async () => {
    throw new Error(`${name}: not provided`);
  });
}

const placeholderActors = {
  getUuid: placeholder('getUuid'),
  pollLogin: placeholder('pollLogin'),
  newLoginPage: placeholder('newLoginPage'),
  webwxInit: placeholder('webwxInit'),
  statusNotify: placeholder('statusNotify'),
  getContact: placeholder('getContact'),
  batchGetContact: placeholder('batchGetContact'),
  syncCheck: placeholder('syncCheck'),
  webwxSync: placeholder('webwxSync'),
  sendText: placeholder('sendText'),
  pushLogin: placeholder('pushLogin'),
  logout: placeholder('logout'),
};

// ---------------------------------------------------------------------------------------------
// Pure helpers over plain data

const SERVICE_ERROR_CODES: ReadonlySet<string> = new Set<ServiceErrorCode>([
  'network',
  'timeout',
  'httpStatus',
  'tooLarge',
  'aborted',
  'badResponse',
]);

export function isServiceErrorData(value: unknown): value is ServiceErrorData {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { code?: unknown; endpoint?: unknown; message?: unknown };
  return typeof v.code === 'string' && SERVICE_ERROR_CODES.has(v.code) && typeof v.endpoint === 'string';
}

/** What a failed actor threw, as a secret-free fault for the `error` event. */
export function faultOf(thrown: unknown): Fault {
  // A service's own ServiceFailure carries its data in `data`; the bound actors throw the data itself.
  const wrapped = typeof thrown === 'object' && thrown !== null ? (thrown as { data?: unknown }).data : undefined;
  const error = isServiceErrorData(wrapped) ? wrapped : thrown;
  if (isServiceErrorData(error)) {
    const message = typeof error.message === 'string' ? error.message : error.code;
    const text = message.startsWith(`${error.endpoint}:`) ? message : `${error.endpoint}: ${message}`;
    return { code: error.code, message: redactSecrets(text) };
  }
  const text = error instanceof Error ? error.message : typeof error === 'string' ? error : 'unexpected failure';
  return { code: 'internal', message: redactSecrets(text) };
}

/** A server that answered but refused (non-zero Ret or code). */
export function refusal(endpoint: Endpoint, ret: number | string, errMsg = ''): Fault {
  const said = errMsg.length > 0 ? ` (${errMsg})` : '';
  return { code: 'refused', message: redactSecrets(`${endpoint} answered ${ret}${said}`) };
}

const isDeadCode = (code: number): boolean => SESSION_DEAD_CODES.includes(code);

const isEmptyKey = (key: SyncKey | null | undefined): boolean => !key || key.Count === 0 || key.List.length === 0;

/** `scheme://host[:port]` of a URL; a malformed one is kept as given (an action must not throw). */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

const hasOwn = (record: object, key: string): boolean => Object.prototype.hasOwnProperty.call(record, key);

export function summarizeContact(contact: Contact, previous?: ContactSummary): ContactSummary {
  const isGroup = isGroupUserName(contact.UserName);
  const listed = contact.MemberList && contact.MemberList.length > 0 ? contact.MemberList : undefined;
  const members = listed
    ? listed.map((m) => ({
        UserName: m.UserName as string,
        NickName: m.NickName ?? '',
        ...(m.DisplayName ? { DisplayName: m.DisplayName } : {}),
      }))
    : previous?.members;
  return {
    UserName: contact.UserName,
    NickName: contact.NickName,
    ...(contact.RemarkName ? { RemarkName: contact.RemarkName } : {}),
    isGroup,
    ...(members ? { members } : {}),
  };
}

/**
 * The groups among webwxinit's recent chats. Their members (webwxinit lists them without names)
 * are fetched as soon as the session syncs, as the web client does, so that a message from one
 * of these groups can name its sender; other groups are fetched on their first message.
 */
function recentGroupsOf(list: readonly { readonly UserName: unknown }[]): string[] {
  const groups = list.map((c) => String(c.UserName)).filter(isGroupUserName);
  return [...new Set(groups)].slice(0, MEMBER_BATCH);
}

/** Contacts with these added or replaced (a group keeps known members when the update lists none). */
export function mergeContacts(
  current: Readonly<Record<string, ContactSummary>>,
  added: readonly Contact[],
): Readonly<Record<string, ContactSummary>> {
  if (added.length === 0) return current;
  const entries = added.map((c): [string, ContactSummary] => [
    c.UserName,
    summarizeContact(c, hasOwn(current, c.UserName) ? current[c.UserName] : undefined),
  ]);
  // Object.fromEntries and spread define own properties, so a hostile name such as `__proto__` stays data.
  return { ...current, ...Object.fromEntries(entries) };
}

export function removeContacts(
  current: Readonly<Record<string, ContactSummary>>,
  removed: readonly string[],
): Readonly<Record<string, ContactSummary>> {
  if (removed.length === 0) return current;
  const gone = new Set(removed);
  return Object.fromEntries(Object.entries(current).filter(([name]) => !gone.has(name)));
}

const groupOf = (message: Message): string | null =>
  isGroupUserName(message.FromUserName) ? message.FromUserName : isGroupUserName(message.ToUserName) ? message.ToUserName : null;

/** What one webwxsync answer changes, and the messages it delivers (deduped, in server order). */
export interface SyncOutcome {
  readonly patch: Pick<
    WebwxContext,
    'syncKey' | 'syncCheckKey' | 'delivered' | 'contacts' | 'members' | 'credentials'
  >;
  readonly messages: readonly Message[];
  /** No new message (the keys and contacts may still change): the next synccheck waits a pause. */
  readonly bringsNothing: boolean;
}

/** The last `count` items; `count` 0 keeps none (`slice(-0)` would keep them all). */
function lastOf<T>(items: readonly T[], count: number): T[] {
  return count > 0 ? items.slice(-count) : [];
}

/**
 * Whether an answer delivers no new message, whatever it does to the keys and contacts: exactly
 * `applySyncAnswer(context, body).bringsNothing`, without normalising messages or copying the
 * window, because the guard asks it of every answer. Such a round rests before the next synccheck:
 * a server that answers a selector at once and then a sync with only a moved key, or the same
 * contact change again and again, would otherwise be asked again at once, forever (PROTOCOL.md:
 * peers spin on selectors 3, 6, 7). Contact changes are applied all the same; only messages are
 * worth hurrying for.
 */
export function syncAnswerBringsNothing(context: WebwxContext, body: SyncBody): boolean {
  if (body.AddMsgList.length === 0) return true;
  const seen = deliveredSetOf(context.delivered);
  return body.AddMsgList.every((raw) => seen.has(raw.MsgId));
}

/**
 * The dedupe window as a Set, kept beside the window array it was built from. The context holds
 * only the plain array (snapshots serialise); rebuilding a Set of 2,000 ids for every page of 50
 * messages cost more than the page's own decoding.
 */
const deliveredSets = new WeakMap<readonly string[], Set<string>>();

const NOTHING_DELIVERED: ReadonlySet<string> = new Set();

function deliveredSetOf(window: readonly string[]): ReadonlySet<string> {
  if (window.length === 0) return NOTHING_DELIVERED;
  let set = deliveredSets.get(window);
  if (set === undefined) {
    set = new Set(window);
    deliveredSets.set(window, set);
  }
  return set;
}

/**
 * The window after `added` (ids in none of `window`): the last `size` ids. Its Set is the old
 * window's, moved over and updated, so only the ids that come and go are touched; the old array
 * loses its Set and would rebuild one if it were ever asked again.
 */
function nextDeliveredWindow(window: readonly string[], added: readonly string[], size: number): readonly string[] {
  if (added.length === 0) return window;
  const all = [...window, ...added];
  const next = lastOf(all, size);
  const set = deliveredSets.get(window);
  // A window read from a session file may repeat an id; its Set would then not match by size.
  if (set === undefined || set.size !== window.length) return next;
  deliveredSets.delete(window);
  // No id is in `all` twice, so the Set of `next` is all of them but the head that was dropped.
  for (const id of added) set.add(id);
  for (let i = 0; i < all.length - next.length; i += 1) set.delete(all[i] as string);
  deliveredSets.set(next, set);
  return next;
}

export function applySyncAnswer(context: WebwxContext, body: SyncBody): SyncOutcome {
  const self = context.user?.UserName ?? '';
  const seen = deliveredSetOf(context.delivered);
  const messages: Message[] = [];
  let page: Set<string> | null = null;
  for (const raw of body.AddMsgList) {
    const id = raw.MsgId;
    if (seen.has(id) || page?.has(id)) continue;
    (page ??= new Set()).add(id);
    messages.push(normalizeMessage(raw, self));
  }
  const fresh = messages.map((m) => m.MsgId as string);
  const delivered = nextDeliveredWindow(context.delivered, fresh, context.settings.dedupeWindow);

  const removed = (body.DelContactList ?? []).map((c) => c.UserName as string);
  const contacts = removeContacts(mergeContacts(context.contacts, body.ModContactList ?? []), removed);

  let pending: string[] | null = null;
  let waiting: Set<string> | null = null;
  for (const message of messages) {
    const group = groupOf(message);
    if (group === null) continue;
    waiting ??= new Set([...context.members.pending, ...context.members.inFlight]);
    if (waiting.has(group)) continue;
    const known = hasOwn(contacts, group) ? contacts[group] : undefined;
    if (known?.members) continue;
    waiting.add(group);
    (pending ??= [...context.members.pending]).push(group);
  }
  const members = pending === null ? context.members : { ...context.members, pending };

  const current = context.syncKey ?? body.SyncKey;
  const syncKey = nextSyncKey(current, body.SyncKey);
  const syncCheckKey = isEmptyKey(body.SyncCheckKey) ? context.syncCheckKey : (body.SyncCheckKey ?? null);
  const credentials =
    context.credentials && body.SKey && body.SKey.length > 0 ? { ...context.credentials, skey: body.SKey } : context.credentials;
  const bringsNothing = messages.length === 0;
  return { patch: { syncKey, syncCheckKey, delivered, contacts, members, credentials }, messages, bringsNothing };
}

/** The top-level state of a snapshot value, e.g. `{ syncing: {...} }` → `syncing`. */
export function topStateOf(value: unknown): WebwxStateName | 'boot' {
  if (typeof value === 'string') return value as WebwxStateName;
  const first = value && typeof value === 'object' ? Object.keys(value)[0] : undefined;
  return (first ?? 'boot') as WebwxStateName;
}

/** The context with every secret masked: for inspectors, recordings and printed snapshots. */
export function redactContext(context: WebwxContext): WebwxContext {
  const credentials = context.credentials
    ? { skey: '***', wxsid: '***', wxuin: '***', passTicket: '***', deviceId: context.credentials.deviceId }
    : null;
  return {
    ...context,
    credentials,
    login: {
      ...context.login,
      redirectUri: context.login.redirectUri === null ? null : redactSecrets(context.login.redirectUri),
      pushUin: context.login.pushUin === null ? null : '***',
    },
  };
}

function settingsOf(input: WebwxInput): WebwxSettings {
  return {
    loginOrigin: input.loginOrigin ?? DEFAULT_LOGIN_ORIGIN,
    uos: input.uos ?? false,
    maxQrRefreshes: input.maxQrRefreshes ?? DEFAULT_MAX_QR_REFRESHES,
    maxConsecutiveFailures: input.maxConsecutiveFailures ?? DEFAULT_MAX_CONSECUTIVE_FAILURES,
    maxSendAttempts: input.maxSendAttempts ?? DEFAULT_MAX_SEND_ATTEMPTS,
    maxMemberAttempts: input.maxMemberAttempts ?? DEFAULT_MAX_MEMBER_ATTEMPTS,
    dedupeWindow: input.dedupeWindow ?? DEFAULT_DEDUPE_WINDOW,
    timing: { ...DEFAULT_TIMING, ...(input.timing ?? {}) },
  };
}

/*
 * The context keeps at most 19 top-level fields, the login and member-loading steps each in a
 * field of their own: xstate's assign copies the context with Object.assign, and V8 turns a copy
 * with 20 or more properties into a hash table (~1.6 KiB per session instead of ~0.2, and slower
 * reads on every transition).
 */
const NO_LOGIN: LoginProgress = { uuid: null, qrRefreshes: 0, redirectUri: null, pushUin: null };
const NO_MEMBERS: MemberLoading = { pending: [], inFlight: [], attempts: 0 };
const NO_FAULTS: FaultTally = { consecutive: 0, last: null };

export function initialContext(input: WebwxInput): WebwxContext {
  const settings = settingsOf(input);
  // Credentials go only where the host rule allows under this login origin; else a fresh login.
  const stored = input.stored && storedHostsTrusted(input.stored.hosts, settings.loginOrigin) ? input.stored : null;
  return {
    settings,
    deviceId: stored?.credentials.deviceId ?? input.deviceId,
    login: NO_LOGIN,
    hosts: stored?.hosts ?? null,
    credentials: stored?.credentials ?? null,
    user: stored?.user ?? null,
    syncKey: stored && !isEmptyKey(stored.syncKey) ? stored.syncKey : null,
    syncCheckKey: stored && !isEmptyKey(stored.syncCheckKey) ? stored.syncCheckKey : null,
    contactSeq: 0,
    contacts: {},
    members: NO_MEMBERS,
    delivered: lastOf(stored?.delivered ?? [], settings.dedupeWindow),
    outbox: [],
    sendAttempts: 0,
    faults: NO_FAULTS,
    restMs: 0,
    seed: (input.seed ?? 0x9e3779b9) >>> 0,
    logout: null,
  };
}

/** The session part of every logged-in request. Reaching it without a session is a bug in the chart. */
function sessionOf(context: WebwxContext): SessionInput {
  if (!context.hosts || !context.credentials) throw new Error('no session in this state');
  return { hosts: context.hosts, credentials: context.credentials };
}

function keyOf(context: WebwxContext): SyncKey {
  if (!context.syncKey) throw new Error('no SyncKey in this state');
  return context.syncKey;
}

const sendFailReasonOf = (fault: Fault): SendFailReason => (fault.code === 'refused' ? 'rejected' : fault.code);

/**
 * Faults worth another attempt of the same send. Some happen after the server stored the message
 * (a lost or cut-off answer, a timeout while it answered): the retry carries the same
 * clientMsgId, which the server dedupes, so it answers the first MsgID instead of storing twice.
 */
const TRANSIENT_SEND_FAULTS: ReadonlySet<string> = new Set(['network', 'timeout', 'httpStatus', 'badResponse', 'tooLarge']);

// ---------------------------------------------------------------------------------------------
// The statechart

export const webwxMachine = setup({
  types: {
    context: {} as WebwxContext,
    events: {} as WebwxEvent,
    input: {} as WebwxInput,
    emitted: {} as WebwxEmitted,
    output: {} as LogoutInfo,
  },
  actors: placeholderActors,
  delays: webwxDelays,
  guards: {
    hasStoredSession: ({ context }) => context.credentials !== null && context.hosts !== null,
    hasCredentials: ({ context }) => context.credentials !== null && context.hosts !== null,
    failureBudgetSpent: ({ context }) => context.faults.consecutive >= context.settings.maxConsecutiveFailures,

    uuidIssued: (_, answer: JsLoginAnswer) => answer.code === 200 && typeof answer.uuid === 'string',
    notScannedYet: (_, answer: LoginPollAnswer) => answer.code === 408,
    /** While scanned: 408 (hold timed out) and 201 (still awaiting the confirm) both mean "ask again". */
    awaitingConfirm: (_, answer: LoginPollAnswer) => answer.code === 408 || answer.code === 201,
    scannedByPhone: (_, answer: LoginPollAnswer) => answer.code === 201,
    confirmedByPhone: (_, answer: LoginPollAnswer) => answer.code === 200,
    qrExpiredRefreshable: ({ context }, answer: LoginPollAnswer) =>
      answer.code === 400 && context.login.qrRefreshes < context.settings.maxQrRefreshes,
    qrExpired: (_, answer: LoginPollAnswer) => answer.code === 400,
    redirectTrusted: ({ context }) =>
      context.login.redirectUri !== null && decideHosts(context.login.redirectUri, context.settings.loginOrigin).ok,
    credentialsGranted: (_, answer: NewLoginPageAnswer) => answer.ret === 0 && 'skey' in answer,
    pushAccepted: (_, answer: PushLoginAnswer) => answer.ok,

    answerOk: (_, answer: Answer<unknown>) => answer.ok,
    sessionDead: (_, answer: Answer<unknown>) => !answer.ok && isDeadCode(answer.ret),
    morePagesFollow: ({ context }, answer: Answer<GetContactBody>) =>
      answer.ok && (answer.value.Seq ?? 0) !== 0 && answer.value.Seq !== context.contactSeq,

    sessionEnded: (_, answer: SyncCheckAnswer) => answer.retcode !== 0,
    nothingNew: (_, answer: SyncCheckAnswer) => answer.selector === 0,
    /** Nothing new, and the synccheck itself lasted the minimum spacing (a hold): no pause is owed. */
    nothingNewPauseServed: ({ context }, checked: Timed<SyncCheckAnswer>) =>
      checked.answer.selector === 0 && remainingPause(context.settings.timing.checkPauseMs, checked.elapsedMs) === 0,
    moreToFetch: (_, answer: Answer<SyncBody>) => answer.ok && (answer.value.ContinueFlag ?? 0) !== 0,
    syncBroughtNothing: ({ context }, answer: Answer<SyncBody>) => answer.ok && syncAnswerBringsNothing(context, answer.value),

    outboxHasItems: ({ context }) => context.outbox.length > 0,
    rateLimitedRetryable: ({ context }, answer: Answer<SendMsgBody>) =>
      !answer.ok && answer.ret === RET_TOO_OFTEN && context.sendAttempts + 1 < context.settings.maxSendAttempts,
    sendRetryable: ({ context }, fault: Fault) =>
      TRANSIENT_SEND_FAULTS.has(fault.code) && context.sendAttempts + 1 < context.settings.maxSendAttempts,

    membersPending: ({ context }) => context.members.pending.length > 0,
    memberRetryAllowed: ({ context }) => context.members.attempts + 1 < context.settings.maxMemberAttempts,
  },
  actions: {
    /**
     * Clears the fault tally, and only when there is one: an assign copies the context and the
     * snapshot even to write what is already there, and on an idle round that copy was a sixth of
     * what the actor allocates.
     */
    succeed: enqueueActions(({ context, enqueue }) => {
      if (context.faults.consecutive !== 0 || context.faults.last !== null) enqueue.assign({ faults: NO_FAULTS });
    }),
    /** A fault the machine handles by backing off: counted in the budget and reported. */
    fault: enqueueActions(({ context, enqueue }, fault: Fault) => {
      enqueue.assign({ faults: { consecutive: context.faults.consecutive + 1, last: fault }, seed: nextSeed(context.seed) });
      enqueue.emit({ type: 'error', code: fault.code, message: fault.message });
    }),
    /** A fault that changes nothing but is worth telling (status notify, a send retry). */
    report: emit((_, fault: Fault) => ({ type: 'error' as const, code: fault.code, message: fault.message })),
    restAfter: assign((_, pause: { minimumMs: number; elapsedMs: number }) => ({
      restMs: remainingPause(pause.minimumMs, pause.elapsedMs),
    })),
    /** What is left of the poll pause after a login poll that took `elapsedMs`. */
    restAfterPoll: assign(({ context }, elapsedMs: number) => ({
      restMs: remainingPause(context.settings.timing.pollPauseMs, elapsedMs),
    })),

    storeUuid: assign(({ context }, uuid: string) => ({ login: { ...context.login, uuid } })),
    countQrRefresh: assign(({ context }) => ({ login: { ...context.login, qrRefreshes: context.login.qrRefreshes + 1 } })),
    emitQr: emit(({ context }) => {
      const uuid = context.login.uuid ?? '';
      const origin = originOf(context.settings.loginOrigin);
      return { type: 'qr' as const, uuid, qrUrl: `${QR_TEXT_ORIGIN}/l/${uuid}`, imageUrl: `${origin}/qrcode/${uuid}` };
    }),
    emitScanned: emit((_, answer: LoginPollAnswer) => ({
      type: 'scanned' as const,
      avatar: answer.code === 201 ? answer.avatar : null,
    })),
    storeRedirect: assign(({ context }, answer: LoginPollAnswer) => ({
      login: { ...context.login, redirectUri: answer.code === 200 ? answer.redirectUri : null },
    })),
    storeHosts: assign(({ context }) => {
      const decision = decideHosts(context.login.redirectUri ?? '', context.settings.loginOrigin);
      return { hosts: decision.ok ? decision.hosts : null };
    }),
    storeCredentials: enqueueActions(({ context, enqueue }, answer: NewLoginPageAnswer) => {
      if (answer.ret !== 0 || !('skey' in answer)) return;
      enqueue.assign({
        credentials: {
          skey: answer.skey,
          wxsid: answer.wxsid,
          wxuin: answer.wxuin,
          passTicket: answer.passTicket,
          deviceId: context.deviceId,
        },
        // The ticket in the redirect is spent; do not keep a secret we no longer need.
        login: { ...context.login, redirectUri: null, pushUin: null },
      });
      enqueue.emit({ type: 'sessionReady' });
    }),

    /** webwxinit after a fresh login: everything comes from the answer, keys included. */
    storeInit: enqueueActions(({ context, enqueue }, answer: Answer<InitBody>) => {
      if (!answer.ok) return;
      const init = answer.value;
      const user = { UserName: init.User.UserName as string, NickName: init.User.NickName, Uin: init.User.Uin as number };
      enqueue.assign({
        user,
        syncKey: init.SyncKey,
        syncCheckKey: null,
        contacts: mergeContacts({}, init.ContactList),
        contactSeq: 0,
        credentials:
          context.credentials && init.SKey ? { ...context.credentials, skey: init.SKey } : context.credentials,
        members: { ...context.members, pending: recentGroupsOf(init.ContactList) },
      });
      enqueue.emit({ type: 'login', user });
    }),
    /**
     * webwxinit probing a stored session: refresh user, contacts and skey but keep the stored
     * keys, which mark the last position whose messages were delivered.
     */
    storeProbe: enqueueActions(({ context, enqueue }, answer: Answer<InitBody>) => {
      if (!answer.ok) return;
      const init = answer.value;
      const user = { UserName: init.User.UserName as string, NickName: init.User.NickName, Uin: init.User.Uin as number };
      enqueue.assign({
        user,
        syncKey: isEmptyKey(context.syncKey) ? init.SyncKey : context.syncKey,
        contacts: mergeContacts({}, init.ContactList),
        contactSeq: 0,
        credentials:
          context.credentials && init.SKey ? { ...context.credentials, skey: init.SKey } : context.credentials,
        members: { ...context.members, pending: recentGroupsOf(init.ContactList) },
      });
      enqueue.emit({ type: 'login', user });
    }),
    storeContactPage: assign(({ context }, answer: Answer<GetContactBody>) =>
      answer.ok
        ? { contacts: mergeContacts(context.contacts, answer.value.MemberList), contactSeq: answer.value.Seq ?? 0 }
        : {},
    ),
    emitContacts: emit(({ context }) => ({ type: 'contacts' as const, count: Object.keys(context.contacts).length })),
    markSessionDead: enqueueActions(({ context, enqueue }, retcode: number) => {
      enqueue.assign({ login: { ...context.login, pushUin: context.credentials?.wxuin ?? null }, credentials: null });
      enqueue.emit({ type: 'sessionExpired', retcode });
    }),

    applySync: enqueueActions(({ context, enqueue }, answer: Answer<SyncBody>) => {
      if (!answer.ok) return;
      const outcome = applySyncAnswer(context, answer.value);
      enqueue.assign(outcome.patch);
      // One event per page: the client tells its listeners one message at a time.
      if (outcome.messages.length > 0) enqueue.emit({ type: 'messages', messages: outcome.messages });
      const { syncKey, syncCheckKey, delivered } = outcome.patch;
      if (syncKey) enqueue.emit({ type: 'checkpoint', syncKey, syncCheckKey, delivered });
    }),

    enqueueSend: assign(({ context }, item: OutboxItem) => ({
      outbox: [...context.outbox, { to: item.to, text: item.text, clientMsgId: item.clientMsgId }],
    })),
    refuseSend: emit((_, item: OutboxItem) => ({
      type: 'sendFailed' as const,
      to: item.to,
      clientMsgId: item.clientMsgId,
      reason: 'loggedOut' as const,
    })),
    countSendAttempt: assign(({ context }) => ({ sendAttempts: context.sendAttempts + 1, seed: nextSeed(context.seed) })),
    sendSucceeded: enqueueActions(({ context, enqueue }, answer: Answer<SendMsgBody>) => {
      const head = context.outbox[0];
      enqueue.assign({ outbox: context.outbox.slice(1), sendAttempts: 0 });
      if (head && answer.ok) {
        enqueue.emit({ type: 'sent', to: head.to, clientMsgId: head.clientMsgId, msgId: answer.value.MsgID as string });
      }
    }),
    sendGaveUp: enqueueActions(({ context, enqueue }, failure: { reason: SendFailReason; ret?: number }) => {
      const head = context.outbox[0];
      enqueue.assign({ outbox: context.outbox.slice(1), sendAttempts: 0 });
      if (!head) return;
      enqueue.emit({
        type: 'sendFailed',
        to: head.to,
        clientMsgId: head.clientMsgId,
        reason: failure.reason,
        ...(failure.ret !== undefined ? { ret: failure.ret } : {}),
      });
    }),
    failQueuedSends: enqueueActions(({ context, enqueue }) => {
      if (context.outbox.length === 0) return;
      for (const item of context.outbox) {
        enqueue.emit({ type: 'sendFailed', to: item.to, clientMsgId: item.clientMsgId, reason: 'loggedOut' });
      }
      enqueue.assign({ outbox: [], sendAttempts: 0 });
    }),

    takeMemberBatch: assign(({ context }) => ({
      members: {
        ...context.members,
        inFlight: context.members.pending.slice(0, MEMBER_BATCH),
        pending: context.members.pending.slice(MEMBER_BATCH),
      },
    })),
    storeMembers: assign(({ context }, answer: Answer<BatchGetContactBody>) => ({
      contacts: answer.ok ? mergeContacts(context.contacts, answer.value.ContactList) : context.contacts,
      members: { ...context.members, inFlight: [], attempts: 0 },
    })),
    countMemberAttempt: assign(({ context }) => ({
      members: { ...context.members, attempts: context.members.attempts + 1 },
      seed: nextSeed(context.seed),
    })),
    /** Give the batch back to the queue's front for the retry. */
    requeueMemberBatch: assign(({ context }) => ({
      members: { ...context.members, pending: [...context.members.inFlight, ...context.members.pending], inFlight: [] },
    })),
    dropMemberBatch: assign(({ context }) => ({ members: { ...context.members, inFlight: [], attempts: 0 } })),

    endSession: assign((_, logout: LogoutInfo) => ({ logout })),
    endTooManyFailures: assign(({ context }) => ({
      logout: {
        reason: 'tooManyFailures' as const,
        ...(context.faults.last ? { message: context.faults.last.message } : {}),
      },
    })),
    emitLogout: emit(({ context }) => ({ type: 'logout' as const, ...(context.logout ?? { reason: 'user' as const }) })),
  },
}).createMachine({
  id: 'webwx',
  context: ({ input }) => initialContext(input),
  initial: 'boot',
  output: ({ context }) => context.logout ?? { reason: 'user' },
  on: {
    SEND: { actions: { type: 'enqueueSend', params: ({ event }) => event } },
    LOGOUT: { target: '.loggingOut' },
  },
  states: {
    /** Transient: picks the first state from the input (never observed in a snapshot). */
    boot: {
      always: [{ guard: 'hasStoredSession', target: 'restoring' }, { target: 'uuid' }],
    },

    uuid: {
      initial: 'requesting',
      states: {
        requesting: {
          invoke: {
            id: 'getUuid',
            src: 'getUuid',
            input: ({ context }) => ({ loginOrigin: context.settings.loginOrigin, uos: context.settings.uos }),
            onDone: [
              {
                guard: { type: 'uuidIssued', params: ({ event }) => event.output },
                target: '#webwx.awaitingScan',
                actions: ['succeed', { type: 'storeUuid', params: ({ event }) => event.output.uuid ?? '' }],
              },
              {
                target: 'backingOff',
                actions: { type: 'fault', params: ({ event }) => refusal('jslogin', `code ${event.output.code}`) },
              },
            ],
            onError: { target: 'backingOff', actions: { type: 'fault', params: ({ event }) => faultOf(event.error) } },
          },
        },
        backingOff: {
          always: { guard: 'failureBudgetSpent', target: '#webwx.loggedOut', actions: 'endTooManyFailures' },
          after: { backoff: 'requesting' },
        },
        /** After a QR that expired (400) on a poll that came back at once: the rest of the poll pause. */
        resting: { after: { rest: 'requesting' } },
      },
    },

    awaitingScan: {
      entry: 'emitQr',
      initial: 'polling',
      states: {
        polling: {
          invoke: {
            id: 'pollLogin',
            src: 'pollLogin',
            input: ({ context }) => ({ loginOrigin: context.settings.loginOrigin, uuid: context.login.uuid ?? '', tip: 1 as const }),
            onDone: [
              {
                guard: { type: 'notScannedYet', params: ({ event }) => event.output.answer },
                target: 'resting',
                actions: [
                  'succeed',
                  { type: 'restAfterPoll', params: ({ event }) => event.output.elapsedMs },
                ],
              },
              {
                // Straight to the tip=0 poll, as the web client does: that one is held until the
                // confirm, and if it too came back at once, `scanned` pauses before the next.
                guard: { type: 'scannedByPhone', params: ({ event }) => event.output.answer },
                target: '#webwx.scanned',
                actions: ['succeed', { type: 'emitScanned', params: ({ event }) => event.output.answer }],
              },
              {
                guard: { type: 'confirmedByPhone', params: ({ event }) => event.output.answer },
                target: '#webwx.confirmed',
                actions: ['succeed', { type: 'storeRedirect', params: ({ event }) => event.output.answer }],
              },
              {
                guard: { type: 'qrExpiredRefreshable', params: ({ event }) => event.output.answer },
                target: '#webwx.uuid.resting',
                actions: [
                  'succeed',
                  'countQrRefresh',
                  { type: 'restAfterPoll', params: ({ event }) => event.output.elapsedMs },
                ],
              },
              {
                guard: { type: 'qrExpired', params: ({ event }) => event.output.answer },
                target: '#webwx.loggedOut',
                actions: { type: 'endSession', params: { reason: 'qrExpired' } },
              },
              {
                // 500: the server lost this uuid; take a new one after a pause.
                target: '#webwx.uuid.backingOff',
                actions: { type: 'fault', params: ({ event }) => refusal('login', `code ${event.output.answer.code}`) },
              },
            ],
            onError: { target: 'backingOff', actions: { type: 'fault', params: ({ event }) => faultOf(event.error) } },
          },
        },
        resting: { after: { rest: 'polling' } },
        backingOff: {
          always: { guard: 'failureBudgetSpent', target: '#webwx.loggedOut', actions: 'endTooManyFailures' },
          after: { backoff: 'polling' },
        },
      },
    },

    scanned: {
      initial: 'polling',
      states: {
        polling: {
          invoke: {
            id: 'pollLogin',
            src: 'pollLogin',
            // tip is never 1 again for a uuid that has been scanned.
            input: ({ context }) => ({ loginOrigin: context.settings.loginOrigin, uuid: context.login.uuid ?? '', tip: 0 as const }),
            onDone: [
              {
                guard: { type: 'awaitingConfirm', params: ({ event }) => event.output.answer },
                target: 'resting',
                actions: [
                  'succeed',
                  { type: 'restAfterPoll', params: ({ event }) => event.output.elapsedMs },
                ],
              },
              {
                guard: { type: 'confirmedByPhone', params: ({ event }) => event.output.answer },
                target: '#webwx.confirmed',
                actions: ['succeed', { type: 'storeRedirect', params: ({ event }) => event.output.answer }],
              },
              {
                guard: { type: 'qrExpiredRefreshable', params: ({ event }) => event.output.answer },
                target: '#webwx.uuid.resting',
                actions: [
                  'succeed',
                  'countQrRefresh',
                  { type: 'restAfterPoll', params: ({ event }) => event.output.elapsedMs },
                ],
              },
              {
                guard: { type: 'qrExpired', params: ({ event }) => event.output.answer },
                target: '#webwx.loggedOut',
                actions: { type: 'endSession', params: { reason: 'qrExpired' } },
              },
              {
                target: '#webwx.uuid.backingOff',
                actions: { type: 'fault', params: ({ event }) => refusal('login', `code ${event.output.answer.code}`) },
              },
            ],
            onError: { target: 'backingOff', actions: { type: 'fault', params: ({ event }) => faultOf(event.error) } },
          },
        },
        resting: { after: { rest: 'polling' } },
        backingOff: {
          always: { guard: 'failureBudgetSpent', target: '#webwx.loggedOut', actions: 'endTooManyFailures' },
          after: { backoff: 'polling' },
        },
      },
    },

    confirmed: {
      initial: 'checkingHost',
      states: {
        /** The host rule runs before any request: an untrusted redirect is never contacted. */
        checkingHost: {
          always: [
            { guard: 'redirectTrusted', target: 'fetchingCredentials', actions: 'storeHosts' },
            {
              target: '#webwx.loggedOut',
              actions: { type: 'endSession', params: { reason: 'untrustedRedirect' } },
            },
          ],
        },
        fetchingCredentials: {
          invoke: {
            id: 'newLoginPage',
            src: 'newLoginPage',
            input: ({ context }) => ({ redirectUri: context.login.redirectUri ?? '', uos: context.settings.uos }),
            onDone: [
              {
                guard: { type: 'credentialsGranted', params: ({ event }) => event.output },
                target: '#webwx.initialized',
                actions: ['succeed', { type: 'storeCredentials', params: ({ event }) => event.output }],
              },
              {
                target: '#webwx.loggedOut',
                actions: {
                  type: 'endSession',
                  params: ({ event }) => ({
                    reason: 'webLoginForbidden',
                    retcode: event.output.ret,
                    message: redactSecrets(event.output.message),
                  }),
                },
              },
            ],
            onError: { target: 'backingOff', actions: { type: 'fault', params: ({ event }) => faultOf(event.error) } },
          },
        },
        backingOff: {
          always: { guard: 'failureBudgetSpent', target: '#webwx.loggedOut', actions: 'endTooManyFailures' },
          after: { backoff: 'fetchingCredentials' },
        },
      },
    },

    initialized: {
      initial: 'loadingUser',
      states: {
        loadingUser: {
          invoke: {
            id: 'webwxInit',
            src: 'webwxInit',
            input: ({ context }) => sessionOf(context),
            onDone: [
              {
                guard: { type: 'answerOk', params: ({ event }) => event.output },
                target: 'notifying',
                actions: ['succeed', { type: 'storeInit', params: ({ event }) => event.output }],
              },
              {
                guard: { type: 'sessionDead', params: ({ event }) => event.output },
                target: '#webwx.loggedOut',
                actions: {
                  type: 'endSession',
                  params: ({ event }) => ({ reason: 'remote', retcode: event.output.ok ? 0 : event.output.ret }),
                },
              },
              {
                target: 'backingOff',
                actions: {
                  type: 'fault',
                  params: ({ event }) =>
                    event.output.ok ? refusal('webwxinit', 0) : refusal('webwxinit', event.output.ret, event.output.errMsg),
                },
              },
            ],
            onError: { target: 'backingOff', actions: { type: 'fault', params: ({ event }) => faultOf(event.error) } },
          },
        },
        backingOff: {
          always: { guard: 'failureBudgetSpent', target: '#webwx.loggedOut', actions: 'endTooManyFailures' },
          after: { backoff: 'loadingUser' },
        },
        /** Tells the phone that web is in use; a failure here does not stop the login. */
        notifying: {
          invoke: {
            id: 'statusNotify',
            src: 'statusNotify',
            input: ({ context }) => ({ ...sessionOf(context), userName: context.user?.UserName ?? '' }),
            onDone: [
              { guard: { type: 'answerOk', params: ({ event }) => event.output }, target: 'loadingContacts' },
              {
                target: 'loadingContacts',
                actions: {
                  type: 'report',
                  params: ({ event }) =>
                    event.output.ok ? refusal('webwxstatusnotify', 0) : refusal('webwxstatusnotify', event.output.ret),
                },
              },
            ],
            onError: { target: 'loadingContacts', actions: { type: 'report', params: ({ event }) => faultOf(event.error) } },
          },
        },
        loadingContacts: {
          invoke: {
            id: 'getContact',
            src: 'getContact',
            input: ({ context }) => ({ ...sessionOf(context), seq: context.contactSeq }),
            onDone: [
              {
                guard: { type: 'morePagesFollow', params: ({ event }) => event.output },
                target: 'loadingContacts',
                reenter: true,
                actions: ['succeed', { type: 'storeContactPage', params: ({ event }) => event.output }],
              },
              {
                guard: { type: 'answerOk', params: ({ event }) => event.output },
                target: '#webwx.syncing',
                actions: ['succeed', { type: 'storeContactPage', params: ({ event }) => event.output }, 'emitContacts'],
              },
              {
                guard: { type: 'sessionDead', params: ({ event }) => event.output },
                target: '#webwx.loggedOut',
                actions: {
                  type: 'endSession',
                  params: ({ event }) => ({ reason: 'remote', retcode: event.output.ok ? 0 : event.output.ret }),
                },
              },
              {
                target: 'contactsBackingOff',
                actions: {
                  type: 'fault',
                  params: ({ event }) =>
                    event.output.ok ? refusal('webwxgetcontact', 0) : refusal('webwxgetcontact', event.output.ret),
                },
              },
            ],
            onError: {
              target: 'contactsBackingOff',
              actions: { type: 'fault', params: ({ event }) => faultOf(event.error) },
            },
          },
        },
        contactsBackingOff: {
          always: { guard: 'failureBudgetSpent', target: '#webwx.loggedOut', actions: 'endTooManyFailures' },
          after: { backoff: 'loadingContacts' },
        },
      },
    },

    restoring: {
      initial: 'probing',
      states: {
        /** webwxinit tells whether the stored session is alive; the stored keys are kept. */
        probing: {
          invoke: {
            id: 'webwxInit',
            src: 'webwxInit',
            input: ({ context }) => sessionOf(context),
            onDone: [
              {
                guard: { type: 'answerOk', params: ({ event }) => event.output },
                target: 'loadingContacts',
                actions: ['succeed', { type: 'storeProbe', params: ({ event }) => event.output }],
              },
              {
                guard: { type: 'sessionDead', params: ({ event }) => event.output },
                target: 'pushing',
                actions: { type: 'markSessionDead', params: ({ event }) => (event.output.ok ? 0 : event.output.ret) },
              },
              {
                target: 'backingOff',
                actions: {
                  type: 'fault',
                  params: ({ event }) =>
                    event.output.ok ? refusal('webwxinit', 0) : refusal('webwxinit', event.output.ret, event.output.errMsg),
                },
              },
            ],
            onError: { target: 'backingOff', actions: { type: 'fault', params: ({ event }) => faultOf(event.error) } },
          },
        },
        backingOff: {
          always: { guard: 'failureBudgetSpent', target: '#webwx.loggedOut', actions: 'endTooManyFailures' },
          after: { backoff: 'probing' },
        },
        loadingContacts: {
          invoke: {
            id: 'getContact',
            src: 'getContact',
            input: ({ context }) => ({ ...sessionOf(context), seq: context.contactSeq }),
            onDone: [
              {
                guard: { type: 'morePagesFollow', params: ({ event }) => event.output },
                target: 'loadingContacts',
                reenter: true,
                actions: ['succeed', { type: 'storeContactPage', params: ({ event }) => event.output }],
              },
              {
                guard: { type: 'answerOk', params: ({ event }) => event.output },
                target: '#webwx.syncing',
                actions: ['succeed', { type: 'storeContactPage', params: ({ event }) => event.output }, 'emitContacts'],
              },
              {
                guard: { type: 'sessionDead', params: ({ event }) => event.output },
                target: '#webwx.loggedOut',
                actions: {
                  type: 'endSession',
                  params: ({ event }) => ({ reason: 'remote', retcode: event.output.ok ? 0 : event.output.ret }),
                },
              },
              {
                target: 'contactsBackingOff',
                actions: {
                  type: 'fault',
                  params: ({ event }) =>
                    event.output.ok ? refusal('webwxgetcontact', 0) : refusal('webwxgetcontact', event.output.ret),
                },
              },
            ],
            onError: {
              target: 'contactsBackingOff',
              actions: { type: 'fault', params: ({ event }) => faultOf(event.error) },
            },
          },
        },
        contactsBackingOff: {
          always: { guard: 'failureBudgetSpent', target: '#webwx.loggedOut', actions: 'endTooManyFailures' },
          after: { backoff: 'loadingContacts' },
        },
        /** The stored session is dead: ask the phone to confirm a new login (webwxpushloginurl). */
        pushing: {
          invoke: {
            id: 'pushLogin',
            src: 'pushLogin',
            input: ({ context }) => {
              if (!context.hosts) throw new Error('no hosts in this state');
              return { hosts: context.hosts, wxuin: context.login.pushUin ?? '' };
            },
            onDone: [
              {
                guard: { type: 'pushAccepted', params: ({ event }) => event.output },
                target: '#webwx.awaitingScan',
                actions: { type: 'storeUuid', params: ({ event }) => (event.output.ok ? event.output.uuid : '') },
              },
              {
                target: '#webwx.uuid',
                actions: {
                  type: 'report',
                  params: ({ event }) =>
                    event.output.ok ? refusal('webwxpushloginurl', 0) : refusal('webwxpushloginurl', event.output.ret),
                },
              },
            ],
            onError: { target: '#webwx.uuid', actions: { type: 'report', params: ({ event }) => faultOf(event.error) } },
          },
        },
      },
    },

    syncing: {
      type: 'parallel',
      states: {
        /** synccheck (long poll) ⇄ webwxsync; one request at a time, never a retry without a pause. */
        loop: {
          initial: 'checking',
          states: {
            checking: {
              invoke: {
                id: 'syncCheck',
                src: 'syncCheck',
                input: ({ context }) => ({ ...sessionOf(context), syncKey: context.syncCheckKey ?? keyOf(context) }),
                onDone: [
                  {
                    guard: { type: 'sessionEnded', params: ({ event }) => event.output.answer },
                    target: '#webwx.loggedOut',
                    actions: {
                      type: 'endSession',
                      params: ({ event }) => ({ reason: 'remote', retcode: event.output.answer.retcode }),
                    },
                  },
                  {
                    // The usual idle round: a held synccheck came back empty. Straight back to
                    // checking, with no zero-length timer: at 1,000 sessions this round is the
                    // engine's whole idle cost.
                    guard: { type: 'nothingNewPauseServed', params: ({ event }) => event.output },
                    target: 'checking',
                    reenter: true,
                    actions: 'succeed',
                  },
                  {
                    guard: { type: 'nothingNew', params: ({ event }) => event.output.answer },
                    target: 'resting',
                    actions: [
                      'succeed',
                      {
                        type: 'restAfter',
                        params: ({ context, event }) => ({
                          minimumMs: context.settings.timing.checkPauseMs,
                          elapsedMs: event.output.elapsedMs,
                        }),
                      },
                    ],
                  },
                  // Not a success yet: only the webwxsync it calls for completes the round. A server
                  // whose synccheck says "new" while every webwxsync fails must see the back-off grow
                  // and the budget run out, not a fault count reset by each synccheck.
                  { target: 'fetching' },
                ],
                onError: { target: 'backingOff', actions: { type: 'fault', params: ({ event }) => faultOf(event.error) } },
              },
            },
            fetching: {
              invoke: {
                id: 'webwxSync',
                src: 'webwxSync',
                input: ({ context }) => ({ ...sessionOf(context), syncKey: keyOf(context) }),
                onDone: [
                  {
                    guard: { type: 'sessionDead', params: ({ event }) => event.output },
                    target: '#webwx.loggedOut',
                    actions: {
                      type: 'endSession',
                      params: ({ event }) => ({ reason: 'remote', retcode: event.output.ok ? 0 : event.output.ret }),
                    },
                  },
                  {
                    guard: { type: 'moreToFetch', params: ({ event }) => event.output },
                    target: 'fetching',
                    reenter: true,
                    actions: ['succeed', { type: 'applySync', params: ({ event }) => event.output }],
                  },
                  {
                    // A sync that brought nothing after a non-zero selector: pause before the next check.
                    guard: { type: 'syncBroughtNothing', params: ({ event }) => event.output },
                    target: 'resting',
                    actions: [
                      'succeed',
                      { type: 'applySync', params: ({ event }) => event.output },
                      {
                        type: 'restAfter',
                        params: ({ context }) => ({ minimumMs: context.settings.timing.checkPauseMs, elapsedMs: 0 }),
                      },
                    ],
                  },
                  {
                    guard: { type: 'answerOk', params: ({ event }) => event.output },
                    target: 'checking',
                    actions: ['succeed', { type: 'applySync', params: ({ event }) => event.output }],
                  },
                  {
                    target: 'backingOff',
                    actions: {
                      type: 'fault',
                      params: ({ event }) =>
                        event.output.ok ? refusal('webwxsync', 0) : refusal('webwxsync', event.output.ret, event.output.errMsg),
                    },
                  },
                ],
                onError: { target: 'backingOff', actions: { type: 'fault', params: ({ event }) => faultOf(event.error) } },
              },
            },
            resting: { after: { rest: 'checking' } },
            backingOff: {
              always: { guard: 'failureBudgetSpent', target: '#webwx.loggedOut', actions: 'endTooManyFailures' },
              after: { backoff: 'checking' },
            },
          },
        },

        /** Queued SENDs, one at a time, each with its own clientMsgId on every attempt. */
        outbox: {
          initial: 'idle',
          states: {
            idle: { always: { guard: 'outboxHasItems', target: 'sending' } },
            sending: {
              invoke: {
                id: 'sendText',
                src: 'sendText',
                input: ({ context }) => {
                  const head = context.outbox[0];
                  if (!head) throw new Error('empty outbox');
                  return {
                    ...sessionOf(context),
                    from: context.user?.UserName ?? '',
                    to: head.to,
                    content: head.text,
                    clientMsgId: head.clientMsgId,
                  };
                },
                onDone: [
                  {
                    guard: { type: 'answerOk', params: ({ event }) => event.output },
                    target: 'idle',
                    actions: { type: 'sendSucceeded', params: ({ event }) => event.output },
                  },
                  {
                    guard: { type: 'rateLimitedRetryable', params: ({ event }) => event.output },
                    target: 'waiting',
                    actions: 'countSendAttempt',
                  },
                  {
                    // Ret 1100/1101/1102 says the session is over (PROTOCOL.md), whichever call hears it.
                    guard: { type: 'sessionDead', params: ({ event }) => event.output },
                    target: '#webwx.loggedOut',
                    actions: [
                      { type: 'sendGaveUp', params: ({ event }) => ({ reason: 'rejected' as const, ret: event.output.ok ? 0 : event.output.ret }) },
                      { type: 'endSession', params: ({ event }) => ({ reason: 'remote', retcode: event.output.ok ? 0 : event.output.ret }) },
                    ],
                  },
                  {
                    target: 'idle',
                    actions: {
                      type: 'sendGaveUp',
                      params: ({ event }) => {
                        const ret = event.output.ok ? 0 : event.output.ret;
                        return { reason: ret === RET_TOO_OFTEN ? 'rateLimited' : 'rejected', ret };
                      },
                    },
                  },
                ],
                onError: [
                  {
                    guard: { type: 'sendRetryable', params: ({ event }) => faultOf(event.error) },
                    target: 'waiting',
                    actions: ['countSendAttempt', { type: 'report', params: ({ event }) => faultOf(event.error) }],
                  },
                  {
                    target: 'idle',
                    actions: {
                      type: 'sendGaveUp',
                      params: ({ event }) => ({ reason: sendFailReasonOf(faultOf(event.error)) }),
                    },
                  },
                ],
              },
            },
            waiting: { after: { sendBackoff: 'sending' } },
          },
        },

        /** Members of groups that spoke but are unknown; delivery never waits for them. */
        members: {
          initial: 'idle',
          states: {
            idle: { always: { guard: 'membersPending', target: 'fetching', actions: 'takeMemberBatch' } },
            fetching: {
              invoke: {
                id: 'batchGetContact',
                src: 'batchGetContact',
                input: ({ context }) => ({ ...sessionOf(context), userNames: context.members.inFlight }),
                onDone: [
                  {
                    guard: { type: 'answerOk', params: ({ event }) => event.output },
                    target: 'idle',
                    actions: { type: 'storeMembers', params: ({ event }) => event.output },
                  },
                  {
                    guard: 'memberRetryAllowed',
                    target: 'waiting',
                    actions: ['countMemberAttempt', 'requeueMemberBatch'],
                  },
                  { target: 'idle', actions: 'dropMemberBatch' },
                ],
                onError: [
                  {
                    guard: 'memberRetryAllowed',
                    target: 'waiting',
                    actions: [
                      'countMemberAttempt',
                      'requeueMemberBatch',
                      { type: 'report', params: ({ event }) => faultOf(event.error) },
                    ],
                  },
                  {
                    target: 'idle',
                    actions: ['dropMemberBatch', { type: 'report', params: ({ event }) => faultOf(event.error) }],
                  },
                ],
              },
            },
            waiting: { after: { membersBackoff: 'idle' } },
          },
        },
      },
    },

    loggingOut: {
      entry: 'failQueuedSends',
      on: {
        LOGOUT: {},
        SEND: { actions: { type: 'refuseSend', params: ({ event }) => event } },
      },
      initial: 'deciding',
      states: {
        deciding: {
          always: [
            { guard: 'hasCredentials', target: 'requesting' },
            { target: '#webwx.loggedOut', actions: { type: 'endSession', params: { reason: 'user' } } },
          ],
        },
        requesting: {
          invoke: {
            id: 'logout',
            src: 'logout',
            input: ({ context }) => sessionOf(context),
            // The session ends for us either way; a failed webwxlogout changes nothing.
            onDone: { target: '#webwx.loggedOut', actions: { type: 'endSession', params: { reason: 'user' } } },
            onError: { target: '#webwx.loggedOut', actions: { type: 'endSession', params: { reason: 'user' } } },
          },
        },
      },
    },

    loggedOut: {
      type: 'final',
      entry: ['failQueuedSends', 'emitLogout'],
    },
  },
});

export type WebwxMachine = typeof webwxMachine;
