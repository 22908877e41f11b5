/**
 * The one place where the machine meets the network: every placeholder actor of the chart is
 * bound to its service here. A failed call is thrown as plain ServiceErrorData (never a class
 * instance carrying a URL), and the long polls report how long they took so that the chart can
 * space polls that came back at once.
 */
import { identity } from 'fp-ts/lib/function.js';
import { fromPromise, type ActorSystem } from 'xstate';
import type { Endpoint } from '../codecs/errors.js';
import { runService, toServiceError, type ServiceDeps } from '../services/index.js';
import type { ServiceAnswers, ServiceErrorData, ServiceInputs, ServiceName } from '../services/types.js';
import { webwxMachine } from './webwx.machine.js';
import type { WebwxActorOutputs } from './webwx.types.js';

/** The endpoint each service talks to, to name a failure that happened before any answer. */
export const ENDPOINT_OF: { readonly [N in ServiceName]: Endpoint } = {
  getUuid: 'jslogin',
  pollLogin: 'login',
  newLoginPage: 'webwxnewloginpage',
  webwxInit: 'webwxinit',
  statusNotify: 'webwxstatusnotify',
  getContact: 'webwxgetcontact',
  batchGetContact: 'webwxbatchgetcontact',
  syncCheck: 'synccheck',
  webwxSync: 'webwxsync',
  sendText: 'webwxsendmsg',
  pushLogin: 'webwxpushloginurl',
  logout: 'webwxlogout',
};

/**
 * Told when a bound service starts and when it has settled (answered, failed or, after an abort,
 * finished unwinding): for metrics, logs and tests that check what is in flight. The input holds
 * the session's secrets: an observer must not print it. Whatever an observer throws is ignored.
 */
export interface ServiceObserver {
  started?(name: ServiceName, input: unknown): void;
  settled?(name: ServiceName, outcome: { readonly ok: true; readonly answer: unknown } | { readonly ok: false; readonly error: ServiceErrorData }): void;
}

function tell(observe: () => void): void {
  try {
    observe();
  } catch {
    // An observer is a bystander: its failure must not change the machine's course.
  }
}

/*
 * No `await` from here down to the transport: each suspended async function is a frame kept on
 * the heap, and a session keeps its synccheck suspended for the whole 25 s hold. Promise chains
 * keep only their callbacks.
 */
function call<N extends ServiceName, O = ServiceAnswers[N]>(
  deps: ServiceDeps,
  name: N,
  input: ServiceInputs[N],
  signal: AbortSignal,
  observer: ServiceObserver | undefined,
  output: (answer: ServiceAnswers[N]) => O = identity as (answer: ServiceAnswers[N]) => O,
): Promise<O> {
  if (observer?.started) tell(() => observer.started?.(name, input));
  // Failures arrive masked; whatever goes wrong comes back as a rejection, never a throw.
  return runService(
    deps,
    name,
    input,
    signal,
    (answer) => {
      if (observer?.settled) tell(() => observer.settled?.(name, { ok: true, answer }));
      return output(answer);
    },
    (err: unknown) => {
      // Plain data, so the error event (and any snapshot holding it) serialises and holds no secret.
      const error = toServiceError(err, ENDPOINT_OF[name]);
      if (observer?.settled) tell(() => observer.settled?.(name, { ok: false, error }));
      throw error;
    },
  );
}

function bind<N extends Exclude<ServiceName, 'pollLogin' | 'syncCheck'>>(deps: ServiceDeps, name: N, observer?: ServiceObserver) {
  return fromPromise<WebwxActorOutputs[N], ServiceInputs[N]>(
    ({ input, signal }) => call(deps, name, input, signal, observer) as Promise<WebwxActorOutputs[N]>,
  );
}

/** A long poll's answer with how long it took (the machine spaces polls that came back early). */
function callTimed<N extends 'pollLogin' | 'syncCheck'>(
  deps: ServiceDeps,
  name: N,
  input: ServiceInputs[N],
  signal: AbortSignal,
  now: () => number,
  observer: ServiceObserver | undefined,
): Promise<WebwxActorOutputs[N]> {
  const started = now();
  // Timed in call's own step: one more `.then` would be one more promise per parked long poll.
  return call(deps, name, input, signal, observer, (answer) => ({ answer, elapsedMs: now() - started }) as WebwxActorOutputs[N]);
}

function bindTimed<N extends 'pollLogin' | 'syncCheck'>(deps: ServiceDeps, name: N, now: () => number, observer?: ServiceObserver) {
  return fromPromise<WebwxActorOutputs[N], ServiceInputs[N]>(({ input, signal }) => callTimed(deps, name, input, signal, now, observer));
}

/**
 * The services bound as actors for one client. `now` measures the long polls (the wall clock by
 * default; it is not the machine's clock, which only schedules delays); `observer` is told about
 * every call.
 */
export function createWebwxActors(deps: ServiceDeps, now: () => number = Date.now, observer?: ServiceObserver) {
  return {
    getUuid: bind(deps, 'getUuid', observer),
    pollLogin: bindTimed(deps, 'pollLogin', now, observer),
    newLoginPage: bind(deps, 'newLoginPage', observer),
    webwxInit: bind(deps, 'webwxInit', observer),
    statusNotify: bind(deps, 'statusNotify', observer),
    getContact: bind(deps, 'getContact', observer),
    batchGetContact: bind(deps, 'batchGetContact', observer),
    syncCheck: bindTimed(deps, 'syncCheck', now, observer),
    webwxSync: bind(deps, 'webwxSync', observer),
    sendText: bind(deps, 'sendText', observer),
    pushLogin: bind(deps, 'pushLogin', observer),
    logout: bind(deps, 'logout', observer),
  };
}

/** The machine with every actor bound to the services of `deps`. */
export function createWebwxMachine(deps: ServiceDeps, now?: () => number) {
  return webwxMachine.provide({ actors: createWebwxActors(deps, now) });
}

// ---------------------------------------------------------------------------------------------
// One bound machine for every client of the process

/** What the actors of one running client use. */
export interface ActorBinding {
  readonly deps: ServiceDeps;
  readonly now: () => number;
  readonly observer?: ServiceObserver | undefined;
}

/**
 * `machine.provide()` clones the whole chart (about 100 KiB): done per client, it was most of an
 * idle session's memory. Instead one machine is bound once, and its actors find their client's
 * dependencies through the actor system they run in, which is one per client.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any client's system: its registry type does not matter here
type AnySystem = ActorSystem<any>;

const bindings = new WeakMap<AnySystem, ActorBinding>();

/** Binds a client's dependencies to its actor system; call before the actor starts. */
export function bindActorSystem(system: AnySystem, binding: ActorBinding): void {
  bindings.set(system, binding);
}

function bindingOf(system: AnySystem): ActorBinding {
  const binding = bindings.get(system);
  if (!binding) throw new Error('webwx: no services are bound to this actor system (bindActorSystem)');
  return binding;
}

function bindShared<N extends Exclude<ServiceName, 'pollLogin' | 'syncCheck'>>(name: N) {
  return fromPromise<WebwxActorOutputs[N], ServiceInputs[N]>(async ({ input, signal, system }) => {
    // async for a missing binding to become a rejection; no await (see `call`).
    const { deps, observer } = bindingOf(system);
    return call(deps, name, input, signal, observer) as Promise<WebwxActorOutputs[N]>;
  });
}

function bindSharedTimed<N extends 'pollLogin' | 'syncCheck'>(name: N) {
  return fromPromise<WebwxActorOutputs[N], ServiceInputs[N]>(async ({ input, signal, system }) => {
    const { deps, now, observer } = bindingOf(system);
    return callTimed(deps, name, input, signal, now, observer);
  });
}

let shared: ReturnType<typeof createSharedMachine> | undefined;

function createSharedMachine() {
  return webwxMachine.provide({
    actors: {
      getUuid: bindShared('getUuid'),
      pollLogin: bindSharedTimed('pollLogin'),
      newLoginPage: bindShared('newLoginPage'),
      webwxInit: bindShared('webwxInit'),
      statusNotify: bindShared('statusNotify'),
      getContact: bindShared('getContact'),
      batchGetContact: bindShared('batchGetContact'),
      syncCheck: bindSharedTimed('syncCheck'),
      webwxSync: bindShared('webwxSync'),
      sendText: bindShared('sendText'),
      pushLogin: bindShared('pushLogin'),
      logout: bindShared('logout'),
    },
  });
}

/** The machine whose actors use the services bound to their actor system (see bindActorSystem). */
export function sharedWebwxMachine(): ReturnType<typeof createSharedMachine> {
  shared ??= createSharedMachine();
  return shared;
}

