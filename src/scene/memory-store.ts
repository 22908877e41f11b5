/**
 * The in-memory SceneStore: the default for one server process. Entries expire lazily against
 * the injected clock, so tests can move time without waiting.
 */
import type { SceneStore, StoredScene } from './store.js';

interface Entry<T> {
  readonly value: T;
  readonly deleteAt: number;
}

export interface MemorySceneStoreOptions {
  readonly now?: () => number;
}

const SWEEP_EVERY_WRITES = 256;

export function createMemorySceneStore(options: MemorySceneStoreOptions = {}): SceneStore {
  const now = options.now ?? Date.now;
  const scenes = new Map<string, Entry<StoredScene>>();
  const tokens = new Map<string, Entry<string>>();
  const locks = new Map<string, Entry<string>>();
  const marks = new Map<string, Entry<string>>();

  // An entry nobody reads again (a scene whose page was closed, a callback's replay lock) would
  // stay forever with lazy expiry alone, so every so many writes drop whatever has expired.
  let writes = 0;
  function wrote(): void {
    if (++writes % SWEEP_EVERY_WRITES !== 0) return;
    const at = now();
    for (const map of [scenes, tokens, locks, marks] as Map<string, Entry<unknown>>[]) {
      for (const [key, entry] of map) if (entry.deleteAt <= at) map.delete(key);
    }
  }

  function live<T>(map: Map<string, Entry<T>>, key: string): T | null {
    const entry = map.get(key);
    if (entry === undefined) return null;
    if (entry.deleteAt <= now()) {
      map.delete(key);
      return null;
    }
    return entry.value;
  }

  // Every method is async so callers see the same timing as the Redis store.
  return {
    async insertScene(sceneId, data, deleteAt) {
      if (live(scenes, sceneId) !== null) return false;
      scenes.set(sceneId, { value: { version: 1, data }, deleteAt });
      wrote();
      return true;
    },
    async readScene(sceneId) {
      return live(scenes, sceneId);
    },
    async replaceScene(sceneId, version, data, deleteAt) {
      const current = live(scenes, sceneId);
      if (current === null || current.version !== version) return false;
      scenes.set(sceneId, { value: { version: version + 1, data }, deleteAt });
      return true;
    },
    async readToken(appId) {
      return live(tokens, appId);
    },
    async writeToken(appId, data, deleteAt) {
      tokens.set(appId, { value: data, deleteAt });
      wrote();
    },
    async putIfAbsent(name, value, ttlMs) {
      const first = live(marks, name);
      if (first !== null) return first;
      marks.set(name, { value, deleteAt: now() + ttlMs });
      wrote();
      return null;
    },
    async acquireLock(name, owner, ttlMs) {
      if (live(locks, name) !== null) return false;
      locks.set(name, { value: owner, deleteAt: now() + ttlMs });
      wrote();
      return true;
    },
    async releaseLock(name, owner) {
      if (live(locks, name) === owner) locks.delete(name);
    },
    async close() {
      scenes.clear();
      tokens.clear();
      locks.clear();
      marks.clear();
    },
  };
}
