/**
 * The official-account scene-QR login (seed 004): the public entry. The machine is in
 * ../machines/scene-login.*; everything a site needs to run it is exported here.
 */
export { sceneLoginMachine, statusOfValue, FINAL_STATUSES, type SceneLoginMachine } from '../machines/scene-login.machine.js';
export { provideSceneLoginActors, type SceneLoginActorDeps, type ProvidedSceneLoginMachine } from '../machines/scene-login.actors.js';
export type {
  SceneStatus,
  SceneErrorData,
  SceneErrorCode,
  SceneResult,
  SceneLoginContext,
  SceneLoginEvent,
  SceneLoginInput,
  FollowKind,
} from '../machines/scene-login.types.js';
export * as sceneCodecs from '../codecs/scene.js';
export { createSceneLoginService, type SceneLoginService, type SceneLoginServiceOptions, type SceneView, type SceneStatusView, type SceneOutcome, DEFAULT_SCENE_EXPIRE_SECONDS } from './scene-service.js';
export { createPlatformClient, DEFAULT_API_BASE_URL, DEFAULT_SHOW_QR_BASE_URL, type PlatformClient, type PlatformConfig } from './platform.js';
export { createTokenCache, tokenFingerprint, type TokenCache, type TokenCacheOptions } from './token-cache.js';
export { SceneStoreError, isSceneStoreError, type SceneStore, type StoredScene } from './store.js';
export { createMemorySceneStore, type MemorySceneStoreOptions } from './memory-store.js';
export { createRedisSceneStore, DEFAULT_REDIS_PREFIX, type RedisSceneStoreOptions } from './redis-store.js';
export { createMemoryAccountDirectory, userIdForPhone, type AccountDirectory, type MemoryAccountDirectoryOptions } from './accounts.js';
export { createRedisAccountDirectory, type RedisAccountDirectoryOptions } from './redis-accounts.js';
export { callbackSignature, verifyCallbackSignature } from './signature.js';
export { createCallbackHandler, DEFAULT_MAX_SKEW_SECONDS, type CallbackRequest, type CallbackResponse, type CallbackNote, type CallbackHandlerOptions } from './callback.js';
export { createMemoryReplayGuard, storeReplayGuard, type ReplayGuard, type Delivery, type MemoryReplayGuardOptions } from './replay-guard.js';
export { createSceneBackend, type SceneBackend, type SceneBackendOptions } from './backend.js';
export { createSceneExampleHandler, startSceneExampleServer, type SceneExampleOptions, type SceneExampleServer, type DemoScan } from './example-server.js';
export { startOfficialSimulator, type OfficialSimulator, type OfficialSimulatorOptions } from '../simulator/official/index.js';
