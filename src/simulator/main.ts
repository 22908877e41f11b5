#!/usr/bin/env node
/**
 * The simulator as a standalone server: `node dist/simulator/main.js --port P --auto`. The first
 * line on stdout is the origin (so scripts can read it); everything else goes to stderr. The
 * request log is never printed: it holds the sessions' secrets.
 */
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { DEFAULTS, startSimulator } from './server.js';
import type { SimulatorOptions } from './types.js';
import { isMainModule, untilStopped } from '../entry-point.js';

export interface SimulatorCliIo {
  readonly stdout?: Writable;
  readonly stderr?: Writable;
  /** Stops the simulator; without one, SIGINT and SIGTERM do. */
  readonly signal?: AbortSignal;
  /** Called once the server listens (tests and the CLI use it to learn the origin). */
  readonly onListening?: (origin: string) => void;
}

export const SIMULATOR_USAGE = `Usage: webwx simulator [--port P] [--host H] [--auto] [--auto-delay MS] [--hold MS]
                       [--contacts N] [--seed N] [--page-size N] [--uuid-lifetime MS]
  --port P            listen on P (default 0: a free port); the origin is printed as the first line
  --host H            listen address (default 127.0.0.1)
  --auto              the phone scans and confirms every new QR by itself, a fresh account each time
  --auto-delay MS     pause before the scan, and again after the 201 before the confirm (default ${DEFAULTS.autoDelay})
  --hold MS           how long login polls and synccheck are held (default ${DEFAULTS.hold})
  --contacts N        size of each account's contact list (default ${DEFAULTS.contacts})
  --seed N            everything generated follows from it (default ${DEFAULTS.seed})
  --page-size N       webwxgetcontact page size (default ${DEFAULTS.pageSize})
  --uuid-lifetime MS  how long a QR stays valid (default ${DEFAULTS.uuidLifetimeMs})
`;

export type ParsedArgs = { readonly ok: true; readonly options: SimulatorOptions; readonly help: boolean } | { readonly ok: false; readonly message: string };

function integer(text: string | undefined, flag: string, min: number, max: number): number | undefined | string {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) return `${flag} takes an integer from ${min} to ${max}, got "${text}"`;
  return n;
}

/** Parses the simulator's flags; a usage problem comes back as a message, never as a throw. */
export function parseSimulatorArgs(argv: readonly string[]): ParsedArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        auto: { type: 'boolean' },
        'auto-delay': { type: 'string' },
        hold: { type: 'string' },
        contacts: { type: 'string' },
        seed: { type: 'string' },
        'page-size': { type: 'string' },
        'uuid-lifetime': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  const numbers = {
    port: integer(values['port'] as string | undefined, '--port', 0, 65_535),
    autoDelay: integer(values['auto-delay'] as string | undefined, '--auto-delay', 0, 3_600_000),
    hold: integer(values['hold'] as string | undefined, '--hold', 0, 3_600_000),
    contacts: integer(values['contacts'] as string | undefined, '--contacts', 0, 1_000_000),
    seed: integer(values['seed'] as string | undefined, '--seed', -2_147_483_648, 4_294_967_295),
    pageSize: integer(values['page-size'] as string | undefined, '--page-size', 1, 100_000),
    uuidLifetimeMs: integer(values['uuid-lifetime'] as string | undefined, '--uuid-lifetime', 1, 86_400_000),
  };
  for (const v of Object.values(numbers)) if (typeof v === 'string') return { ok: false, message: v };
  const n = numbers as Record<keyof typeof numbers, number | undefined>;
  return {
    ok: true,
    help: values['help'] === true,
    options: {
      port: n.port,
      host: values['host'] as string | undefined,
      auto: values['auto'] === true,
      autoDelay: n.autoDelay,
      hold: n.hold,
      contacts: n.contacts,
      seed: n.seed,
      pageSize: n.pageSize,
      uuidLifetimeMs: n.uuidLifetimeMs,
    },
  };
}

/**
 * Not a bug (exit 1 is for bugs, CONTRACT.md): a port another program holds or the user may not
 * bind, or an address that does not exist, is a port or host the command cannot use as asked —
 * bad usage (2), as `--inspect=PORT` answers a taken port.
 */
export function listenFailureExit(err: unknown): number {
  const code = (err as { code?: unknown } | null)?.code;
  const unusable = ['EADDRINUSE', 'EACCES', 'ENOTFOUND', 'EADDRNOTAVAIL', 'EAI_AGAIN', 'EINVAL', 'ERR_SOCKET_BAD_PORT'];
  return typeof code === 'string' && unusable.includes(code) ? 2 : 1;
}

/** Runs the simulator until stopped; resolves with the exit code (2: bad usage, a port or host it cannot use). */
export async function runSimulatorCli(argv: readonly string[], io: SimulatorCliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const parsed = parseSimulatorArgs(argv);
  if (!parsed.ok) {
    stderr.write(`webwx simulator: ${parsed.message}\n\n${SIMULATOR_USAGE}`);
    return 2;
  }
  if (parsed.help) {
    stdout.write(SIMULATOR_USAGE);
    return 0;
  }
  let sim;
  try {
    sim = await startSimulator(parsed.options);
  } catch (err) {
    stderr.write(`webwx simulator: cannot listen: ${err instanceof Error ? err.message : String(err)}\n`);
    return listenFailureExit(err);
  }
  stdout.write(`${sim.origin}\n`);
  stderr.write(
    `simulator listening on ${sim.origin}${parsed.options.auto ? ' (auto: the phone scans and confirms by itself)' : ''}\n` +
      `  login origin: ${sim.origin}   control API: ${sim.origin}/__sim/ (scan, confirm, message, logout, sent, requests)\n`,
  );
  io.onListening?.(sim.origin);

  await untilStopped(io.signal);
  await sim.close();
  return 0;
}


if (isMainModule(import.meta.url)) {
  process.exitCode = await runSimulatorCli(process.argv.slice(2));
}
