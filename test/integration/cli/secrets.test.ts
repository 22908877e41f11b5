/**
 * No secret of the session (skey, wxsid, pass_ticket, cookie values, the login ticket) reaches
 * stdout, stderr or the `--record` file; the record file holds the inspection stream; `--qr-png`
 * writes a PNG.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/simulator/index.js';
import { ensureBuilt, isEvent, killLeftovers, logInByPhone, secretsOf, startCli, type CliProcess } from './harness.js';

ensureBuilt();

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('webwx login --json --record FILE --qr-png FILE: a whole session, then the secrets are looked for', () => {
  let sim: Simulator;
  let dir: string;
  let cli: CliProcess;
  let record: string;
  let png: string;

  beforeAll(async () => {
    sim = await startSimulator({ hold: 400, contacts: 12 });
    dir = mkdtempSync(join(tmpdir(), 'webwx-cli-secrets-'));
    record = join(dir, 'inspection.ndjson');
    png = join(dir, 'qr.png');
    cli = startCli(['login', '--json', '--login-origin', sim.origin, '--record', record, '--qr-png', png, '--session', join(dir, 's.json')]);
    await logInByPhone(sim, cli);
    const friend = sim.control.contacts().find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'))!;
    const incoming = sim.control.message({ from: friend.UserName, text: 'ping' });
    await cli.waitFor((e) => e.event === 'message' && (e['message'] as { MsgId: string }).MsgId === incoming.msgId, 'the message');
    cli.send(JSON.stringify({ cmd: 'send', to: friend.UserName, text: 'pong' }));
    await cli.waitFor(isEvent('sent'), 'the sent event');
    // A fault on the way: its error event must not quote a secret either.
    sim.control.setFaults({ rules: [{ endpoint: 'synccheck', kind: 'status', status: 500, times: 1 }] });
    sim.control.message({ from: friend.UserName, text: 'after the fault' });
    await cli.waitFor(isEvent('error'), 'the error event of the fault');
    cli.send('{"cmd":"logout"}');
    expect((await cli.exit).code).toBe(0);
  });
  afterAll(async () => {
    killLeftovers();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('knows the secrets it looks for (the check is not vacuous)', () => {
    const secrets = secretsOf(sim);
    const c = sim.control.credentials();
    for (const value of [c.sid, c.skey, c.passTicket, c.dataTicket]) expect(secrets).toContain(value);
    // The login ticket from the redirect, as the client sent it to webwxnewloginpage.
    const ticket = sim.control.requests({ endpoint: 'webwxnewloginpage' })[0]!.query['ticket']!;
    expect(secrets).toContain(ticket);
    // The client did use them, so they were in its hands.
    expect(sim.control.requests({ endpoint: 'webwxsync' }).length).toBeGreaterThan(0);
  });

  it('stdout and stderr carry none of them', () => {
    const out = cli.stdout();
    const err = cli.stderr();
    expect(out.length).toBeGreaterThan(0);
    for (const secret of secretsOf(sim)) {
      expect(out, 'stdout').not.toContain(secret);
      expect(err, 'stderr').not.toContain(secret);
    }
  });

  it('the record file has actor, event and snapshot lines and none of the secrets; it is mode 0600', () => {
    const text = readFileSync(record, 'utf8');
    const lines = text.trim().split('\n').map((line) => JSON.parse(line) as { type: string; snapshot?: { value?: unknown } });
    const types = new Set(lines.map((l) => l.type));
    expect(types).toEqual(new Set(['@xstate.actor', '@xstate.event', '@xstate.snapshot']));
    const values = JSON.stringify(lines.filter((l) => l.type === '@xstate.snapshot').map((l) => l.snapshot?.value));
    for (const state of ['awaitingScan', 'scanned', 'syncing', 'loggedOut']) expect(values).toContain(state);
    for (const secret of secretsOf(sim)) expect(text).not.toContain(secret);
    expect(statSync(record).mode & 0o777).toBe(0o600);
  });

  it('--qr-png wrote a PNG of the QR', () => {
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(bytes.length).toBeGreaterThan(200);
  });
});
