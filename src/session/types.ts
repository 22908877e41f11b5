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
  /**
   * Optional, synchronous: writes `session` aside now (throws a SessionStoreError), so that the
   * returned `commit()` makes it the stored session in one step. The client stages a checkpoint
   * that covers a message, hands the message to its listeners, then commits: the time in which a
   * kill leaves a delivered message uncovered shrinks to the gap between those two calls.
   */
  stage?(session: StoredSession): StagedSave;
}

/** A session written aside by `SessionStore.stage`, not yet the stored one. */
export interface StagedSave {
  /** Makes it the stored session, unless a later save or clear already replaced it; throws a SessionStoreError. */
  commit(): void;
  /** Drops it; the stored session stays as it was. */
  discard(): void;
}

export type SessionStoreErrorCode = 'sessionInsecure' | 'sessionCorrupt' | 'sessionIo';

/** A store failure as plain data (the path is not secret; the contents never appear). */
export interface SessionStoreErrorData {
  readonly code: SessionStoreErrorCode;
  readonly message: string;
}
