/**
 * The session in a JSON file that only its owner may read (mode 0600), replaced atomically: the
 * new session is written to a temp file in the same directory, flushed to disk, then renamed
 * over the old one, so a crash at any instant leaves the old file or the new one, never a mix.
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isLeft } from 'fp-ts/lib/Either.js';
import { pathOfErrors, reasonOfErrors } from '../codecs/errors.js';
import { StoredSessionCodec } from './codec.js';
import { errnoOf, SessionStoreError } from './errors.js';
import type { SessionStore, StoredSession } from './types.js';

/** A session is a few KB; anything near this is not one of ours. */
const MAX_SESSION_BYTES = 16 * 1024 * 1024;
const FILE_MODE = 0o600;
/** Any permission for group or others. */
const SHARED_BITS = 0o077;

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

async function save(path: string, session: StoredSession): Promise<void> {
  const text = JSON.stringify(validate(path, session, 'would not be loadable; not saved'));
  const dir = dirname(path);
  const temp = join(dir, `${tempPrefix(path)}${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'wx', FILE_MODE);
    // The umask may have cleared bits of FILE_MODE; set it exactly.
    await handle.chmod(FILE_MODE);
    await handle.writeFile(text, { encoding: 'utf8' });
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw fail('sessionIo', `cannot write session file ${path} (${errnoOf(err)})`);
  }
  await syncDirectory(dir);
}

async function clear(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw fail('sessionIo', `cannot remove session file ${path} (${errnoOf(err)})`);
  }
  // Temp files left by a process killed mid-save hold secrets too.
  const prefix = tempPrefix(path);
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => name.startsWith(prefix) && name.endsWith(TEMP_SUFFIX))
      .map((name) => unlink(join(dirname(path), name)).catch(() => undefined)),
  );
}

/**
 * A SessionStore kept in the file at `path`. Operations of one store run one after another in
 * the order they were called, so the last `save` called is the one that stays.
 */
export function fileSessionStore(path: string): SessionStore {
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(op: () => Promise<T>): Promise<T> => {
    const result = queue.then(op, op);
    queue = result.catch(() => undefined);
    return result;
  };
  return {
    load: () => serial(() => load(path)),
    save: (session) => serial(() => save(path, session)),
    clear: () => serial(() => clear(path)),
  };
}
