/**
 * Which signed callbacks the site has already seen.
 *
 * The platform signs only `token`, `timestamp` and `nonce`, never the body. Anyone who sees one
 * genuine callback URL (a proxy's access log, say) could post any scene and openid under its
 * signature. The handler refuses stale timestamps; within the window this guard refuses a
 * signature that comes back with a *different* body. The same body again is the platform
 * redelivering (it retries an unanswered callback), and goes through: the scan is idempotent.
 *
 * A request is known by `timestamp:nonce` and its body by a digest, so the guard stores no
 * openid and no scene.
 */
import { createMemorySceneStore } from './memory-store.js';
import type { SceneStore } from './store.js';

/** `first`: never seen; `again`: seen with this body; `reused`: seen with another body. */
export type Delivery = 'first' | 'again' | 'reused';

export interface ReplayGuard {
  /** Records that request `key` carried body `digest`, for `ttlMs`, and says how it compares. */
  check(key: string, digest: string, ttlMs: number): Promise<Delivery>;
}

export interface MemoryReplayGuardOptions {
  readonly now?: () => number;
}

/**
 * One process's memory: enough for a single site instance (the handler's default). It is the
 * store guard on a memory SceneStore of its own, which already expires and sweeps entries.
 */
export function createMemoryReplayGuard(options: MemoryReplayGuardOptions = {}): ReplayGuard {
  return storeReplayGuard(createMemorySceneStore(options.now ? { now: options.now } : {}));
}

/**
 * The guard on a SceneStore, for several instances behind one load balancer: the store keeps the
 * digest of the first body each request came with (`putIfAbsent`). Store failures propagate
 * (`SceneStoreError`).
 */
export function storeReplayGuard(store: Pick<SceneStore, 'putIfAbsent'>): ReplayGuard {
  return {
    async check(key, digest, ttlMs) {
      const first = await store.putIfAbsent(`callback:${key}`, digest, ttlMs);
      if (first === null) return 'first';
      return first === digest ? 'again' : 'reused';
    },
  };
}
