/**
 * How a `webwx login --json` run ends: every logout reason of CONTRACT.md with its event and exit
 * code, and bad usage (exit 2, nothing on stdout).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, WEB_FORBIDDEN_MESSAGE, type Simulator } from '../../../src/simulator/index.js';
import { ensureBuilt, isEvent, killLeftovers, logInByPhone, startCli } from './harness.js';

ensureBuilt();

const sims: Simulator[] = [];
async function simulator(options: Parameters<typeof startSimulator>[0] = {}): Promise<Simulator> {
  const sim = await startSimulator({ hold: 400, contacts: 10, ...options });
  sims.push(sim);
  return sim;
}

afterEach(async () => {
  killLeftovers();
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
});

describe('webwx login --json: how it ends', () => {
  it('server logout 1101: logout reason remote with retcode 1101, exit 0', async () => {
    const sim = await simulator();
    const cli = startCli(['login', '--json', '--login-origin', sim.origin]);
    await logInByPhone(sim, cli);
    sim.control.logout({ retcode: 1101 });
    const exit = await cli.exit;
    expect(exit.code).toBe(0);
    expect(cli.events.slice(-2)).toEqual([
      { event: 'state', state: 'loggedOut' },
      { event: 'logout', reason: 'remote', retcode: 1101 },
    ]);
    expect(cli.foreign).toEqual([]);
  });

  it('a web-forbidden account: logout reason webLoginForbidden with the server message, exit 3', async () => {
    const sim = await simulator();
    const account = sim.control.createAccount({ webForbidden: true });
    const cli = startCli(['login', '--json', '--login-origin', sim.origin]);
    const qr = await cli.waitFor(isEvent('qr'), 'the qr');
    sim.control.scan({ uuid: String(qr['uuid']), uin: account.uin });
    await cli.waitFor(isEvent('scanned'), 'the scan');
    sim.control.confirm({ uuid: String(qr['uuid']) });
    const exit = await cli.exit;
    expect(exit.code).toBe(3);
    // The server's ret (1203) may ride along as the retcode.
    expect(cli.events.at(-1)).toMatchObject({ event: 'logout', reason: 'webLoginForbidden', message: WEB_FORBIDDEN_MESSAGE });
    expect(cli.events.some(isEvent('login'))).toBe(false);
    expect(cli.foreign).toEqual([]);
  });

  it('--uos: the desktop login gets a web-forbidden account in (desktop headers on newloginpage)', async () => {
    const sim = await simulator();
    const account = sim.control.createAccount({ webForbidden: true });
    const cli = startCli(['login', '--json', '--uos', '--login-origin', sim.origin]);
    await logInByPhone(sim, cli, account);
    expect(cli.events.find(isEvent('login'))).toMatchObject({ user: { Uin: Number(account.uin) } });
    const jslogin = sim.control.requests({ endpoint: 'jslogin' })[0]!;
    expect(jslogin.query['redirect_uri']).toContain('mod=desktop');
    const page = sim.control.requests({ endpoint: 'webwxnewloginpage' })[0]!;
    expect(page.headers['client-version']).toBeDefined();
    expect(page.headers['extspam']).toBeDefined();
    cli.send('{"cmd":"logout"}');
    expect((await cli.exit).code).toBe(0);
  });

  it('a session file the store refuses: an error event naming why, exit 3, no login attempted', async () => {
    const sim = await simulator();
    const dir = mkdtempSync(join(tmpdir(), 'webwx-cli-store-'));
    try {
      const open = join(dir, 'world-readable.session');
      writeFileSync(open, '{}', { mode: 0o644 });
      chmodSync(open, 0o644);
      const corrupt = join(dir, 'corrupt.session');
      writeFileSync(corrupt, 'not json at all', { mode: 0o600 });
      for (const [file, code] of [
        [open, 'sessionInsecure'],
        [corrupt, 'sessionCorrupt'],
      ] as const) {
        const cli = startCli(['login', '--json', '--login-origin', sim.origin, '--session', file]);
        expect((await cli.exit).code, code).toBe(3);
        expect(cli.events, code).toEqual([{ event: 'error', code, message: expect.any(String) as string }]);
        expect(cli.stderr()).toContain(file);
      }
      expect(sim.control.requests()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a redirect to a foreign origin: logout reason untrustedRedirect, exit 3, no request sent there', async () => {
    const sim = await simulator();
    let foreignRequests = 0;
    const foreign: Server = createServer((_req, res) => {
      foreignRequests++;
      res.end('<error><ret>0</ret></error>');
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    try {
      const foreignOrigin = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
      const cli = startCli(['login', '--json', '--login-origin', sim.origin]);
      const qr = await cli.waitFor(isEvent('qr'), 'the qr');
      sim.control.scan({ uuid: String(qr['uuid']) });
      await cli.waitFor(isEvent('scanned'), 'the scan');
      sim.control.confirm({ uuid: String(qr['uuid']), redirectOrigin: foreignOrigin });
      const exit = await cli.exit;
      expect(exit.code).toBe(3);
      expect(cli.events.at(-1)).toMatchObject({ event: 'logout', reason: 'untrustedRedirect' });
      expect(foreignRequests).toBe(0);
      expect(cli.foreign).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => foreign.close(() => resolve()));
    }
  });

  it('QR codes that keep expiring: a new qr after each expiry, then logout reason qrExpired, exit 3', async () => {
    const sim = await simulator({ uuidLifetimeMs: 250, hold: 150 });
    const cli = startCli(['login', '--json', '--login-origin', sim.origin]);
    const exit = await cli.exit;
    expect(exit.code).toBe(3);
    const qrs = cli.events.filter(isEvent('qr')).map((e) => String(e['uuid']));
    // The first QR and a bounded number of fresh ones, each a new uuid.
    expect(qrs.length).toBeGreaterThan(1);
    expect(new Set(qrs).size).toBe(qrs.length);
    expect(sim.control.requests({ endpoint: 'jslogin' })).toHaveLength(qrs.length);
    expect(cli.events.at(-1)).toMatchObject({ event: 'logout', reason: 'qrExpired' });
    expect(cli.events.some(isEvent('scanned'))).toBe(false);
    expect(cli.foreign).toEqual([]);
  }, 30_000);

  it('a login server that does not answer: recoverable error events (code network, no secrets), and Ctrl-C still ends it with 0', async () => {
    const sim = await simulator();
    const deadOrigin = sim.origin;
    await sim.close();
    const cli = startCli(['login', '--json', '--login-origin', deadOrigin]);
    const error = await cli.waitFor(isEvent('error'), 'the network error');
    expect(error).toMatchObject({ event: 'error', code: 'network' });
    expect(Object.keys(error).sort()).toEqual(['code', 'event', 'message']);
    cli.child.kill('SIGINT');
    expect((await cli.exit).code).toBe(0);
    expect(cli.events.at(-1)).toEqual({ event: 'logout', reason: 'user' });
    expect(cli.foreign).toEqual([]);
  });

  it('bad usage exits 2 with the reason and the usage on stderr and nothing on stdout', async () => {
    const cases: { args: string[]; says: RegExp }[] = [
      { args: ['login', '--json', '--no-such-flag'], says: /no-such-flag/ },
      { args: ['login', '--json', '--login-origin', 'not a url'], says: /--login-origin/ },
      { args: ['login', '--json', '--login-origin', 'ftp://127.0.0.1:1'], says: /--login-origin/ },
      { args: ['login', '--json', '--login-origin'], says: /login-origin/ },
      { args: ['login', '--json', '--inspect=70000'], says: /--inspect/ },
      { args: ['login', '--json', 'stray'], says: /stray/ },
      { args: ['login', '--json', '--session', ''], says: /--session/ },
      { args: ['login', '--json', '--qr-png', ' '], says: /--qr-png/ },
      { args: ['demo', '--bogus'], says: /bogus/ },
      { args: ['fly'], says: /unknown command "fly"/ },
      { args: [], says: /Usage/ },
    ];
    const runs = cases.map(({ args }) => startCli(args));
    const exits = await Promise.all(runs.map((run) => run.exit));
    cases.forEach(({ args, says }, i) => {
      const label = args.join(' ');
      expect(exits[i]!.code, label).toBe(2);
      expect(runs[i]!.stdout(), label).toBe('');
      expect(runs[i]!.stderr(), label).toMatch(says);
      expect(runs[i]!.stderr(), label).toMatch(/Usage/);
    });
  });
});
