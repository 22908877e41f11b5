/** A store in memory: for tests and for clients that keep nothing across restarts. */
import type { SessionStore, StoredSession } from './types.js';

/** Copies in and out, so a caller mutating its object cannot change what is stored. */
export function memorySessionStore(initial: StoredSession | null = null): SessionStore {
  let stored: StoredSession | null = initial === null ? null : structuredClone(initial);
  return {
    load: async () => (stored === null ? null : structuredClone(stored)),
    save: async (session) => {
      stored = structuredClone(session);
    },
    clear: async () => {
      stored = null;
    },
  };
}
