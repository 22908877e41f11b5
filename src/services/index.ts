/** The endpoint services: one plain function per endpoint, and the per-client HTTP dependencies. */
import { getUuid, newLoginPage, pollLogin } from './login.js';
import { batchGetContact, getContact, logout, pushLogin, statusNotify, webwxInit } from './session.js';
import { syncCheck, webwxSync } from './sync.js';
import { sendText } from './send.js';
import type { ServiceDeps } from './http.js';
import type { Service, ServiceName } from './types.js';

export const services: { readonly [N in ServiceName]: Service<N, ServiceDeps> } = {
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
