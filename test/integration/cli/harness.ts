/**
 * Drives the BUILT `webwx` CLI (`node dist/cli/main.js`) as a child process, the way a shell user
 * or another language would: argv in, NDJSON lines out, JSON commands on stdin, signals.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Simulator } from '../../../src/simulator/index.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = join(ROOT, 'dist/cli/main.js');
const BUILD_LOCK = '/tmp/webwx-cli-build.lock';

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function isStale(): boolean {
  return !existsSync(CLI) || newestSource(join(ROOT, 'src')) > statSync(CLI).mtimeMs;
}

/**
 * Builds dist when it is missing or older than any source. Test files run in parallel, so the
 * build runs under a lock and the check is repeated inside it (one build, not one per file).
 * Type errors elsewhere do not stop tsc from emitting, so its exit status is not the judge.
 */
export function ensureBuilt(): void {
  if (!isStale()) return;
  const check = `const {statSync,readdirSync,existsSync}=require('node:fs');const {join}=require('node:path');` +
    `const n=(d)=>readdirSync(d,{withFileTypes:true}).reduce((m,e)=>{const p=join(d,e.name);return Math.max(m,e.isDirectory()?n(p):e.name.endsWith('.ts')?statSync(p).mtimeMs:0)},0);` +
    `process.exit(existsSync(${JSON.stringify(CLI)})&&n(${JSON.stringify(join(ROOT, 'src'))})<=statSync(${JSON.stringify(CLI)}).mtimeMs?0:1)`;
  const script = `${JSON.stringify(process.execPath)} -e ${shellQuote(check)} || npm run build --silent || true`;
  execFileSync('flock', [BUILD_LOCK, 'sh', '-c', script], { cwd: ROOT, stdio: 'ignore', timeout: 180_000 });
  if (!existsSync(CLI)) throw new Error(`the build did not produce ${CLI}`);
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export type CliEvent = { readonly event: string } & Record<string, unknown>;

export interface CliExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every stdout line, as written. */
  readonly lines: string[];
  /** The stdout lines that parsed as JSON objects. */
  readonly events: CliEvent[];
  /** stdout lines that are not a JSON object with an `event` field (must stay empty with --json). */
  readonly foreign: string[];
  stdout(): string;
  stderr(): string;
  /** The first event (already seen or still to come) that satisfies `match`. */
  waitFor(match: (event: CliEvent) => boolean, what: string, timeoutMs?: number): Promise<CliEvent>;
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The first stdout line (seen or to come) that matches. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Writes one line to stdin. */
  send(line: string): void;
  readonly exit: Promise<CliExit>;
}

const running = new Set<ChildProcessWithoutNullStreams>();

export function startCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  const lines: string[] = [];
  const events: CliEvent[] = [];
  const foreign: string[] = [];
  let stdoutText = '';
  let stderrText = '';
  const watchers = new Set<() => void>();
  const wake = (): void => watchers.forEach((w) => w());

  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (stdoutText += chunk));
  createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
    lines.push(line);
    try {
      const value = JSON.parse(line) as unknown;
      if (value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as CliEvent).event === 'string') events.push(value as CliEvent);
      else foreign.push(line);
    } catch {
      foreign.push(line);
    }
    wake();
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderrText += chunk;
    wake();
  });
  // A child that exits before reading all its stdin must not fail the test with EPIPE.
  child.stdin.on('error', () => undefined);
  const exit = new Promise<CliExit>((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      // Let the last lines (already in the pipe) be read before anyone looks at them.
      setTimeout(() => {
        resolve({ code, signal });
        wake();
      }, 20);
    });
  });
  let exited = false;
  void exit.then(() => (exited = true));

  function waitUntil<T>(probe: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = probe();
        if (found !== undefined) {
          done();
          resolve(found);
        } else if (exited) {
          done();
          reject(new Error(`the CLI exited before ${what}\nstdout:\n${stdoutText}\nstderr:\n${stderrText}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${what}\nstdout:\n${stdoutText}\nstderr:\n${stderrText}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        watchers.delete(check);
      };
      watchers.add(check);
      check();
    });
  }

  return {
    child,
    lines,
    events,
    foreign,
    stdout: () => stdoutText,
    stderr: () => stderrText,
    waitFor: (match, what, timeoutMs = 15_000) => waitUntil(() => events.find(match), what, timeoutMs),
    waitForLine: (pattern, timeoutMs = 15_000) => waitUntil(() => lines.find((line) => pattern.test(line)), `stdout ${pattern}`, timeoutMs),
    waitForStderr: (pattern, timeoutMs = 15_000) => waitUntil(() => stderrText.match(pattern) ?? undefined, `stderr ${pattern}`, timeoutMs),
    send: (line) => {
      child.stdin.write(`${line}\n`);
    },
    exit,
  };
}

/** Kills (by pid) whatever CLI a failed test left running. */
export function killLeftovers(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
}

export const isEvent =
  (name: string, fields: Readonly<Record<string, unknown>> = {}) =>
  (event: CliEvent): boolean =>
    event.event === name && Object.entries(fields).every(([k, v]) => event[k] === v);

/** The states of CONTRACT.md's `state` event. */
export const CONTRACT_STATES: ReadonlySet<string> = new Set(['uuid', 'awaitingScan', 'scanned', 'confirmed', 'initialized', 'syncing', 'loggedOut', 'restoring']);

/** Plays the phone: scans the CLI's QR, confirms once the CLI saw the scan, waits for syncing. */
export async function logInByPhone(sim: Simulator, cli: CliProcess, account?: { uin: string }): Promise<{ uuid: string }> {
  const qr = await cli.waitFor(isEvent('qr'), 'the qr event');
  const uuid = String(qr['uuid']);
  sim.control.scan({ uuid, ...(account ? { uin: account.uin } : {}) });
  await cli.waitFor(isEvent('scanned'), 'the scanned event');
  sim.control.confirm({ uuid });
  await cli.waitFor(isEvent('state', { state: 'syncing' }), 'the syncing state');
  return { uuid };
}

/** A port nobody listens on right now (for --inspect=PORT). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Cookies whose values are not secrets: wxuin is the account's Uin (the `login` event shows it by
 * contract), wxloadtime a timestamp, mm_lang the language.
 */
const PUBLIC_COOKIES: ReadonlySet<string> = new Set(['wxuin', 'wxloadtime', 'mm_lang']);

/** The session's secrets as the simulator knows them, plus every cookie value and ticket the client was given. */
export function secretsOf(sim: Simulator): string[] {
  const secrets = new Set<string>();
  for (const session of sim.control.sessions()) {
    const c = sim.control.credentials(session.uin);
    for (const value of [c.sid, c.skey, c.passTicket, c.dataTicket, c.authTicket]) secrets.add(value);
  }
  for (const record of sim.control.requests()) {
    const ticket = record.query['ticket'];
    if (ticket) secrets.add(ticket);
    const cookie = record.headers['cookie'];
    if (cookie === undefined) continue;
    for (const pair of cookie.split(';')) {
      const [name, ...rest] = pair.trim().split('=');
      const value = rest.join('=');
      if (!PUBLIC_COOKIES.has(name ?? '') && value.length >= 8) secrets.add(value);
    }
  }
  // The encoded forms travel too (pass_ticket is percent-encoded text).
  for (const value of [...secrets]) {
    secrets.add(encodeURIComponent(value));
    try {
      secrets.add(decodeURIComponent(value));
    } catch {
      // Not percent-encoded: nothing more to add.
    }
  }
  return [...secrets].filter((s) => s.length >= 6);
}
