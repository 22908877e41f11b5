#!/usr/bin/env node
/** The `webwx` command line; its contract is /work/shared/CONTRACT.md. */
import { USAGE, UsageError } from './args.js';
import type { CliStreams } from './run-client.js';
import { redactSecrets } from '../codecs/redact.js';
import { isMainModule } from '../entry-point.js';

type Command = (argv: readonly string[], streams: CliStreams) => Promise<number>;

/** Commands load lazily so `webwx simulator` does not pull in the engine and vice versa. */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  login: async () => (await import('./commands/login.js')).loginCommand,
  demo: async () => (await import('./commands/demo.js')).demoCommand,
  simulator: async () => (await import('./commands/simulator.js')).simulatorCommand,
  web: async () => (await import('./commands/web.js')).webCommand,
  'scene-demo': async () => {
    const { runSceneDemo } = await import('./commands/scene-demo.js');
    return (argv) => runSceneDemo([...argv]);
  },
};

/** Runs the CLI and returns its exit code: 0/3 after a logout (see CONTRACT.md), 2 bad usage, 1 a bug. */
export async function runCli(argv: readonly string[], streams: CliStreams): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? streams.stderr : streams.stdout).write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    streams.stderr.write(`webwx: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    streams.stdout.write(USAGE);
    return 0;
  }
  try {
    return await (await load())(rest, streams);
  } catch (err) {
    if (err instanceof UsageError) {
      streams.stderr.write(`webwx ${name}: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('session')) {
      // A refused session file (insecure mode, corrupt) is the user's to fix, not a bug.
      streams.stderr.write(`webwx ${name}: ${redactSecrets(err instanceof Error ? err.message : String(err))}\n`);
      return 3;
    }
    const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
    streams.stderr.write(`webwx ${name}: internal error: ${redactSecrets(text)}\n`);
    return 1;
  }
}


/** Resolves once everything written to `stream` so far has been handed to the OS. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    stream.write('', () => resolve());
  });
}

if (isMainModule(import.meta.url)) {
  // A reader that went away (`webwx login --json | head -1`) is not a crash of ours.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  // Open handles (an inspector socket, a parked request being aborted) must not keep a finished CLI alive.
  process.exit(code);
}
