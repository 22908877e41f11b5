/**
 * The session in a JSON file that only its owner may read (mode 0600), replaced atomically: the
 * new session is written to a temp file in the same directory, flushed to disk, then renamed
 * over the old one, so a crash at any instant leaves the old file or the new one, never a mix.
 *
 * Every replacement (the rename) happens synchronously and carries a generation number taken
 * when the save was asked for; a save whose generation is older than the last replacement is
 * dropped. So the last save or clear called is the one that stays, however the asynchronous
 * writes interleave with the synchronous ones of `stage`.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isLeft } from 'fp-ts/lib/Either.js';
import { pathOfErrors, reasonOfErrors } from '../codecs/errors.js';
import { StoredSessionCodec } from './codec.js';
import { errnoOf, SessionStoreError } from './errors.js';
import type { SessionStore, StagedSave, StoredSession } from './types.js';

/** A session is a few KB; anything near this is not one of ours. */
const MAX_SESSION_BYTES = 16 * 1024 * 1024;
const FILE_MODE = 0o600;
/** Any permission for group or others. */
const SHARED_BITS = 0o077;

export interface FileSessionStoreOptions {
  /**
   * Flush the new file to disk before it replaces the old one (default true), so that a power
   * loss cannot leave an empty file behind. A killed process needs no flush: what it wrote is in
   * the kernel's page cache, which outlives the process.
   */
  readonly fsync?: boolean;
}

export interface FileSessionStore extends SessionStore {
  stage(session: StoredSession): StagedSave;
}

const fail = (code: 'sessionInsecure' | 'sessionCorrupt' | 'sessionIo', message: string): SessionStoreError =>
  new SessionStoreError({ code, message });

const tempPrefix = (path: string): string => `.${basename(path)}.`;
const TEMP_SUFFIX = '.tmp';

function validate(path: string, value: unknown, verb: string): StoredSession {
  const result = StoredSessionCodec.decode(value);
  if (isLeft(result)) {
    // io-ts paths name our fields (never values), so the message cannot carry a secret.
    const where = pathOfErrors(result.left);
    throw fail('sessionCorrupt', `session file ${path} ${verb}: ${where}: ${reasonOfErrors(result.left)}`);
  }
  return result.right;
}

async function readChecked(path: string, handle: FileHandle): Promise<string> {
  // fstat on the open handle: the checked file is the read file, even if the path is swapped.
  const stat = await handle.stat();
  if (!stat.isFile()) throw fail('sessionIo', `session file ${path} is not a regular file`);
  // Nothing in it to protect (`touch` makes it 0644): it reads as no session, and the first save
  // replaces it with a 0600 file.
  if (stat.size === 0) return '';
  if (process.platform !== 'win32' && (stat.mode & SHARED_BITS) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(3, '0');
    throw fail(
      'sessionInsecure',
      `session file ${path} is accessible to other users (mode ${mode}) and holds login secrets; ` +
        `refusing to use it. Fix: chmod 600 ${path}`,
    );
  }
  if (stat.size > MAX_SESSION_BYTES) throw fail('sessionCorrupt', `session file ${path} is too large to be a session`);
  return handle.readFile({ encoding: 'utf8' });
}

async function load(path: string): Promise<StoredSession | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return null;
    throw fail('sessionIo', `cannot open session file ${path} (${errnoOf(err)})`);
  }
  let text: string;
  try {
    text = await readChecked(path, handle);
  } catch (err) {
    if (err instanceof SessionStoreError) throw err;
    throw fail('sessionIo', `cannot read session file ${path} (${errnoOf(err)})`);
  } finally {
    await handle.close().catch(() => undefined);
  }
  // An empty file (made by `touch`, `mktemp`, a temp-file API) holds no session: a fresh login
  // then writes one into it. Any other content that is not a session is refused, not overwritten.
  if (text.trim() === '') return null;
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    // JSON.parse's message quotes the text; ours does not.
    throw fail('sessionCorrupt', `session file ${path} is not valid JSON`);
  }
  return validate(path, json, 'is not a stored session');
}

/** fsync of the directory makes the rename itself durable; some systems refuse it, which is fine. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort only.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** The pid a temp file name carries (`.<base>.<pid>.<random>.tmp`), or null. */
function pidOfTemp(name: string, prefix: string): number | null {
  const pid = Number(name.slice(prefix.length).split('.')[0]);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return errnoOf(err) === 'EPERM';
  }
}

const removeQuietly = (file: string): void => {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
};

/**
 * A SessionStore kept in the file at `path`. The last `save`, `stage(...).commit()` or `clear`
 * called is the one that stays.
 */
export function fileSessionStore(path: string, options: FileSessionStoreOptions = {}): FileSessionStore {
  const flush = options.fsync ?? true;
  const dir = dirname(path);
  const prefix = tempPrefix(path);
  /** Generations: one per save, stage or clear, in call order; `replaced` is the newest that took effect. */
  let issued = 0;
  let replaced = 0;
  /** Temp files this store is still writing or holding staged (a clear must not take them). */
  const ownTemps = new Set<string>();

  const newTemp = (): string => {
    const temp = join(dir, `${prefix}${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
    ownTemps.add(temp);
    return temp;
  };

  const textOf = (session: StoredSession): string => JSON.stringify(validate(path, session, 'would not be loadable; not saved'));

  /** The one place the stored file changes: synchronous, so no write can overtake it. */
  function replaceWith(generation: number, temp: string): void {
    ownTemps.delete(temp);
    if (generation < replaced) {
      // A later save or clear took effect meanwhile; this one is out of date.
      removeQuietly(temp);
      return;
    }
    try {
      renameSync(temp, path);
    } catch (err) {
      removeQuietly(temp);
      throw fail('sessionIo', `cannot write session file ${path} (${errnoOf(err)})`);
    }
    replaced = generation;
  }

  async function writeTemp(temp: string, text: string): Promise<void> {
    let handle: FileHandle | undefined;
    try {
      handle = await open(temp, 'wx', FILE_MODE);
      // The umask may have cleared bits of FILE_MODE; set it exactly.
      await handle.chmod(FILE_MODE);
      await handle.writeFile(text, { encoding: 'utf8' });
      if (flush) await handle.sync();
      await handle.close();
      handle = undefined;
    } catch (err) {
      await handle?.close().catch(() => undefined);
      ownTemps.delete(temp);
      await unlink(temp).catch(() => undefined);
      throw fail('sessionIo', `cannot write session file ${path} (${errnoOf(err)})`);
    }
  }

  function writeTempSync(temp: string, text: string): void {
    let fd: number | undefined;
    try {
      fd = openSync(temp, 'wx', FILE_MODE);
      fchmodSync(fd, FILE_MODE);
      writeFileSync(fd, text, { encoding: 'utf8' });
      if (flush) fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
    } catch (err) {
      if (fd !== undefined) {
        try {
          closeSync(fd);
        } catch {
          // Closing a descriptor that failed to write: nothing more to do.
        }
      }
      ownTemps.delete(temp);
      removeQuietly(temp);
      throw fail('sessionIo', `cannot write session file ${path} (${errnoOf(err)})`);
    }
  }

  async function save(session: StoredSession): Promise<void> {
    const generation = ++issued;
    const text = textOf(session);
    const temp = newTemp();
    await writeTemp(temp, text);
    replaceWith(generation, temp);
    if (flush) await syncDirectory(dir);
  }

  function stage(session: StoredSession): StagedSave {
    const generation = ++issued;
    const text = textOf(session);
    const temp = newTemp();
    writeTempSync(temp, text);
    let settled = false;
    return {
      commit() {
        if (settled) return;
        settled = true;
        replaceWith(generation, temp);
        if (flush) void syncDirectory(dir);
      },
      discard() {
        if (settled) return;
        settled = true;
        ownTemps.delete(temp);
        removeQuietly(temp);
      },
    };
  }

  /** Temp files whose writer is gone: left by a process killed mid-save; they hold secrets too. */
  async function removeStaleTemps(alsoLiveOnes: boolean): Promise<void> {
    const names = await readdir(dir).catch(() => [] as string[]);
    await Promise.all(
      names
        .filter((name) => name.startsWith(prefix) && name.endsWith(TEMP_SUFFIX))
        .filter((name) => !ownTemps.has(join(dir, name)))
        .filter((name) => {
          const pid = pidOfTemp(name, prefix);
          return alsoLiveOnes || pid === null || (pid !== process.pid && !isAlive(pid));
        })
        .map((name) => unlink(join(dir, name)).catch(() => undefined)),
    );
  }

  async function clear(): Promise<void> {
    // Takes effect now: saves still being written are older and will be dropped.
    replaced = ++issued;
    try {
      unlinkSync(path);
    } catch (err) {
      if (errnoOf(err) !== 'ENOENT') throw fail('sessionIo', `cannot remove session file ${path} (${errnoOf(err)})`);
    }
    await removeStaleTemps(true);
  }

  return {
    load: async () => {
      const session = await load(path);
      await removeStaleTemps(false);
      return session;
    },
    save,
    stage,
    clear,
  };
}
