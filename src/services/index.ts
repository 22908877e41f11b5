/** The endpoint services: one plain function per endpoint, and the per-client HTTP dependencies. */
import { getUuid, newLoginPage, pollLogin } from './login.js';
import { batchGetContact, getContact, logout, pushLogin, statusNotify, webwxInit } from './session.js';
import { syncCheck, webwxSync } from './sync.js';
import { sendText } from './send.js';
import { identity } from 'fp-ts/lib/function.js';
import type { ServiceDeps } from './http.js';
import { isServiceFailure } from './errors.js';
import { maskFailure, secretValuesOf } from './mask.js';
import type { Service, ServiceAnswers, ServiceInputs, ServiceName } from './types.js';

const plain: { readonly [N in ServiceName]: Service<N, ServiceDeps> } = {
  getUuid,
  pollLogin,
  newLoginPage,
  webwxInit,
  statusNotify,
  getContact,
  batchGetContact,
  syncCheck,
  webwxSync,
  sendText,
  pushLogin,
  logout,
};

/**
 * Runs a service with every secret value it knew masked in whatever failure it gives, then
 * `onAnswer` or `onFailure` in the same step. A caller that needs its own step after the service
 * (the actors time long polls and turn failures into plain data) passes it here instead of adding
 * a `.then`: each promise and reaction in the chain is kept per parked long poll for the whole hold.
 * Never throws: whatever goes wrong, even before the request, comes back through the promise.
 */
export function runService<N extends ServiceName, O>(
  deps: ServiceDeps,
  name: N,
  input: ServiceInputs[N],
  signal: AbortSignal,
  onAnswer: (answer: ServiceAnswers[N]) => O,
  onFailure: (err: unknown) => O,
): Promise<O> {
  let pending: Promise<ServiceAnswers[N]>;
  try {
    pending = plain[name](deps, input, signal);
  } catch (err) {
    pending = Promise.reject(err);
  }
  return pending.then(onAnswer, (err: unknown) => onFailure(isServiceFailure(err) ? maskFailure(err, secretValuesOf(deps, input)) : err));
}

const rethrow = (err: unknown): never => {
  throw err;
};

function guarded<N extends ServiceName>(name: N): Service<N, ServiceDeps> {
  return (deps, input, signal) => runService(deps, name, input, signal, identity, rethrow);
}

/** Every service, with every secret value it knew masked in whatever failure it throws. */
export const services: { readonly [N in ServiceName]: Service<N, ServiceDeps> } = {
  getUuid: guarded('getUuid'),
  pollLogin: guarded('pollLogin'),
  newLoginPage: guarded('newLoginPage'),
  webwxInit: guarded('webwxInit'),
  statusNotify: guarded('statusNotify'),
  getContact: guarded('getContact'),
  batchGetContact: guarded('batchGetContact'),
  syncCheck: guarded('syncCheck'),
  webwxSync: guarded('webwxSync'),
  sendText: guarded('sendText'),
  pushLogin: guarded('pushLogin'),
  logout: guarded('logout'),
};

export {
  createServiceDeps,
  serializeCookies,
  DEFAULT_LONG_POLL_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_USER_AGENT,
  type HostRole,
  type ServiceDeps,
  type ServiceDepsOptions,
} from './http.js';
export { ServiceFailure, isServiceFailure, toServiceError } from './errors.js';
export { makeDeviceId, baseRequest, type BaseRequest } from './wire.js';
export { MAX_BATCH_CONTACTS } from './session.js';
export * from './types.js';
export * from './hosts.js';
