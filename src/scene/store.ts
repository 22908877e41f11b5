/**
 * Where scenes, the cached access token and the refresh lock live. Every web server instance
 * behind a load balancer must see the same store: the platform's callback may land on one
 * instance and the browser's poll on another.
 *
 * The store keeps opaque text (JSON made by the scene service) and versions: a scene is changed
 * only by compare-and-set on its version, so two instances handling events for the same scene at
 * once cannot overwrite each other — the loser reloads and lets the machine decide again.
 */

export interface StoredScene {
  /** Starts at 1 and grows by one on every successful replace. */
  readonly version: number;
  readonly data: string;
}

export interface SceneStore {
  /** Stores a new scene; false when the id is taken. `deleteAt` is when the store drops it (ms since the epoch). */
  insertScene(sceneId: string, data: string, deleteAt: number): Promise<boolean>;
  readScene(sceneId: string): Promise<StoredScene | null>;
  /** Replaces the scene if its version is still `version`; false when it changed or is gone. */
  replaceScene(sceneId: string, version: number, data: string, deleteAt: number): Promise<boolean>;

  /** The cached access token record (opaque text), or null. Secret: never log it. */
  readToken(appId: string): Promise<string | null>;
  writeToken(appId: string, data: string, deleteAt: number): Promise<void>;

  /**
   * Stores `value` under `name` for `ttlMs` unless the name holds one already: answers null when
   * it stored, else the value that was there first (which stays). The callback replay guard's
   * memory of which body a signature came with.
   */
  putIfAbsent(name: string, value: string, ttlMs: number): Promise<string | null>;

  /** Takes the named lock for `owner` unless someone holds it; it frees itself at `ttlMs`. */
  acquireLock(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Frees the lock only if `owner` still holds it (a lock that timed out may belong to another). */
  releaseLock(name: string, owner: string): Promise<void>;

  close(): Promise<void>;
}

/** A store that could not answer (Redis down, a script refused). Its message names no key or value. */
export class SceneStoreError extends Error {
  readonly code = 'store' as const;

  constructor(operation: string, cause?: unknown) {
    const detail = cause instanceof Error && /^[A-Za-z ]{1,60}$/.test(cause.name) ? ` (${cause.name})` : '';
    super(`scene store: ${operation} failed${detail}`);
    this.name = 'SceneStoreError';
  }
}

export function isSceneStoreError(value: unknown): value is SceneStoreError {
  return value instanceof SceneStoreError;
}
