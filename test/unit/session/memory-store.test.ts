import { describe, expect, it } from 'vitest';
import { memorySessionStore } from '../../../src/session/index.js';
import { sampleSession } from './sample.js';

describe('memorySessionStore', () => {
  it('starts empty or with the initial session, and round-trips', async () => {
    expect(await memorySessionStore().load()).toBeNull();
    const store = memorySessionStore(sampleSession(1));
    expect(await store.load()).toEqual(sampleSession(1));
    await store.save(sampleSession(2));
    expect(await store.load()).toEqual(sampleSession(2));
    await store.clear();
    expect(await store.load()).toBeNull();
  });

  it('stores a copy: mutating what was saved or loaded changes nothing stored', async () => {
    const store = memorySessionStore();
    const session = sampleSession(1) as { -readonly [K in keyof ReturnType<typeof sampleSession>]: unknown };
    await store.save(session as ReturnType<typeof sampleSession>);
    (session.delivered as string[]).push('999');
    const loaded = (await store.load())!;
    (loaded.delivered as string[]).push('888');
    expect((await store.load())?.delivered).toEqual(sampleSession(1).delivered);
  });
});
