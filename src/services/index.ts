/** The endpoint services: one plain function per endpoint, and the per-client HTTP dependencies. */
import { getUuid, newLoginPage, pollLogin } from './login.js';
import { batchGetContact, getContact, logout, pushLogin, statusNotify, webwxInit } from './session.js';
import { syncCheck, webwxSync } from './sync.js';
import { sendText } from './send.js';
import type { ServiceDeps } from './http.js';
import { isServiceFailure } from './errors.js';
import { maskFailure, secretValuesOf } from './mask.js';
import type { Service, ServiceName } from './types.js';

/** The service, with every secret value it knew masked in whatever failure it throws. */
function guarded<N extends ServiceName>(service: Service<N, ServiceDeps>): Service<N, ServiceDeps> {
  // A promise chain, not an async function: a long poll would keep a suspended frame per session.
  return (deps, input, signal) => {
    let pending: ReturnType<typeof service>;
    try {
      pending = service(deps, input, signal);
    } catch (err) {
      pending = Promise.reject(err);
    }
    return pending.then(undefined, (err: unknown) => {
      throw isServiceFailure(err) ? maskFailure(err, secretValuesOf(deps, input)) : err;
    });
  };
}

export const services: { readonly [N in ServiceName]: Service<N, ServiceDeps> } = {
  getUuid: guarded(getUuid),
  pollLogin: guarded(pollLogin),
  newLoginPage: guarded(newLoginPage),
  webwxInit: guarded(webwxInit),
  statusNotify: guarded(statusNotify),
  getContact: guarded(getContact),
  batchGetContact: guarded(batchGetContact),
  syncCheck: guarded(syncCheck),
  webwxSync: guarded(webwxSync),
  sendText: guarded(sendText),
  pushLogin: guarded(pushLogin),
  logout: guarded(logout),
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
