/**
 * The Redis SceneStore (ioredis), so several web server instances share scenes, the access token
 * and its refresh lock. Compare-and-set and owner-checked unlock run as small server-side
 * scripts: a read followed by a write from the client could interleave with another instance.
 *
 * Keys: `<prefix>scene:<id>` (hash: v = version, d = data), `<prefix>token:<appId>`,
 * `<prefix>lock:<name>`, `<prefix>mark:<name>` (putIfAbsent). Scenes expire at their `deleteAt` (PEXPIREAT), tokens before expires_in.
 */
import { Redis } from 'ioredis';
import { SceneStoreError, type SceneStore } from './store.js';

const INSERT_SCENE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'v', '1', 'd', ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1`;

const REPLACE_SCENE = `
local v = redis.call('HGET', KEYS[1], 'v')
if (not v) or v ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
return 1`;

// Redis answers a Lua false as nil: null when stored.
const PUT_IF_ABSENT = `
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;

const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** The client with the scripts above defined as commands. */
interface ScriptedRedis extends Redis {
  sceneInsert(key: string, data: string, deleteAt: string): Promise<number>;
  sceneReplace(key: string, version: string, nextVersion: string, data: string, deleteAt: string): Promise<number>;
  sceneReleaseLock(key: string, owner: string): Promise<number>;
  scenePutIfAbsent(key: string, value: string, ttlMs: string): Promise<string | null>;
}

export interface RedisSceneStoreOptions {
  /** `redis://host:port/db`; ignored when `client` is given. */
  readonly url?: string;
  /** An existing client; the store then leaves closing it to the caller. */
  readonly client?: Redis;
  /** Prepended to every key, e.g. `myapp:` (tests use a random namespace per run). */
  readonly prefix?: string;
  readonly now?: () => number;
}

export const DEFAULT_REDIS_PREFIX = 'webwx:scene-login:';

export function createRedisSceneStore(options: RedisSceneStoreOptions = {}): SceneStore {
  const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
  const now = options.now ?? Date.now;
  const owned = options.client === undefined;
  const client =
    options.client ??
    new Redis(options.url ?? 'redis://127.0.0.1:6379', {
      // Fail a command fast when Redis is down: the HTTP request waiting on it should get an error, not hang.
      maxRetriesPerRequest: 1,
      connectTimeout: 5_000,
    });
  // Without a listener an unreachable server raises an unhandled 'error' event; failures reach callers per command.
  if (owned) client.on('error', () => undefined);
  client.defineCommand('sceneInsert', { numberOfKeys: 1, lua: INSERT_SCENE });
  client.defineCommand('sceneReplace', { numberOfKeys: 1, lua: REPLACE_SCENE });
  client.defineCommand('sceneReleaseLock', { numberOfKeys: 1, lua: RELEASE_LOCK });
  client.defineCommand('scenePutIfAbsent', { numberOfKeys: 1, lua: PUT_IF_ABSENT });
  const redis = client as ScriptedRedis;

  const sceneKey = (id: string): string => `${prefix}scene:${id}`;
  const tokenKey = (appId: string): string => `${prefix}token:${appId}`;
  const lockKey = (name: string): string => `${prefix}lock:${name}`;
  const markKey = (name: string): string => `${prefix}mark:${name}`;

  async function guarded<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw new SceneStoreError(operation, err);
    }
  }

  return {
    insertScene: (sceneId, data, deleteAt) =>
      guarded('insertScene', async () => (await redis.sceneInsert(sceneKey(sceneId), data, String(Math.floor(deleteAt)))) === 1),

    readScene: (sceneId) =>
      guarded('readScene', async () => {
        const [version, data] = await redis.hmget(sceneKey(sceneId), 'v', 'd');
        if (version === null || version === undefined || data === null || data === undefined) return null;
        const n = Number(version);
        return Number.isSafeInteger(n) && n > 0 ? { version: n, data } : null;
      }),

    replaceScene: (sceneId, version, data, deleteAt) =>
      guarded(
        'replaceScene',
        async () =>
          (await redis.sceneReplace(sceneKey(sceneId), String(version), String(version + 1), data, String(Math.floor(deleteAt)))) === 1,
      ),

    readToken: (appId) => guarded('readToken', () => redis.get(tokenKey(appId))),

    writeToken: (appId, data, deleteAt) =>
      guarded('writeToken', async () => {
        const ttl = Math.floor(deleteAt - now());
        if (ttl <= 0) await redis.del(tokenKey(appId));
        else await redis.set(tokenKey(appId), data, 'PX', ttl);
      }),

    putIfAbsent: (name, value, ttlMs) =>
      guarded('putIfAbsent', () => redis.scenePutIfAbsent(markKey(name), value, String(Math.max(1, Math.floor(ttlMs))))),

    acquireLock: (name, owner, ttlMs) =>
      guarded('acquireLock', async () => (await redis.set(lockKey(name), owner, 'PX', Math.max(1, Math.floor(ttlMs)), 'NX')) === 'OK'),

    releaseLock: (name, owner) =>
      guarded('releaseLock', async () => {
        await redis.sceneReleaseLock(lockKey(name), owner);
      }),

    async close() {
      if (owned) await client.quit().catch(() => client.disconnect());
    },
  };
}
