/**
 * Secrets: a whole life of `webwx login --json --session FILE --record FILE --inspect=PORT` — a QR
 * login whose every step meets a fault, messages, sends (one refused), faults in the loop and on
 * sends, a server that echoes the session's secrets inside its error pages, a SIGKILL, a resume
 * from the file, a logout — recorded on every channel: stdout, stderr, both --record files, the
 * inspector's WebSocket traffic. Then, in-process, every error object a host can hold (error
 * events, SendError, the end of a failed session, services' failures, store failures) and a
 * printed snapshot. None may contain an skey, sid, pass_ticket, cookie value or ticket.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listenTo } from '../support/ws.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendError } from '../../src/client.js';
import { redactContext } from '../../src/machines/webwx.machine.js';
import { createServiceDeps, services } from '../../src/services/index.js';
import { fileSessionStore, SessionStoreError } from '../../src/session/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { ensureBuilt, freePort, isEvent, killLeftovers, logInByPhone, secretsOf, startCli, type CliProcess } from '../integration/cli/harness.js';
import { loginByHand, makeClient, onCleanup, startSim } from '../integration/engine/harness.js';
import { startHostileProxy, type HostileProxy } from './hostile-proxy.js';
import { until } from './support.js';

ensureBuilt();

/** An error page that quotes the session's secrets the way a careless gateway would. */
function echoPage(sim: Simulator): string {
  const c = sim.control.credentials();
  return `<html><body>session ${c.sid} with key ${c.skey} (${c.passTicket}, ${decodeURIComponent(c.passTicket)}) and cookie ${c.dataTicket} is unknown</body></html>`;
}

describe('secrets on every channel of the CLI, over a whole life with faults, a kill and a resume', () => {
  let sim: Simulator;
  let proxy: HostileProxy;
  let dir: string;
  const runs: CliProcess[] = [];
  const inspected: string[][] = [];
  const records: string[] = [];
  let sessionFileText = '';

  beforeAll(async () => {
    sim = await startSimulator({ hold: 300, contacts: 12 });
    proxy = await startHostileProxy(sim.origin);
    sim.control.setRedirectOrigin(proxy.origin);
    dir = mkdtempSync(join(tmpdir(), 'webwx-secrets-'));
    const file = join(dir, 'bot.session');

    // Every login step meets a fault once.
    sim.control.setFaults({
      rules: [
        { endpoint: 'jslogin', kind: 'status', status: 502, times: 1 },
        { endpoint: 'login', kind: 'destroy', times: 1 },
        { endpoint: 'webwxnewloginpage', kind: 'status', status: 503, times: 1 },
        { endpoint: 'webwxinit', kind: 'invalidJson', times: 1 },
        { endpoint: 'webwxstatusnotify', kind: 'truncate', times: 1 },
        { endpoint: 'webwxgetcontact', kind: 'destroy', times: 1 },
      ],
    });
    for (let run = 0; run < 2; run++) {
      const port = await freePort();
      const record = join(dir, `record-${run}.ndjson`);
      records.push(record);
      const cli = startCli(['login', '--json', '--login-origin', proxy.origin, '--session', file, '--record', record, `--inspect=${port}`]);
      runs.push(cli);
      await cli.waitForStderr(/Inspector: open /);
      const inspector = await listenTo(`ws://127.0.0.1:${port}`);
      inspected.push(inspector.messages);
      if (run === 0) await logInByPhone(sim, cli);
      else await cli.waitFor(isEvent('state', { state: 'syncing' }), 'the resumed session');
      sessionFileText = readFileSync(file, 'utf8');
      expect(statSync(file).mode & 0o777).toBe(0o600);

      const uin = sim.control.sessions()[0]!.uin;
      const friend = sim.control.contacts(uin).find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'))!.UserName;
      // Faults in the loop and on sends, and a server that quotes the secrets in its error pages.
      // Few: the CLI runs with the real back-off (1 s, doubling per consecutive fault).
      sim.control.setFaults({
        rules: [
          { endpoint: 'webwxsync', kind: 'invalidJson', times: 1 },
          { endpoint: 'webwxsendmsg', kind: 'invalidJson', times: 1 },
        ],
      });
      const page = echoPage(sim);
      const echoed = new Set<string>();
      proxy.set((req) => {
        if (echoed.has(req.endpoint) || (req.endpoint !== 'webwxsync' && req.endpoint !== 'synccheck')) return undefined;
        echoed.add(req.endpoint);
        return { answer: { status: req.endpoint === 'synccheck' ? 500 : 200, headers: { 'content-type': 'text/html' }, body: page } };
      });
      for (let i = 0; i < 12; i++) sim.control.message({ uin, from: friend, text: `run ${run} message ${i}` });
      cli.send(JSON.stringify({ cmd: 'send', to: friend, text: `hello from run ${run}` }));
      cli.send(JSON.stringify({ cmd: 'send', to: '@nosuchuser', text: 'refused' }));
      await cli.waitFor(isEvent('sent'), 'the sent event');
      await cli.waitFor((e) => e.event === 'error' && e['code'] === 'sendFailed', 'the refused send');
      await cli.waitFor(
        () => cli.events.filter((e) => e.event === 'message' && String((e['message'] as { Content: string }).Content).startsWith(`run ${run} `)).length === 12,
        'the messages',
        40_000,
      );
      await until(() => echoed.size === 2, 10_000, 'the echoing pages');
      await cli.waitFor((e) => e.event === 'error' && String(e['message']).startsWith('webwxsync: bad response at (body)'), 'an echo page read as a bad answer');
      proxy.set(() => undefined);
      if (run === 0) {
        // A crash: the next run resumes from the file.
        cli.child.kill('SIGKILL');
        await cli.exit;
        inspector.socket.close();
      } else {
        cli.send('{"cmd":"logout"}');
        expect((await cli.exit).code).toBe(0);
      }
    }
  }, 90_000);

  afterAll(async () => {
    killLeftovers();
    await proxy.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('knows the secrets it looks for, and they were in the process (the check is not vacuous)', () => {
    const secrets = secretsOf(sim);
    const c = sim.control.credentials();
    for (const value of [c.sid, c.skey, c.passTicket, c.dataTicket]) expect(secrets).toContain(value);
    const ticket = sim.control.requests({ endpoint: 'webwxnewloginpage' }).at(-1)!.query['ticket']!;
    expect(secrets).toContain(ticket);
    expect(sessionFileText).toContain(c.skey);
    // The channels carried a lot: faults, the echo pages, the restore.
    const out = runs.map((r) => r.stdout()).join('\n');
    expect(out).toContain('"event":"error"');
    expect(out).toContain('"state":"restoring"');
    expect(inspected.every((m) => m.length > 10)).toBe(true);
  });

  it('stdout, stderr, the --record files and the inspector traffic carry none of them', () => {
    const channels: Record<string, string> = {};
    runs.forEach((run, i) => {
      channels[`stdout ${i}`] = run.stdout();
      channels[`stderr ${i}`] = run.stderr();
      channels[`record ${i}`] = readFileSync(records[i]!, 'utf8');
      channels[`inspector ${i}`] = inspected[i]!.join('\n');
    });
    const secrets = secretsOf(sim);
    for (const [name, text] of Object.entries(channels)) {
      expect(text.length, name).toBeGreaterThan(0);
      for (const secret of secrets) expect(text.includes(secret), `${name} holds a secret`).toBe(false);
    }
  });

  it('the record files are mode 0600, and the logout removed the session file', () => {
    for (const record of records) expect(statSync(record).mode & 0o777).toBe(0o600);
    expect(() => statSync(join(dir, 'bot.session'))).toThrow();
  });
});

describe('secrets in the error objects a host holds', () => {
  it('error events, SendError, a failed end, services failures and a printed snapshot hold none', async () => {
    const sim = await startSim();
    const proxy = await startHostileProxy(sim.origin);
    onCleanup(() => proxy.close());
    sim.control.setRedirectOrigin(proxy.origin);
    const t = makeClient(sim, { loginOrigin: proxy.origin, maxConsecutiveFailures: 3 });
    const { uin } = await loginByHand(sim, t);
    const creds = sim.control.credentials(uin);
    const secrets = [creds.sid, creds.skey, creds.passTicket, decodeURIComponent(creds.passTicket), creds.dataTicket, creds.authTicket];
    const held: unknown[] = [];

    // A refused send: the SendError, as thrown.
    const refused = await t.client.send('@nosuchuser', 'x').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(SendError);
    held.push(refused, String(refused), (refused as Error).stack);

    // A snapshot as printed: the raw context holds the secrets, the redacted one does not.
    const context = t.client.actor.getSnapshot().context;
    expect(JSON.stringify(context)).toContain(creds.skey);
    held.push(redactContext(context));

    // A service called directly against a server that echoes the secrets: the failure as thrown.
    const stored = t.client.session()!;
    const deps = createServiceDeps({ cookies: stored.cookies, requestTimeoutMs: 2_000 });
    const page = echoPage(sim);
    proxy.set((req) => (req.endpoint === 'webwxsync' ? { answer: { status: 200, headers: { 'content-type': 'text/plain' }, body: page } } : req.endpoint === 'webwxinit' ? { answer: { status: 502, body: page } } : undefined));
    for (const call of [
      () => services.webwxSync(deps, { hosts: stored.hosts, credentials: stored.credentials, syncKey: stored.syncKey }, new AbortController().signal),
      () => services.webwxInit(deps, { hosts: stored.hosts, credentials: stored.credentials }, new AbortController().signal),
    ]) {
      const failure = await call().catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(Error);
      held.push(failure, String(failure), (failure as Error).stack, JSON.stringify(failure));
    }

    // The client meets the same pages until its budget ends the session: the end and every error event.
    sim.control.message({ uin, from: sim.control.contacts(uin).find((c) => !c.UserName.startsWith('@@'))!.UserName, text: 'wake' });
    const ended = await t.client.done;
    expect(ended.reason).toBe('tooManyFailures');
    held.push(ended, t.rec.events);

    // A store that refuses a group-readable file: a clear error naming the file and the fix.
    const dir = await mkdtemp(join(tmpdir(), 'webwx-secrets-store-'));
    onCleanup(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'shared.session');
    await fileSessionStore(file).save(stored);
    await chmod(file, 0o640);
    const insecure = await fileSessionStore(file).load().catch((err: unknown) => err);
    expect(insecure).toBeInstanceOf(SessionStoreError);
    expect(insecure).toMatchObject({ code: 'sessionInsecure', message: expect.stringContaining(`chmod 600 ${file}`) });
    held.push(insecure, String(insecure), JSON.stringify(insecure));

    const text = held.map((h) => (typeof h === 'string' ? h : JSON.stringify(h))).join('\n');
    expect(text).toContain('webwxsync');
    for (const secret of secrets) expect(text.includes(secret), 'a secret in an error object').toBe(false);
  });
});
