/**
 * Puts the pieces of a scene-login site together: the store and account directory (in memory, or
 * on one Redis shared by every instance), the platform client and the scene service.
 */
import { Redis } from 'ioredis';
import { createMemoryAccountDirectory, type AccountDirectory } from './accounts.js';
import { createMemorySceneStore } from './memory-store.js';
import type { PlatformConfig } from './platform.js';
import { createRedisAccountDirectory } from './redis-accounts.js';
import { createRedisSceneStore, DEFAULT_REDIS_PREFIX } from './redis-store.js';
import { storeReplayGuard, type ReplayGuard } from './replay-guard.js';
import { createSceneLoginService, type SceneLoginService } from './scene-service.js';
import type { SceneStore } from './store.js';

export interface SceneBackendOptions {
  readonly platform: PlatformConfig;
  /** `redis://…`: share scenes, the token and accounts through Redis; otherwise in memory. */
  readonly redisUrl?: string;
  /** Key prefix in Redis (tests use a random namespace). */
  readonly redisPrefix?: string;
  readonly expireSeconds?: number;
  readonly now?: () => number;
}

export interface SceneBackend {
  readonly service: SceneLoginService;
  readonly store: SceneStore;
  readonly accounts: AccountDirectory;
  /** The callback replay guard on the same store, so every instance sees the same signatures. */
  readonly replays: ReplayGuard;
  readonly storeKind: 'memory' | 'redis';
  close(): Promise<void>;
}

export function createSceneBackend(options: SceneBackendOptions): SceneBackend {
  const now = options.now ?? Date.now;
  let store: SceneStore;
  let accounts: AccountDirectory;
  let client: Redis | null = null;
  if (options.redisUrl !== undefined) {
    const prefix = options.redisPrefix ?? DEFAULT_REDIS_PREFIX;
    client = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 5_000 });
    // Without a listener an unreachable server raises an unhandled 'error' event; commands report failures themselves.
    client.on('error', () => undefined);
    store = createRedisSceneStore({ client, prefix, now });
    accounts = createRedisAccountDirectory({ client, prefix });
  } else {
    store = createMemorySceneStore({ now });
    accounts = createMemoryAccountDirectory();
  }
  const service = createSceneLoginService({
    store,
    accounts,
    platform: options.platform,
    now,
    ...(options.expireSeconds === undefined ? {} : { expireSeconds: options.expireSeconds }),
  });
  const redis = client;
  return {
    service,
    store,
    accounts,
    replays: storeReplayGuard(store),
    storeKind: redis === null ? 'memory' : 'redis',
    async close() {
      await store.close();
      if (redis !== null) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
