/**
 * `webwx demo` (human and --json) runs the whole protocol against its own simulator and exits 0;
 * `webwx simulator --port 0 --auto` serves a login that a second CLI completes unattended.
 */
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTRACT_STATES, ensureBuilt, isEvent, killLeftovers, startCli } from './harness.js';

ensureBuilt();

afterEach(() => killLeftovers());

describe('webwx demo', () => {
  it('--json: QR, scan, login, contacts, messages, a sent reply and the logout, exit 0', async () => {
    const cli = startCli(['demo', '--json']);
    const exit = await cli.exit;
    expect(exit.code).toBe(0);
    expect(cli.foreign).toEqual([]);
    const names = cli.events.map((e) => e.event);
    for (const name of ['qr', 'scanned', 'login', 'contacts', 'message', 'sent', 'logout']) expect(names, name).toContain(name);
    expect(names.indexOf('qr')).toBeLessThan(names.indexOf('scanned'));
    expect(names.indexOf('login')).toBeLessThan(names.indexOf('message'));
    expect(names.indexOf('message')).toBeLessThan(names.indexOf('sent'));
    expect(names.at(-1)).toBe('logout');
    expect(cli.events.at(-1)).toEqual({ event: 'logout', reason: 'user' });
    for (const e of cli.events.filter((x) => x.event === 'state')) expect(CONTRACT_STATES.has(String(e['state']))).toBe(true);

    const texts = cli.events.filter((e) => e.event === 'message').map((e) => (e['message'] as { Content: string; IsGroup: boolean }));
    expect(texts.some((m) => m.IsGroup)).toBe(true);
    // The reply goes to the sender of the first scripted message.
    const sent = cli.events.find(isEvent('sent'))!;
    const firstText = cli.events.find((e) => e.event === 'message' && (e['message'] as { MsgType: number }).MsgType === 1)!;
    expect(sent['to']).toBe((firstText['message'] as { FromUserName: string }).FromUserName);
  }, 60_000);

  it('human output: the QR drawing, what to do, the login, the messages, the reply and the logout; exit 0', async () => {
    const cli = startCli(['demo']);
    const exit = await cli.exit;
    expect(exit.code).toBe(0);
    const out = cli.stdout();
    expect(out).toContain('Scan this QR code');
    expect(out).toMatch(/[█▀▄]{5}/);
    expect(out).toContain('Scanned');
    expect(out).toMatch(/Logged in as .+\./);
    expect(out).toMatch(/\d+ contacts loaded/);
    expect(out).toContain('你好! Are you there? 😄');
    expect(out).toMatch(/→ Sent to /);
    expect(out).toMatch(/Logged out\.\n?$/);
    // Human mode never prints the machine format.
    expect(cli.lines.some((line) => line.startsWith('{"event"'))).toBe(false);
  }, 60_000);
});

describe('webwx simulator --port 0 --auto', () => {
  it('prints its origin first; a login --json against it logs in by itself', async () => {
    const sim = startCli(['simulator', '--port', '0', '--auto', '--auto-delay', '50', '--hold', '500', '--contacts', '8']);
    const origin = await sim.waitForLine(/./);
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.lines[0]).toBe(origin);

    const cli = startCli(['login', '--json', '--login-origin', origin]);
    await cli.waitFor(isEvent('state', { state: 'syncing' }), 'the syncing state');
    expect(cli.events.find(isEvent('contacts'))).toEqual({ event: 'contacts', count: 8 });
    cli.send('{"cmd":"logout"}');
    expect((await cli.exit).code).toBe(0);

    sim.child.kill('SIGINT');
    expect((await sim.exit).code).toBe(0);
  });

  it('a port another program holds, or an address that cannot exist, is bad usage (exit 2, as for --inspect), not a bug: the reason on stderr', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((holder.address() as AddressInfo).port);
      const busy = startCli(['simulator', '--port', port]);
      const exit = await busy.exit;
      expect(exit.code).toBe(2);
      expect(busy.stderr()).toContain('EADDRINUSE');
      expect(busy.lines).toEqual([]);
    } finally {
      holder.close();
    }
    expect((await startCli(['simulator', '--host', '256.1.1.1']).exit).code).toBe(2);
  });
});
