/**
 * What a stored session holds and where it is kept. Only a SessionStore ever holds secrets on
 * disk (the file store writes mode 0600); nothing here is ever printed.
 */
import type { SyncKey } from '../codecs/session.js';
import type { Hosts, SessionCredentials } from '../services/types.js';

/** The user as the `login` event shows it. */
export interface SessionUser {
  readonly UserName: string;
  readonly NickName: string;
  readonly Uin: number;
}

export interface StoredSession {
  readonly version: 1;
  readonly hosts: Hosts;
  readonly credentials: SessionCredentials;
  readonly uos: boolean;
  readonly user: SessionUser | null;
  /** The position of the last answer whose messages were all delivered. */
  readonly syncKey: SyncKey;
  readonly syncCheckKey: SyncKey | null;
  /** tough-cookie's `CookieJar.serializeSync()` output: the cookies of every host role. */
  readonly cookies: unknown;
  /** The dedupe window: the most recent delivered MsgIds, oldest first. */
  readonly delivered: readonly string[];
  /** ms since the epoch. */
  readonly savedAt: number;
}

export interface SessionStore {
  /** The stored session, or null when there is none. Throws a SessionStoreError when unusable. */
  load(): Promise<StoredSession | null>;
  /** Replaces the stored session atomically: a crash leaves the old or the new one, never a torn one. */
  save(session: StoredSession): Promise<void>;
  clear(): Promise<void>;
}

export type SessionStoreErrorCode = 'sessionInsecure' | 'sessionCorrupt' | 'sessionIo';

/** A store failure as plain data (the path is not secret; the contents never appear). */
export interface SessionStoreErrorData {
  readonly code: SessionStoreErrorCode;
  readonly message: string;
}
