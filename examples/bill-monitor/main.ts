/**
 * The bill monitor (seed 001): logs in to WeChat Web, watches every message for WeChat Pay
 * notices, prints one line per payment, appends it to a CSV ledger and, with --speak, says it.
 *
 *   npx tsx examples/bill-monitor/main.ts --demo
 *   npx tsx examples/bill-monitor/main.ts --login-origin http://127.0.0.1:PORT --csv payments.csv
 *   npx tsx examples/bill-monitor/main.ts --session ~/.bill.session --csv ~/payments.csv --speak
 *
 * Exit codes as the webwx CLI: 0 after a user or remote logout, 3 after any other end, 2 bad usage,
 * 1 a bug.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { ClientCrash, createWebwxClient, DEFAULT_LOGIN_ORIGIN, type WebwxClient } from '../../src/index.js';
import { renderQrForTerminal } from '../../src/cli/qr.js';
import { fileSessionStore } from '../../src/session/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { formatYuan } from './amount.js';
import { DEMO_PAYMENTS, playDemo } from './demo.js';
import { monitorPayments } from './monitor.js';
import { isMainModule } from '../../src/entry-point.js';

export const USAGE = `Usage: bill-monitor [--login-origin URL] [--session FILE] [--csv FILE] [--speak] [--voice V] [--demo]
  --login-origin URL  where to log in (default ${DEFAULT_LOGIN_ORIGIN}; a simulator's origin for tests)
  --session FILE      keep the session in FILE (0600); the next run resumes without a scan,
                      and Ctrl-C then stops without logging out
  --csv FILE          append each payment to FILE (default payments.csv; --demo: a file in the temp dir)
  --speak             say each payment with espeak-ng (when installed)
  --voice V           espeak-ng voice (default cmn, Mandarin)
  --demo              run against the built-in simulator, with a scripted mix of notices
`;

export interface BillMonitorIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

const OPTIONS = {
  'login-origin': { type: 'string' },
  session: { type: 'string' },
  csv: { type: 'string' },
  speak: { type: 'boolean' },
  voice: { type: 'string' },
  demo: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Args = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true; allowPositionals: false }>>['values'];

function parse(argv: readonly string[]): Args | string {
  let values: Args;
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  if (values.demo && (values['login-origin'] !== undefined || values.session !== undefined)) return '--demo runs its own simulator: leave out --login-origin and --session';
  const origin = values['login-origin'];
  if (origin !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(origin)) return `--login-origin takes an origin such as http://127.0.0.1:8080, got "${origin}"`;
  return values;
}

function narrateClient(client: WebwxClient, out: Writable): void {
  client.on('qr', ({ qrUrl }) => {
    // Promise.resolve: the drawing is synchronous now, and was a promise before.
    void Promise.resolve()
      .then(() => renderQrForTerminal(qrUrl))
      .then((drawing: string) => out.write(`${drawing}\nScan this QR code with WeChat on your phone.\n`), () => undefined);
  });
  client.on('scanned', () => out.write('Scanned; confirm the login on the phone.\n'));
  client.on('login', ({ user }) => out.write(`Logged in as ${user.NickName}.\n`));
  client.on('contacts', ({ count }) => out.write(`${count} contacts. Watching for WeChat Pay notices…\n`));
  client.on('logout', ({ reason, retcode }) => out.write(`Logged out: ${reason}${retcode === undefined ? '' : ` (${retcode})`}.\n`));
}

function handleSignals(client: WebwxClient, keepSession: boolean): () => void {
  const onSignal = (): void => {
    // With a session file the next run should resume: stop without webwxlogout.
    void (keepSession ? client.stop() : client.logout()).catch(() => undefined);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

export async function runBillMonitor(argv: readonly string[], io: BillMonitorIo): Promise<number> {
  const args = parse(argv);
  if (typeof args === 'string') {
    io.stderr.write(`bill-monitor: ${args}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const demo = args.demo === true;
  const csvFile = args.csv ?? (demo ? join(tmpdir(), `bill-monitor-demo-${process.pid}.csv`) : 'payments.csv');
  let sim: Simulator | null = null;
  let stopSignals: () => void = () => undefined;
  try {
    if (demo) {
      sim = await startSimulator({ auto: true, autoDelay: 400, contacts: 60 });
      io.stdout.write(`Demo: simulator at ${sim.origin}; its phone scans and confirms by itself.\n`);
    }
    const client = createWebwxClient({
      loginOrigin: sim ? sim.origin : (args['login-origin']?.replace(/\/$/, '') ?? DEFAULT_LOGIN_ORIGIN),
      ...(args.session !== undefined ? { session: fileSessionStore(args.session) } : {}),
    });
    narrateClient(client, io.stdout);
    const monitor = monitorPayments(client, {
      out: io.stdout,
      err: io.stderr,
      csvFile,
      speak: args.speak === true,
      speakOptions: args.voice !== undefined ? { voice: args.voice } : {},
    });
    let demoFailed = false;
    if (sim) {
      const world = sim;
      let started = false;
      client.on('state', ({ state }) => {
        if (state !== 'syncing' || started) return;
        started = true;
        playDemo(world, client, monitor, io.stdout).catch((err: unknown) => {
          demoFailed = true;
          io.stderr.write(`the demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
          void client.logout().catch(() => undefined);
        });
      });
    }
    stopSignals = handleSignals(client, args.session !== undefined);
    await client.start();
    let info;
    try {
      info = await client.done;
    } catch (err) {
      if (err instanceof ClientCrash) {
        io.stderr.write(`bill-monitor: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    await monitor.settled();
    monitor.stop();
    const total = monitor.payments.reduce((sum, p) => sum + p.amountFen, 0);
    io.stdout.write(`${monitor.payments.length} payment(s), ¥${formatYuan(total)} in all; ledger: ${csvFile}\n`);
    if (demo && (demoFailed || monitor.payments.length !== DEMO_PAYMENTS)) return 1;
    return info.reason === 'user' || info.reason === 'remote' ? 0 : 3;
  } finally {
    stopSignals();
    await sim?.close();
  }
}


if (isMainModule(import.meta.url)) {
  const code = await runBillMonitor(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
  // A parked long poll being aborted must not keep a finished monitor alive.
  process.exit(code);
}
