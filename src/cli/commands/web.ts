import type { Writable } from 'node:stream';
import { ClientCrash, type WebwxClient } from '../../client.js';
import { DEFAULT_LOGIN_ORIGIN } from '../../services/hosts.js';
import { fileSessionStore } from '../../session/index.js';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { playDemoWorld } from '../../web/demo-world.js';
import { startWebConsole, type WebConsole } from '../../web/console.js';
import { parseCommandArgs, parseOrigin, parsePath, parsePort, UsageError } from '../args.js';
import { exitCodeForLogout, type CliStreams } from '../run-client.js';

const OPTIONS = {
  port: { type: 'string' },
  'login-origin': { type: 'string' },
  session: { type: 'string' },
  demo: { type: 'boolean' },
} as const;

export const WEB_USAGE = `  webwx web [--port P] [--login-origin URL] [--session FILE] [--demo]
      A browser console on 127.0.0.1: the QR, the avatar and name, contacts, messages, a send box,
      and the statechart with the current state highlighted live. --demo runs it against the
      built-in simulator (its phone scans and confirms by itself).
`;

/** Slow enough that a person watching the page sees each login step. */
const DEMO_PHONE_DELAY_MS = 1_500;
/** After the session ended, the page gets this long to receive the last updates. */
const FAREWELL_MS = 1_000;

function describeStates(client: WebwxClient, out: Writable): void {
  client.on('state', ({ state }) => out.write(`state: ${state}\n`));
  client.on('login', ({ user }) => out.write(`logged in as ${user.NickName}\n`));
  client.on('logout', ({ reason, retcode }) => out.write(`logged out: ${reason}${retcode === undefined ? '' : ` (${retcode})`}\n`));
}

/** Ctrl-C logs out (the page shows it); a second one stops without waiting for the server. */
function handleSignals(web: WebConsole): () => void {
  let count = 0;
  const onSignal = (): void => {
    count += 1;
    if (count === 1) void web.client.logout().catch(() => undefined);
    else void web.client.stop().catch(() => undefined);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** `webwx web`: the browser console (see docs/web-console.md). Exit codes as for `webwx login`. */
export async function webCommand(argv: readonly string[], streams: CliStreams): Promise<number> {
  const args = parseCommandArgs(argv, OPTIONS);
  const port = parsePort(args.port, '--port') ?? 0;
  const demo = args.demo === true;
  if (demo && args['login-origin'] !== undefined) throw new UsageError('--demo runs its own simulator; leave out --login-origin');
  if (demo && args.session !== undefined) throw new UsageError('--demo logs in to a fresh simulated account; leave out --session');
  const loginOrigin = parseOrigin(args['login-origin'], '--login-origin') ?? DEFAULT_LOGIN_ORIGIN;
  const sessionFile = parsePath(args.session, '--session');

  let sim: Simulator | null = null;
  let web: WebConsole | null = null;
  let stopWorld: () => void = () => undefined;
  let stopSignals: () => void = () => undefined;
  try {
    if (demo) {
      sim = await startSimulator({ auto: true, autoDelay: DEMO_PHONE_DELAY_MS, contacts: 120 });
      streams.stdout.write(`Simulator listening at ${sim.origin} (loopback); its phone scans and confirms by itself.\n`);
    }
    web = await startWebConsole({
      port,
      title: demo ? 'webwx console — demo' : 'webwx console',
      client: {
        loginOrigin: sim ? sim.origin : loginOrigin,
        ...(sessionFile !== undefined ? { session: fileSessionStore(sessionFile) } : {}),
      },
      beforeStart: (client) => describeStates(client, streams.stdout),
    });
    if (sim) stopWorld = playDemoWorld(sim, web.client);
    stopSignals = handleSignals(web);
    streams.stdout.write(`Web console: open ${web.url} in a browser (Ctrl-C logs out).\n`);
    let info;
    try {
      info = await web.client.done;
    } catch (err) {
      if (err instanceof ClientCrash) {
        streams.stderr.write(`webwx web: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, FAREWELL_MS));
    return exitCodeForLogout(info.reason);
  } finally {
    stopSignals();
    stopWorld();
    await web?.close();
    await sim?.close();
  }
}
