/**
 * Ctrl-C: a logout by default (webwxlogout reaches the server), or with --keep-session a stop that
 * keeps the stored session, so the next run resumes without a QR.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/simulator/index.js';
import { ensureBuilt, isEvent, killLeftovers, logInByPhone, startCli } from './harness.js';

ensureBuilt();

let sim: Simulator;
let dir: string;
beforeAll(async () => {
  sim = await startSimulator({ hold: 400, contacts: 10 });
  dir = mkdtempSync(join(tmpdir(), 'webwx-cli-signals-'));
});
afterEach(() => killLeftovers());
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('webwx login --json and Ctrl-C', () => {
  it('SIGINT sends webwxlogout, reports logout reason user and exits 0', async () => {
    const cli = startCli(['login', '--json', '--login-origin', sim.origin]);
    await logInByPhone(sim, cli);
    const uin = sim.control.sessions().at(-1)!.uin;
    const since = sim.control.requests().at(-1)!.seq;
    cli.child.kill('SIGINT');
    const exit = await cli.exit;
    expect(exit.code).toBe(0);
    expect(cli.events.at(-1)).toEqual({ event: 'logout', reason: 'user' });
    const logouts = sim.control.requests({ endpoint: 'webwxlogout', since });
    expect(logouts).toHaveLength(1);
    expect(sim.control.sessions().find((s) => s.uin === uin)!.alive).toBe(false);
    expect(cli.foreign).toEqual([]);
  });

  it('SIGINT while waiting for the scan: logout reason user, exit 0, nothing to log out on the server', async () => {
    const since = sim.control.requests().at(-1)?.seq ?? 0;
    const cli = startCli(['login', '--json', '--login-origin', sim.origin]);
    await cli.waitFor(isEvent('qr'), 'the qr');
    cli.child.kill('SIGINT');
    expect((await cli.exit).code).toBe(0);
    expect(cli.events.slice(-2)).toEqual([
      { event: 'state', state: 'loggedOut' },
      { event: 'logout', reason: 'user' },
    ]);
    expect(sim.control.requests({ endpoint: 'webwxlogout', since })).toHaveLength(0);
    expect(cli.stderr()).toContain('Logging out');
  });

  it('SIGINT with --keep-session --session F: no webwxlogout, F kept with mode 0600, the next run resumes without a QR', async () => {
    const file = join(dir, 'kept.session');
    const first = startCli(['login', '--json', '--login-origin', sim.origin, '--session', file, '--keep-session']);
    await logInByPhone(sim, first);
    const session = sim.control.sessions().at(-1)!;
    const since = sim.control.requests().at(-1)!.seq;
    first.child.kill('SIGINT');
    const firstExit = await first.exit;
    expect(firstExit.code).toBe(0);
    expect(first.events.at(-1)).toEqual({ event: 'logout', reason: 'user' });
    expect(sim.control.requests({ endpoint: 'webwxlogout', since })).toHaveLength(0);
    expect(sim.control.sessions().find((s) => s.uin === session.uin)!.alive).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // A message that arrives while no client runs is delivered by the resumed one.
    const friend = sim.control.contacts(session.uin).find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'))!;
    const missed = sim.control.message({ uin: session.uin, from: friend.UserName, text: 'sent while you were away' });

    const second = startCli(['login', '--json', '--login-origin', sim.origin, '--session', file]);
    await second.waitFor(isEvent('state', { state: 'syncing' }), 'the resumed session syncing');
    expect(second.events.some(isEvent('qr'))).toBe(false);
    expect(second.events.some(isEvent('state', { state: 'restoring' }))).toBe(true);
    expect(second.events.find(isEvent('login'))).toMatchObject({ user: { UserName: session.userName, Uin: Number(session.uin) } });
    await second.waitFor((e) => e.event === 'message' && (e['message'] as { MsgId: string }).MsgId === missed.msgId, 'the missed message');

    second.send('{"cmd":"logout"}');
    const secondExit = await second.exit;
    expect(secondExit.code).toBe(0);
    expect(second.events.at(-1)).toEqual({ event: 'logout', reason: 'user' });
    expect(second.foreign).toEqual([]);
  });
});
