/**
 * Crash and resume: `webwx login --json --session FILE` is killed with SIGKILL at seeded random
 * points while a numbered stream of messages arrives, and restarted with the same FILE, again and
 * again. Across all runs every message must be printed exactly once and in order: the session
 * file (written aside and renamed in, never torn) holds the keys and the dedupe window, and the
 * client covers each message in it before printing and commits right after.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { ensureBuilt, isEvent, killLeftovers, startCli, type CliEvent, type CliProcess } from '../integration/cli/harness.js';
import { between, printFigures, rng, seedOr, sized, sleep, until } from './support.js';

ensureBuilt();

const KILLS = sized(20, 200);
const SEED = seedOr(7_919);

/** The complete NDJSON lines a run wrote: a line cut by the kill (no newline yet) is not one. */
function completeEvents(cli: CliProcess): CliEvent[] {
  const parts = cli.stdout().split('\n');
  parts.pop();
  return parts.filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as CliEvent);
}

const textOf = (event: CliEvent): string => String((event['message'] as { Content?: unknown } | undefined)?.Content ?? '');

describe('webwx login --json --session FILE, killed with SIGKILL and restarted', () => {
  let sim: Simulator;
  let dir: string;

  beforeAll(async () => {
    // Small pages: an answer's messages are printed over several pages, so kills land mid-answer.
    sim = await startSimulator({ hold: 250, auto: true, autoDelay: 20, contacts: 8, syncPageSize: 3, seed: SEED });
    dir = mkdtempSync(join(tmpdir(), 'webwx-crash-'));
  });
  afterAll(async () => {
    killLeftovers();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`delivers every message exactly once, in order, across ${KILLS} kills`, { timeout: KILLS * 5_000 + 60_000 }, async () => {
    const random = rng(SEED);
    const file = join(dir, 'bot.session');
    const args = ['login', '--json', '--login-origin', sim.origin, '--session', file];
    const runs: CliProcess[] = [];

    // The first run logs in (the automatic phone scans and confirms); later runs must resume.
    const first = startCli(args);
    runs.push(first);
    await first.waitFor(isEvent('state', { state: 'syncing' }), 'the first login');
    sim.control.setAuto({ auto: false });
    const uin = sim.control.sessions()[0]!.uin;
    const friend = sim.control.contacts(uin).find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'))!.UserName;

    // The numbered stream: bursts of 1–4 messages every 2–30 ms, for as long as the kills go on.
    let injected = 0;
    let injecting = true;
    const injector = (async () => {
      while (injecting) {
        for (let n = between(random, 1, 4); n > 0; n--) sim.control.message({ uin, from: friend, text: `#${injected++}` });
        await sleep(between(random, 2, 30));
      }
    })();

    let killedWhileDelivering = 0;
    let current = first;
    for (let kill = 0; kill < KILLS; kill++) {
      // A random point of the run: from right after its first line to well into its sync loop.
      await current.waitFor(() => true, 'the first line of a run');
      await sleep(between(random, 0, 250));
      const printedBefore = completeEvents(current).filter(isEvent('message')).length;
      current.child.kill('SIGKILL');
      const exit = await current.exit;
      expect(exit.signal).toBe('SIGKILL');
      if (printedBefore > 0) killedWhileDelivering++;
      current = startCli(args);
      runs.push(current);
    }
    injecting = false;
    await injector;

    // The last run stays until everything is out, then logs out.
    // The numbered ones (the phone's chat-list notice at login is a message too).
    const printed = (): string[] =>
      runs.flatMap((run) => completeEvents(run).filter(isEvent('message')).map(textOf)).filter((text) => /^#\d+$/.test(text));
    await until(() => new Set(printed()).size >= injected, 60_000, `all ${injected} messages`);
    // Time for a duplicate to show up, if one were coming: the loop is parked again with nothing new.
    await until(() => sim.stats().parked > 0, 10_000, 'a parked synccheck');
    await sleep(300);
    current.send('{"cmd":"logout"}');
    expect((await current.exit).code).toBe(0);

    const all = printed();
    const expected = Array.from({ length: injected }, (_, i) => `#${i}`);
    const counts = new Map<string, number>();
    for (const text of all) counts.set(text, (counts.get(text) ?? 0) + 1);
    const duplicates = [...counts.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
    const lost = expected.filter((text) => !counts.has(text)).length;
    printFigures('crash-resume', { seed: SEED, kills: KILLS, runs: runs.length, killedWhileDelivering, messages: injected, printed: all.length, duplicates, lost });

    expect(duplicates).toBe(0);
    expect(lost).toBe(0);
    expect(all).toEqual(expected);
    // The kills did land inside the stream, not only before or after it.
    expect(killedWhileDelivering).toBeGreaterThan(KILLS / 4);

    // Every restart resumed the stored session: one login by QR, one server session, no new account.
    for (const run of runs.slice(1)) {
      const events = completeEvents(run);
      expect(events.filter(isEvent('qr'))).toEqual([]);
      const states = events.filter(isEvent('state')).map((e) => e['state']);
      if (states.length > 0) expect(states[0]).toBe('restoring');
    }
    expect(sim.control.sessions().filter((s) => s.uin === uin)).toHaveLength(1);
    expect(sim.control.accounts()).toHaveLength(1);
    // The logout removed the file and every temp file the kills left behind.
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a session file left by a kill is mode 0600, and temp files of dead writers are removed on the next start', async () => {
    const file = join(dir, 'again.session');
    sim.control.setAuto({ auto: true });
    const run = startCli(['login', '--json', '--login-origin', sim.origin, '--session', file]);
    await run.waitFor(isEvent('state', { state: 'syncing' }), 'the login');
    const deadPid = run.child.pid!;
    run.child.kill('SIGKILL');
    await run.exit;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // What a kill between writing aside and renaming leaves: a temp file named for its dead writer.
    const leftover = join(dir, `.again.session.${deadPid}.0123456789ab.tmp`);
    writeFileSync(leftover, '{"credentials":"secret"}', { mode: 0o600 });
    const resumed = startCli(['login', '--json', '--login-origin', sim.origin, '--session', file]);
    await resumed.waitFor(isEvent('state', { state: 'syncing' }), 'the resume');
    expect(resumed.events.filter(isEvent('qr'))).toEqual([]);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    resumed.send('{"cmd":"logout"}');
    expect((await resumed.exit).code).toBe(0);
  });
});
