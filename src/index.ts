/**
 * webwx-machine: the WeChat Web protocol as an explicit XState v5 state machine.
 * The codecs are also published on their own as `webwx-machine/codecs`.
 */
export * as codecs from './codecs/index.js';
export type { Message } from './codecs/content.js';

export {
  createWebwxClient,
  SendError,
  ClientCrash,
  type WebwxClient,
  type WebwxClientOptions,
  type WebwxClientEvents,
  type WebwxClientEventName,
  type WebwxPublicState,
  type WebwxActor,
  type WebwxActorsOverride,
  type ClientErrorCode,
} from './client.js';
export { webwxMachine, topStateOf, redactContext, type WebwxMachine } from './machines/webwx.machine.js';
export { createWebwxActors, createWebwxMachine, type ServiceObserver } from './machines/webwx.actors.js';
export {
  DEFAULT_TIMING,
  type LogoutInfo,
  type LogoutReason,
  type SendFailReason,
  type WebwxContext,
  type WebwxEmitted,
  type WebwxInput,
  type WebwxStateName,
  type WebwxTiming,
} from './machines/webwx.types.js';
export { DEFAULT_LOGIN_ORIGIN } from './services/hosts.js';
export type { SessionStore, StoredSession, StagedSave } from './session/types.js';
export {
  fileSessionStore,
  memorySessionStore,
  SessionStoreError,
  isSessionStoreError,
  type FileSessionStore,
  type FileSessionStoreOptions,
} from './session/index.js';
