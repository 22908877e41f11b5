/**
 * The example's AccountDirectory on Redis, so every instance sees the same bindings. Keys:
 * `<prefix>account:openid:<openid>` → userId and `<prefix>account:phone:<phone>` → openid; the
 * phone is claimed with SET NX first so two followers binding one number at once cannot both win.
 */
import type { Redis } from 'ioredis';
import { phoneTakenError, userIdForPhone, type AccountDirectory } from './accounts.js';
import { DEFAULT_REDIS_PREFIX } from './redis-store.js';

export interface RedisAccountDirectoryOptions {
  readonly client: Redis;
  readonly prefix?: string;
}

const storeFailure = (endpoint: 'lookupBinding' | 'bindAccount') =>
  ({ ok: false, error: { code: 'store', endpoint, message: `${endpoint}: account store failed` } }) as const;

export function createRedisAccountDirectory(options: RedisAccountDirectoryOptions): AccountDirectory {
  const { client } = options;
  const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
  const openidKey = (openid: string): string => `${prefix}account:openid:${openid}`;
  const phoneKey = (phone: string): string => `${prefix}account:phone:${phone}`;

  return {
    async findByOpenid(openid) {
      try {
        return { ok: true, userId: await client.get(openidKey(openid)) };
      } catch {
        return storeFailure('lookupBinding');
      }
    },
    async bindPhone(openid, phone) {
      try {
        const claimed = (await client.set(phoneKey(phone), openid, 'NX')) === 'OK';
        if (!claimed && (await client.get(phoneKey(phone))) !== openid) return { ok: false, error: phoneTakenError };
        // An openid that already had a user keeps it; otherwise the phone names the new user.
        await client.set(openidKey(openid), userIdForPhone(phone), 'NX');
        const userId = await client.get(openidKey(openid));
        return userId === null ? storeFailure('bindAccount') : { ok: true, userId };
      } catch {
        return storeFailure('bindAccount');
      }
    },
  };
}
