/** Where a session is kept between runs. */
export { fileSessionStore, type FileSessionStore, type FileSessionStoreOptions } from './file.js';
export { memorySessionStore } from './memory.js';
export { SessionStoreError, isSessionStoreError, toSessionStoreError } from './errors.js';
export { StoredSessionCodec } from './codec.js';
export type * from './types.js';
