/** Session store failures as plain data: the path may appear, the file's contents never do. */
import type { SessionStoreErrorCode, SessionStoreErrorData } from './types.js';

export class SessionStoreError extends Error {
  readonly data: SessionStoreErrorData;

  constructor(data: SessionStoreErrorData) {
    super(data.message);
    this.name = 'SessionStoreError';
    this.data = data;
  }

  get code(): SessionStoreErrorCode {
    return this.data.code;
  }

  toJSON(): SessionStoreErrorData {
    return this.data;
  }
}

export function isSessionStoreError(value: unknown): value is SessionStoreError {
  return value instanceof SessionStoreError;
}

/** Node's error codes (ENOENT, EACCES…) are safe to show; anything else is not echoed. */
export function errnoOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,31}$/.test(code) ? code : 'unknown error';
}

/** Turns anything thrown by a store into plain data; never throws, never echoes a message. */
export function toSessionStoreError(err: unknown): SessionStoreErrorData {
  if (err instanceof SessionStoreError) return err.data;
  return { code: 'sessionIo', message: `session store failed (${errnoOf(err)})` };
}
