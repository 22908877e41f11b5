/**
 * The client facade: one webwx machine bound to its own HTTP deps, with typed events, an async
 * iterator of messages, promise-returning send/logout, and session persistence through a
 * SessionStore. Nothing here throws into the host: listener errors become `error` events.
 */
import { createActor, type Actor, type ActorOptions } from 'xstate';
import type { Message } from './codecs/content.js';
import type { SyncKey } from './codecs/session.js';
import { makeClientMsgId } from './codecs/send.js';
import { redactSecrets } from './codecs/redact.js';
import { bindActorSystem, createWebwxActors, sharedWebwxMachine } from './machines/webwx.actors.js';
import { topStateOf, webwxMachine, type WebwxMachine } from './machines/webwx.machine.js';
import type {
  FaultCode,
  LogoutInfo,
  SendFailReason,
  WebwxContext,
  WebwxEmitted,
  WebwxInput,
  WebwxStateName,
  WebwxTiming,
} from './machines/webwx.types.js';
import { createServiceDeps, makeDeviceId, serializeCookies, type ServiceDeps } from './services/index.js';
import { DEFAULT_LOGIN_ORIGIN, storedHostsTrusted } from './services/hosts.js';
import type { SessionStore, SessionStoreErrorCode, StagedSave, StoredSession } from './session/types.js';

/** The states a client reports: the CONTRACT's names and `restoring` (never `loggingOut`). */
export type WebwxPublicState = Exclude<WebwxStateName, 'loggingOut'>;

type Payload<T extends WebwxEmitted['type']> = Omit<Extract<WebwxEmitted, { type: T }>, 'type'>;

export type ClientErrorCode = FaultCode | 'handlerError' | 'sessionUntrusted' | SessionStoreErrorCode;

export interface WebwxClientEvents {
  state: { readonly state: WebwxPublicState };
  qr: Payload<'qr'>;
  scanned: Payload<'scanned'>;
  login: Payload<'login'>;
  contacts: Payload<'contacts'>;
  message: { readonly message: Message };
  sent: Payload<'sent'>;
  sendFailed: Payload<'sendFailed'>;
  error: { readonly code: ClientErrorCode; readonly message: string };
  logout: LogoutInfo;
}
export type WebwxClientEventName = keyof WebwxClientEvents;

/** The bound actors a test (or a custom transport) may replace; receives this client's deps. */
export type WebwxActorsOverride = (deps: ServiceDeps) => Partial<ReturnType<typeof createWebwxActors>>;

export interface WebwxClientOptions {
  readonly loginOrigin?: string;
  readonly uos?: boolean;
  readonly session?: SessionStore;
  readonly longPollTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly maxQrRefreshes?: number;
  readonly maxConsecutiveFailures?: number;
  readonly maxSendAttempts?: number;
  readonly dedupeWindow?: number;
  /** Passed to createActor's `inspect` (the context it sees holds secrets: redact before showing). */
  readonly inspect?: ActorOptions<WebwxMachine>['inspect'];
  readonly delays?: Partial<WebwxTiming>;
  /** For tests: replace bound actors. */
  readonly actors?: WebwxActorsOverride;
  /** For tests: the clock that schedules the machine's delays (xstate's SimulatedClock). */
  readonly clock?: ActorOptions<WebwxMachine>['clock'];
  readonly now?: () => number;
  readonly random?: () => number;
}

/** `send()` rejects with this: the machine's `sendFailed`, as an Error with a `code`. */
export class SendError extends Error {
  readonly code = 'sendFailed' as const;
  readonly to: string;
  readonly clientMsgId: string;
  readonly reason: SendFailReason;
  readonly ret: number | undefined;

  constructor(failure: Payload<'sendFailed'>) {
    super(`send ${failure.clientMsgId} failed: ${failure.reason}${failure.ret === undefined ? '' : ` (Ret ${failure.ret})`}`);
    this.name = 'SendError';
    this.to = failure.to;
    this.clientMsgId = failure.clientMsgId;
    this.reason = failure.reason;
    this.ret = failure.ret;
  }
}

/** A bug in the machine (it reached an error status): `done` rejects with this. */
export class ClientCrash extends Error {
  readonly code = 'internal' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ClientCrash';
  }
}

export type WebwxActor = Actor<WebwxMachine>;

export interface WebwxClient {
  /** The running actor (after start() was called). */
  readonly actor: WebwxActor;
  /** Loads the stored session (if any) and starts the machine; rejects when the store refuses to load. */
  start(): Promise<void>;
  /** Queues a text; resolves when webwxsendmsg answered Ret 0, rejects with a SendError. */
  send(to: string, text: string): Promise<{ readonly clientMsgId: string; readonly msgId: string }>;
  /** Logs out (webwxlogout when there is a session) and resolves with how the session ended. */
  logout(): Promise<LogoutInfo>;
  /** Stops without webwxlogout, keeping the stored session usable; `done` resolves as a user end. */
  stop(): Promise<LogoutInfo>;
  /** The messages emitted from now on, ending when the session ends. */
  messages(): AsyncIterableIterator<Message>;
  on<E extends WebwxClientEventName>(event: E, fn: (payload: WebwxClientEvents[E]) => void): () => void;
  /** The session as it would be stored now, or null before credentials exist. */
  session(): StoredSession | null;
  /** The last reported state, or `notStarted`. */
  state(): WebwxPublicState | 'notStarted';
  readonly done: Promise<LogoutInfo>;
}

const EMPTY_KEY = { Count: 0, List: [] } as unknown as SyncKey;

/** Ends that leave the stored session useless: the server ended it (or will, after webwxlogout). */
const DEAD_ENDS: ReadonlySet<string> = new Set(['remote', 'user']);

const errorMessage = (err: unknown): string => redactSecrets(err instanceof Error ? err.message : String(err));

/** A sync position the store may hold: keys plus the MsgIds delivered up to that point. */
interface Checkpoint {
  readonly syncKey: SyncKey;
  readonly syncCheckKey: SyncKey | null;
  readonly delivered: readonly string[];
}

export function createWebwxClient(options: WebwxClientOptions = {}): WebwxClient {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const store = options.session ?? null;
  const loginOrigin = options.loginOrigin ?? DEFAULT_LOGIN_ORIGIN;
  const listeners = new Map<WebwxClientEventName, Set<(payload: never) => void>>();
  const pendingSends = new Map<
    string,
    { to: string; resolve: (v: { clientMsgId: string; msgId: string }) => void; reject: (e: SendError) => void }
  >();
  const endWatchers = new Set<() => void>();
  const earlySends: { to: string; text: string; clientMsgId: string }[] = [];

  let actor: WebwxActor | null = null;
  let deps: ServiceDeps | null = null;
  let starting: Promise<void> | null = null;
  let lastClientMsgId: string | undefined;
  let reportedState: WebwxPublicState | 'notStarted' = 'notStarted';
  /**
   * What the store may hold: the keys of the last answer whose messages were all delivered, and
   * every MsgId delivered so far (also those of an answer still being delivered). Null until the
   * first `login` of this process: the context's keys then are the stored or the init ones.
   */
  let checkpoint: Checkpoint | null = null;
  let ended: LogoutInfo | null = null;
  let saveWanted = false;
  let saving: Promise<void> | null = null;

  let resolveDone: (info: LogoutInfo) => void = () => undefined;
  let rejectDone: (err: unknown) => void = () => undefined;
  const done = new Promise<LogoutInfo>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  // A crash rejects `done`; a host that never awaits it must not get an unhandled rejection.
  done.catch(() => undefined);

  function dispatch<E extends WebwxClientEventName>(event: E, payload: WebwxClientEvents[E]): void {
    const set = listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as (p: WebwxClientEvents[E]) => void)(payload);
      } catch (err) {
        // An error handler that throws is not reported again (no loop).
        if (event !== 'error') dispatch('error', { code: 'handlerError', message: `${event} handler threw: ${errorMessage(err)}` });
      }
    }
  }

  function reportState(): void {
    if (!actor) return;
    const top = topStateOf(actor.getSnapshot().value);
    if (top === 'loggingOut' || top === 'boot' || top === reportedState) return;
    reportedState = top;
    dispatch('state', { state: top });
  }

  function contextOf(): WebwxContext | null {
    return actor ? actor.getSnapshot().context : null;
  }

  function buildSession(): StoredSession | null {
    const context = contextOf();
    if (!context || !deps || !context.credentials || !context.hosts) return null;
    const position: Checkpoint = checkpoint ?? {
      syncKey: context.syncKey ?? EMPTY_KEY,
      syncCheckKey: context.syncCheckKey,
      delivered: context.delivered,
    };
    return {
      version: 1,
      hosts: context.hosts,
      credentials: context.credentials,
      uos: context.settings.uos,
      user: context.user,
      syncKey: position.syncKey,
      syncCheckKey: position.syncCheckKey,
      cookies: serializeCookies(deps),
      delivered: [...position.delivered],
      savedAt: now(),
    };
  }

  function storeFailed(err: unknown): void {
    dispatch('error', storeFault(err));
  }

  /** A store that can stage writes now; the returned save is committed by the caller. */
  function stageNow(): StagedSave | null {
    if (!store?.stage) return null;
    const session = buildSession();
    if (!session) return null;
    try {
      return store.stage(session);
    } catch (err) {
      storeFailed(err);
      return null;
    }
  }

  function commit(staged: StagedSave | null): void {
    if (!staged) return;
    try {
      staged.commit();
    } catch (err) {
      storeFailed(err);
    }
  }

  /**
   * Saves the newest session. A store that stages saves synchronously is written at once; any
   * other one a save at a time, a burst of checkpoints costing one or two writes.
   */
  function persist(): void {
    if (!store) return;
    if (store.stage) {
      commit(stageNow());
      return;
    }
    saveWanted = true;
    if (saving) return;
    saving = (async () => {
      while (saveWanted) {
        saveWanted = false;
        const session = buildSession();
        if (!session) continue;
        try {
          await store.save(session);
        } catch (err) {
          storeFailed(err);
        }
      }
      saving = null;
    })();
  }

  function forget(): void {
    if (!store) return;
    saveWanted = false;
    const after = saving ?? Promise.resolve();
    void after.then(() => store.clear()).catch((err: unknown) => dispatch('error', storeFault(err)));
  }

  function finish(info: LogoutInfo): void {
    if (ended) return;
    ended = info;
    for (const [clientMsgId, pending] of pendingSends) {
      pending.reject(new SendError({ to: pending.to, clientMsgId, reason: 'loggedOut' }));
    }
    pendingSends.clear();
    for (const wake of [...endWatchers]) wake();
    resolveDone(info);
  }

  function onEmitted(event: WebwxEmitted): void {
    try {
      // `contacts` closes the loading that leads into syncing: it is told before the new state.
      // A fault happened before the state it leads to (a back-off, or loggedOut when the budget
      // is spent): told first, the state follows from the snapshot.
      // Messages are emitted inside syncing, where no state change can be pending: no look at the snapshot per page.
      if (event.type !== 'contacts' && event.type !== 'messages' && event.type !== 'error') reportState();
      switch (event.type) {
        case 'sessionReady':
          persist();
          return;
        case 'sessionExpired':
          checkpoint = null;
          forget();
          return;
        case 'checkpoint':
          checkpoint = { syncKey: event.syncKey, syncCheckKey: event.syncCheckKey, delivered: event.delivered };
          persist();
          return;
        case 'login': {
          checkpoint = positionNow();
          persist();
          const { type: _login, ...payload } = event;
          dispatch('login', payload);
          return;
        }
        case 'messages':
          tell(event.messages);
          return;
        case 'sent': {
          const { type: _sent, ...payload } = event;
          pendingSends.get(event.clientMsgId)?.resolve({ clientMsgId: event.clientMsgId, msgId: event.msgId });
          pendingSends.delete(event.clientMsgId);
          dispatch('sent', payload);
          return;
        }
        case 'sendFailed': {
          const { type: _failed, ...payload } = event;
          pendingSends.get(event.clientMsgId)?.reject(new SendError(payload));
          pendingSends.delete(event.clientMsgId);
          dispatch('sendFailed', payload);
          return;
        }
        case 'logout': {
          const { type: _logout, ...info } = event;
          if (DEAD_ENDS.has(info.reason)) forget();
          dispatch('logout', info);
          finish(info);
          return;
        }
        default: {
          const { type, ...payload } = event;
          dispatch(type, payload as never);
          if (type === 'contacts') reportState();
        }
      }
    } catch (err) {
      dispatch('error', { code: 'internal', message: errorMessage(err) });
    }
  }

  /** Tells a page of messages one by one to the listeners. */
  function tell(messages: readonly Message[]): void {
    for (const message of messages) {
      if (!store) {
        dispatch('message', { message });
        continue;
      }
      // Staged before the listeners see the message and committed right after: a kill in
      // between is the only way the message can be told again by the next process.
      const staged = coverDelivered(message.MsgId);
      dispatch('message', { message });
      if (store.stage) commit(staged);
      else if (checkpoint) persist();
    }
  }

  /** The position the context holds now (right after init or the probe: no message of an answer pending). */
  function positionNow(): Checkpoint | null {
    const context = contextOf();
    if (!context?.syncKey) return null;
    return { syncKey: context.syncKey, syncCheckKey: context.syncCheckKey, delivered: context.delivered };
  }

  /**
   * Adds a MsgId about to be delivered to the position (keys unchanged: they move only with the
   * machine's `checkpoint`, after the whole answer), and stages that position when the store can.
   */
  function coverDelivered(msgId: string): StagedSave | null {
    if (!checkpoint) return null;
    const window = contextOf()?.settings.dedupeWindow ?? checkpoint.delivered.length + 1;
    checkpoint = { ...checkpoint, delivered: [...checkpoint.delivered, msgId].slice(-window) };
    return stageNow();
  }

  function storeFault(err: unknown): WebwxClientEvents['error'] {
    const code = (err as { code?: unknown } | null)?.code;
    const known = code === 'sessionInsecure' || code === 'sessionCorrupt' || code === 'sessionIo';
    return { code: known ? code : 'sessionIo', message: errorMessage(err) };
  }

  /**
   * A stored session whose hosts this login origin does not trust (stored against another
   * simulator, say) is not resumed: neither its credentials nor its cookies (which a jar would
   * send to any port of the same host) go anywhere. The login starts afresh; the file is replaced
   * once it succeeds.
   */
  function usableSession(stored: StoredSession | null): StoredSession | null {
    if (stored === null) return null;
    if (storedHostsTrusted(stored.hosts, loginOrigin)) return stored;
    dispatch('error', {
      code: 'sessionUntrusted',
      message: `the stored session belongs to ${stored.hosts.main}, which the login origin ${new URL(loginOrigin).origin} does not lead to; logging in afresh`,
    });
    return null;
  }

  function createDeps(stored: StoredSession | null): ServiceDeps {
    const base = {
      ...(options.uos !== undefined ? { uos: options.uos } : {}),
      ...(options.longPollTimeoutMs !== undefined ? { longPollTimeoutMs: options.longPollTimeoutMs } : {}),
      ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      now,
      random,
    };
    if (stored && stored.cookies !== null && stored.cookies !== undefined) {
      try {
        return createServiceDeps({ ...base, cookies: stored.cookies });
      } catch {
        // Cookies the jar cannot read: the probe will find the session dead and log in again.
      }
    }
    return createServiceDeps(base);
  }

  function launch(stored: StoredSession | null): void {
    deps = createDeps(stored);
    // Tests that replace actors get a machine of their own; everyone else shares one bound machine.
    const overrides = options.actors?.(deps);
    const machine = overrides ? webwxMachine.provide({ actors: { ...createWebwxActors(deps), ...overrides } }) : sharedWebwxMachine();
    const input: WebwxInput = {
      deviceId: stored?.credentials.deviceId ?? makeDeviceId(random),
      loginOrigin,
      uos: options.uos ?? stored?.uos ?? false,
      seed: Math.floor(random() * 0xffffffff) >>> 0,
      stored,
      ...(options.maxQrRefreshes !== undefined ? { maxQrRefreshes: options.maxQrRefreshes } : {}),
      ...(options.maxConsecutiveFailures !== undefined ? { maxConsecutiveFailures: options.maxConsecutiveFailures } : {}),
      ...(options.maxSendAttempts !== undefined ? { maxSendAttempts: options.maxSendAttempts } : {}),
      ...(options.dedupeWindow !== undefined ? { dedupeWindow: options.dedupeWindow } : {}),
      ...(options.delays ? { timing: options.delays } : {}),
    };
    const created = createActor(machine, {
      input,
      ...(options.inspect ? { inspect: options.inspect } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    bindActorSystem(created.system, { deps, now: Date.now });
    actor = created;
    created.on('*', (event) => onEmitted(event as WebwxEmitted));
    created.subscribe({
      next: () => reportState(),
      error: (err) => {
        const crash = new ClientCrash(`the machine failed: ${errorMessage(err)}`);
        dispatch('error', { code: 'internal', message: crash.message });
        if (!ended) {
          ended = { reason: 'tooManyFailures', message: crash.message };
          for (const wake of [...endWatchers]) wake();
          rejectDone(crash);
        }
      },
      // Stopped from outside (client.stop() or actor.stop()): the session is kept.
      complete: () => finish({ reason: 'user', message: 'stopped without logout' }),
    });
    created.start();
    for (const early of earlySends.splice(0)) created.send({ type: 'SEND', ...early });
  }

  async function start(): Promise<void> {
    if (starting) return starting;
    starting = (async () => {
      if (ended) return;
      const stored = store ? await store.load() : null;
      if (ended) return;
      launch(usableSession(stored));
    })();
    return starting;
  }

  function nextClientMsgId(): string {
    lastClientMsgId = makeClientMsgId(now(), random, lastClientMsgId);
    return lastClientMsgId;
  }

  function send(to: string, text: string): Promise<{ clientMsgId: string; msgId: string }> {
    const clientMsgId = nextClientMsgId();
    if (ended) return Promise.reject(new SendError({ to, clientMsgId, reason: 'loggedOut' }));
    return new Promise((resolve, reject) => {
      pendingSends.set(clientMsgId, { to, resolve, reject });
      if (actor) actor.send({ type: 'SEND', to, text, clientMsgId });
      else earlySends.push({ to, text, clientMsgId });
    });
  }

  async function logout(): Promise<LogoutInfo> {
    if (ended) return ended;
    if (!actor) {
      // Nothing started (or still loading the store): there is no session to end on the server.
      earlySends.splice(0);
      finish({ reason: 'user' });
      return ended ?? { reason: 'user' };
    }
    actor.send({ type: 'LOGOUT' });
    return done;
  }

  async function stop(): Promise<LogoutInfo> {
    if (ended) return ended;
    if (actor) actor.stop();
    finish({ reason: 'user', message: 'stopped without logout' });
    await (saving ?? Promise.resolve());
    return done;
  }

  function messages(): AsyncIterableIterator<Message> {
    const queue: Message[] = [];
    let wake: (() => void) | null = null;
    let closed = ended !== null;
    const onMessage = ({ message }: WebwxClientEvents['message']): void => {
      queue.push(message);
      wake?.();
    };
    const onEnd = (): void => {
      closed = true;
      wake?.();
    };
    const unsubscribe = on('message', onMessage);
    endWatchers.add(onEnd);
    const close = (): void => {
      closed = true;
      unsubscribe();
      endWatchers.delete(onEnd);
      wake?.();
    };
    const iterator: AsyncIterableIterator<Message> = {
      [Symbol.asyncIterator]: () => iterator,
      next: async () => {
        while (queue.length === 0 && !closed) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = null;
        }
        const message = queue.shift();
        if (message !== undefined) return { value: message, done: false };
        close();
        return { value: undefined, done: true };
      },
      return: async () => {
        queue.length = 0;
        close();
        return { value: undefined, done: true };
      },
    };
    return iterator;
  }

  function on<E extends WebwxClientEventName>(event: E, fn: (payload: WebwxClientEvents[E]) => void): () => void {
    let set = listeners.get(event);
    if (!set) {
      set = new Set();
      listeners.set(event, set);
    }
    const entry = fn as (payload: never) => void;
    set.add(entry);
    return () => {
      listeners.get(event)?.delete(entry);
    };
  }

  const client = { start, send, logout, stop, messages, on, session: buildSession, state: () => reportedState, done };
  actorReaders.set(client, () => {
    if (!actor) throw new Error('createWebwxClient: the actor exists once start() was called and the session store loaded');
    return actor;
  });
  // Defined apart from the literal, with one getter shared by every client: a getter in the
  // literal, or a new getter function per client, makes V8 keep each client as a hash table
  // (~0.5–0.8 KiB per client instead of ~0.1).
  Object.defineProperty(client, 'actor', { enumerable: true, get: readActor });
  return client as typeof client & { readonly actor: WebwxActor };
}

const actorReaders = new WeakMap<object, () => WebwxActor>();

function readActor(this: object): WebwxActor {
  const read = actorReaders.get(this);
  if (!read) throw new TypeError('WebwxClient.actor: read on something that is not a client');
  return read();
}
