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

export function createMemorySceneStore(options: MemorySceneStoreOptions = {}): SceneStore {
  const now = options.now ?? Date.now;
  const scenes = new Map<string, Entry<StoredScene>>();
  const tokens = new Map<string, Entry<string>>();
  const locks = new Map<string, Entry<string>>();

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
    },
    async acquireLock(name, owner, ttlMs) {
      if (live(locks, name) !== null) return false;
      locks.set(name, { value: owner, deleteAt: now() + ttlMs });
      return true;
    },
    async releaseLock(name, owner) {
      if (live(locks, name) === owner) locks.delete(name);
    },
    async close() {
      scenes.clear();
      tokens.clear();
      locks.clear();
    },
  };
}
