/**
 * The site's own accounts as the scene login sees them: which openid belongs to which user, and
 * binding a phone number to a follower who has no account yet (seed 004: "未绑定，需要扫码后，跳转到
 * 绑定手机号页面"). A real site puts its user database behind this interface.
 *
 * Like the SceneStore it must be shared by every server instance: a phone bound through one
 * instance must be found by the next scan that lands on another.
 */
import { createHash } from 'node:crypto';
import type { BindAccountOutput, LookupBindingOutput } from '../machines/scene-login.types.js';

export interface AccountDirectory {
  /** The user bound to this follower, or `userId: null` when there is none. */
  findByOpenid(openid: string): Promise<LookupBindingOutput>;
  /**
   * Binds `phone` to the follower. Binding the same pair again answers the same user (a retried
   * request must not fail); a phone already bound to another follower answers `phoneTaken`.
   */
  bindPhone(openid: string, phone: string): Promise<BindAccountOutput>;
}

/** The site's user id for a phone number: stable, and without the number in it. */
export function userIdForPhone(phone: string): string {
  return `u_${createHash('sha256').update(phone).digest('hex').slice(0, 16)}`;
}

export const phoneTakenError = { code: 'phoneTaken', endpoint: 'bindAccount', message: 'this phone number is bound to another WeChat user' } as const;

export interface MemoryAccountDirectoryOptions {
  /** Followers who already have an account: openid → userId. */
  readonly known?: Readonly<Record<string, string>>;
}

export function createMemoryAccountDirectory(options: MemoryAccountDirectoryOptions = {}): AccountDirectory {
  const byOpenid = new Map<string, string>(Object.entries(options.known ?? {}));
  const openidByPhone = new Map<string, string>();
  return {
    async findByOpenid(openid) {
      return { ok: true, userId: byOpenid.get(openid) ?? null };
    },
    async bindPhone(openid, phone) {
      const holder = openidByPhone.get(phone);
      if (holder !== undefined && holder !== openid) return { ok: false, error: phoneTakenError };
      const userId = byOpenid.get(openid) ?? userIdForPhone(phone);
      openidByPhone.set(phone, openid);
      byOpenid.set(openid, userId);
      return { ok: true, userId };
    },
  };
}
