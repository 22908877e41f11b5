import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileSessionStore, SessionStoreError, toSessionStoreError, type StoredSession } from '../../../src/session/index.js';
import { sampleCookies, sampleSession } from './sample.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'webwx-session-'));
  path = join(dir, 'bot.session');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const modeOf = async (p: string): Promise<number> => (await stat(p)).mode & 0o777;

async function storeError(promise: Promise<unknown>): Promise<SessionStoreError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof SessionStoreError) return err;
    throw err;
  }
  throw new Error('expected a SessionStoreError');
}

describe('fileSessionStore', () => {
  it('loads null when there is no file', async () => {
    expect(await fileSessionStore(path).load()).toBeNull();
  });

  it('round-trips a session', async () => {
    const store = fileSessionStore(path);
    await store.save(sampleSession(7));
    expect(await store.load()).toEqual(sampleSession(7));
    expect(await fileSessionStore(path).load()).toEqual(sampleSession(7));
  });

  // Invariant: whatever a valid session holds (any text, any keys), load(save(s)) equals s.
  it('round-trips any valid session', async () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const nonEmpty = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });
    const syncKey = fc
      .array(fc.record({ Key: fc.nat(), Val: fc.nat() }), { maxLength: 6 })
      .map((List) => ({ Count: List.length, List }) as StoredSession['syncKey']);
    const session: fc.Arbitrary<StoredSession> = fc.record({
      version: fc.constant(1 as const),
      hosts: fc.integer({ min: 1, max: 65535 }).map((port) => {
        const o = `http://127.0.0.1:${port}`;
        return { login: o, main: o, push: o, file: o };
      }),
      credentials: fc.record({
        skey: nonEmpty,
        wxsid: nonEmpty,
        wxuin: fc.stringMatching(/^\d{1,15}$/),
        passTicket: nonEmpty,
        deviceId: fc.stringMatching(/^e\d{15}$/),
      }),
      uos: fc.boolean(),
      user: fc.option(fc.record({ UserName: text, NickName: text, Uin: fc.maxSafeInteger() }), { nil: null }),
      syncKey,
      syncCheckKey: fc.option(syncKey, { nil: null }),
      cookies: fc.stringMatching(/^[A-Za-z0-9%]{0,20}$/).map((v) => sampleCookies(v)),
      delivered: fc.array(text, { maxLength: 10 }),
      savedAt: fc.maxSafeNat(),
    });
    const store = fileSessionStore(path);
    await fc.assert(
      fc.asyncProperty(session, async (s) => {
        await store.save(s);
        expect(await store.load()).toEqual(s);
      }),
      { numRuns: 50 },
    );
  });

  it('creates the file with mode 0600', async () => {
    await fileSessionStore(path).save(sampleSession(1));
    expect(await modeOf(path)).toBe(0o600);
  });

  it('a save over a too-open file leaves a 0600 one', async () => {
    await writeFile(path, 'old', { mode: 0o644 });
    await chmod(path, 0o644);
    await fileSessionStore(path).save(sampleSession(2));
    expect(await modeOf(path)).toBe(0o600);
    expect(await fileSessionStore(path).load()).toEqual(sampleSession(2));
  });

  it.each([0o644, 0o640, 0o604, 0o660, 0o620, 0o602, 0o610, 0o601])('refuses a file with mode %o as sessionInsecure', async (mode) => {
    await fileSessionStore(path).save(sampleSession(1));
    await chmod(path, mode);
    const err = await storeError(fileSessionStore(path).load());
    expect(err.code).toBe('sessionInsecure');
    expect(err.message).toContain(path);
    expect(err.message).toContain(`chmod 600 ${path}`);
    expect(err.message).not.toContain('@crypt_');
  });

  it.each([0o600, 0o400])('accepts a file with mode %o', async (mode) => {
    await fileSessionStore(path).save(sampleSession(1));
    await chmod(path, mode);
    expect(await fileSessionStore(path).load()).toEqual(sampleSession(1));
  });

  it.each([
    ['empty, mode 600 (mktemp)', '', 0o600],
    ['empty, mode 644 (touch)', '', 0o644],
    ['only whitespace', '  \n', 0o600],
  ])('a file that is %s holds no session; the next save makes it a 0600 session file', async (_label, text, mode) => {
    await writeFile(path, text, { mode });
    await chmod(path, mode);
    expect(await fileSessionStore(path).load()).toBeNull();
    await fileSessionStore(path).save(sampleSession(1));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await fileSessionStore(path).load()).toEqual(sampleSession(1));
  });

  it('a file that is not JSON is sessionCorrupt, without quoting it', async () => {
    await writeFile(path, '{"credentials":{"skey":"@crypt_TOPSECRET"', { mode: 0o600 });
    const err = await storeError(fileSessionStore(path).load());
    expect(err.code).toBe('sessionCorrupt');
    expect(err.message).toContain(path);
    expect(JSON.stringify(err.data)).not.toContain('TOPSECRET');
  });

  it.each([
    ['a missing field', (s: Record<string, unknown>) => ({ ...s, credentials: undefined }), 'credentials'],
    ['a wrong version', (s: Record<string, unknown>) => ({ ...s, version: 2 }), 'version'],
    ['a bad DeviceID', (s: Record<string, unknown>) => ({ ...s, credentials: { ...(s.credentials as object), deviceId: 'TOPSECRET' } }), 'credentials.deviceId'],
    ['cookies that are not a jar', (s: Record<string, unknown>) => ({ ...s, cookies: { cookies: 'TOPSECRET' } }), 'cookies'],
    ['a host with a path', (s: Record<string, unknown>) => ({ ...s, hosts: { ...(s.hosts as object), main: 'https://wx.qq.com/TOPSECRET' } }), 'hosts.main'],
    ['an array', () => ['TOPSECRET'], '(body)'],
  ])('a JSON file with %s is sessionCorrupt naming the field', async (_label, damage, where) => {
    const damaged = damage(sampleSession(3) as unknown as Record<string, unknown>);
    await writeFile(path, JSON.stringify(damaged), { mode: 0o600 });
    const err = await storeError(fileSessionStore(path).load());
    expect(err.code).toBe('sessionCorrupt');
    expect(err.message).toContain(`${where}:`);
    expect(JSON.stringify(err.data)).not.toContain('TOPSECRET');
    expect(JSON.stringify(err.data)).not.toContain('@crypt_');
  });

  it('refuses to save a session it could not load back, and keeps the old file', async () => {
    const store = fileSessionStore(path);
    await store.save(sampleSession(1));
    const bad = { ...sampleSession(2), credentials: { ...sampleSession(2).credentials, deviceId: 'nope' } };
    const err = await storeError(store.save(bad));
    expect(err.code).toBe('sessionCorrupt');
    expect(await store.load()).toEqual(sampleSession(1));
  });

  it('an unreadable or unwritable place is sessionIo', async () => {
    const nested = join(dir, 'missing-dir', 'bot.session');
    expect((await storeError(fileSessionStore(nested).save(sampleSession(1)))).data).toMatchObject({ code: 'sessionIo' });
    expect((await storeError(fileSessionStore(dir).load())).data).toMatchObject({ code: 'sessionIo' });
  });

  it('clear removes the file and stale temp files; clearing twice is fine', async () => {
    const store = fileSessionStore(path);
    await store.save(sampleSession(1));
    await writeFile(join(dir, '.bot.session.123.abcdef.tmp'), 'left by a crash', { mode: 0o600 });
    await writeFile(join(dir, 'unrelated.tmp'), 'x');
    await store.clear();
    await store.clear();
    expect(await store.load()).toBeNull();
    expect(await readdir(dir)).toEqual(['unrelated.tmp']);
  });

  it('runs the operations of one store in call order: the last save stays', async () => {
    const store = fileSessionStore(path);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.save(sampleSession(i, 2_000 - i * 50))));
    expect((await store.load())?.savedAt).toBe(19);
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  // Invariant: a reader racing many saves only ever sees a complete session, old or new.
  it('a concurrent reader never sees a torn file', async () => {
    const store = fileSessionStore(path);
    const sessions = [sampleSession(1, 10_000), sampleSession(2, 10_000)];
    await store.save(sessions[0]!);
    let done = false;
    let reads = 0;
    const reader = (async () => {
      while (!done) {
        const parsed = JSON.parse(await readFile(path, 'utf8')) as StoredSession;
        expect(parsed).toEqual(sessions[parsed.savedAt - 1]);
        reads += 1;
      }
    })();
    for (let i = 0; i < 60; i += 1) await store.save(sessions[i % 2]!);
    done = true;
    await reader;
    expect(reads).toBeGreaterThan(5);
  });

  // Fault injection: a process killed at an arbitrary point of its save loop leaves a loadable
  // session (one of the two it was writing), never a torn file.
  it('survives SIGKILL mid-save', async () => {
    const script = fileURLToPath(new URL('./save-loop.ts', import.meta.url));
    const expected = [sampleSession(1, 20_000), sampleSession(2, 20_000)];
    for (const delayMs of [0, 37, 113]) {
      const child = spawn(process.execPath, ['--import', 'tsx', script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('saved') && resolve());
        child.once('exit', (code) => reject(new Error(`save loop exited early (${String(code)})`)));
      });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      const loaded = await fileSessionStore(path).load();
      expect(loaded).toEqual(expected[(loaded?.savedAt ?? 0) - 1]);
      expect(await modeOf(path)).toBe(0o600);
    }
    await fileSessionStore(path).clear();
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('toSessionStoreError', () => {
  it('keeps a SessionStoreError and turns anything else into sessionIo without echoing it', () => {
    const err = new SessionStoreError({ code: 'sessionCorrupt', message: 'x' });
    expect(toSessionStoreError(err)).toBe(err.data);
    const data = toSessionStoreError(Object.assign(new Error('/a/b contains @crypt_LEAK'), { code: 'EACCES' }));
    expect(data).toEqual({ code: 'sessionIo', message: 'session store failed (EACCES)' });
    expect(toSessionStoreError('@crypt_LEAK').message).not.toContain('LEAK');
  });
});
