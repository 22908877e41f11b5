/**
 * The one place where the machine meets the network: every placeholder actor of the chart is
 * bound to its service here. A failed call is thrown as plain ServiceErrorData (never a class
 * instance carrying a URL), and the long polls report how long they took so that the chart can
 * space polls that came back at once.
 */
import { fromPromise } from 'xstate';
import type { Endpoint } from '../codecs/errors.js';
import { services, toServiceError, type ServiceDeps } from '../services/index.js';
import type { Service, ServiceAnswers, ServiceInputs, ServiceName } from '../services/types.js';
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

async function call<N extends ServiceName>(
  deps: ServiceDeps,
  name: N,
  input: ServiceInputs[N],
  signal: AbortSignal,
): Promise<ServiceAnswers[N]> {
  try {
    const service: Service<N, ServiceDeps> = services[name];
    return await service(deps, input, signal);
  } catch (err) {
    // Plain data, so the error event (and any snapshot holding it) serialises and holds no secret.
    throw toServiceError(err, ENDPOINT_OF[name]);
  }
}

function bind<N extends Exclude<ServiceName, 'pollLogin' | 'syncCheck'>>(deps: ServiceDeps, name: N) {
  return fromPromise<WebwxActorOutputs[N], ServiceInputs[N]>(
    async ({ input, signal }) => (await call(deps, name, input, signal)) as WebwxActorOutputs[N],
  );
}

function bindTimed<N extends 'pollLogin' | 'syncCheck'>(deps: ServiceDeps, name: N, now: () => number) {
  return fromPromise<WebwxActorOutputs[N], ServiceInputs[N]>(async ({ input, signal }) => {
    const started = now();
    const answer = await call(deps, name, input, signal);
    return { answer, elapsedMs: now() - started } as WebwxActorOutputs[N];
  });
}

/**
 * The services bound as actors for one client. `now` measures the long polls (the wall clock by
 * default; it is not the machine's clock, which only schedules delays).
 */
export function createWebwxActors(deps: ServiceDeps, now: () => number = Date.now) {
  return {
    getUuid: bind(deps, 'getUuid'),
    pollLogin: bindTimed(deps, 'pollLogin', now),
    newLoginPage: bind(deps, 'newLoginPage'),
    webwxInit: bind(deps, 'webwxInit'),
    statusNotify: bind(deps, 'statusNotify'),
    getContact: bind(deps, 'getContact'),
    batchGetContact: bind(deps, 'batchGetContact'),
    syncCheck: bindTimed(deps, 'syncCheck', now),
    webwxSync: bind(deps, 'webwxSync'),
    sendText: bind(deps, 'sendText'),
    pushLogin: bind(deps, 'pushLogin'),
    logout: bind(deps, 'logout'),
  };
}

/** The machine with every actor bound to the services of `deps`. */
export function createWebwxMachine(deps: ServiceDeps, now?: () => number) {
  return webwxMachine.provide({ actors: createWebwxActors(deps, now) });
}
