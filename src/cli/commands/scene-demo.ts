/**
 * `webwx scene-demo [--port P] [--host H] [--token T] [--redis URL [--redis-prefix P]] [--platform URL] [--expire S]`
 *
 * Runs the scene-QR login example (seed 004): the example web app, and — unless `--platform`
 * points at the real platform — the official-account platform simulator, wired to the app's
 * callback. Serves until Ctrl-C. Exit codes: 0 after a clean stop, 2 bad usage, 3 when it could
 * not start (port taken, Redis unreachable, credentials missing).
 *
 * With `--platform`, the app id and secret come from WECHAT_APPID / WECHAT_APPSECRET (never from
 * the command line, where `ps` would show the secret), and the callback URL must be configured on
 * the platform by hand.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createSceneBackend, type SceneBackend } from '../../scene/backend.js';
import { startSceneExampleServer, type SceneExampleServer } from '../../scene/example-server.js';
import { startOfficialSimulator, type OfficialSimulator } from '../../simulator/official/server.js';
import { MAX_EXPIRE_SECONDS, MIN_EXPIRE_SECONDS } from '../../codecs/scene.js';
import { untilStopped } from '../../entry-point.js';

export interface SceneDemoIo {
  readonly stdout?: { write(text: string): unknown };
  readonly stderr?: { write(text: string): unknown };
  /** Stops the demo (tests); by default Ctrl-C / SIGTERM do. */
  readonly signal?: AbortSignal;
  /** Called once everything listens. */
  readonly onReady?: (info: SceneDemoInfo) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface SceneDemoInfo {
  /** The example app: open it in a browser. */
  readonly appOrigin: string;
  /** The simulator's origin, or null against the real platform. */
  readonly simulatorOrigin: string | null;
  readonly store: 'memory' | 'redis';
}

interface DemoArgs {
  readonly port: number;
  readonly host: string;
  readonly token: string;
  readonly redis: string | undefined;
  readonly redisPrefix: string | undefined;
  readonly platform: string | undefined;
  readonly expireSeconds: number;
}

export const SCENE_DEMO_USAGE = `Usage: webwx scene-demo [--port P] [--host H] [--token T] [--redis URL [--redis-prefix P]]
                        [--platform URL] [--expire SECONDS]
  The official-account scene-QR login example. Starts the platform simulator unless --platform is
  given (then WECHAT_APPID and WECHAT_APPSECRET must be set). --redis shares scenes, the access
  token and accounts through Redis (keys under --redis-prefix, default webwx:scene-login:) so
  several instances can serve one site.
`;

class DemoUsageError extends Error {}

function parseDemoArgs(argv: readonly string[]): DemoArgs {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        token: { type: 'string' },
        redis: { type: 'string' },
        'redis-prefix': { type: 'string' },
        platform: { type: 'string' },
        expire: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new DemoUsageError(err instanceof Error ? err.message : String(err));
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new DemoUsageError('--port takes a port number (0-65535)');
  const expireSeconds = values.expire === undefined ? 300 : Number(values.expire);
  if (!Number.isInteger(expireSeconds) || expireSeconds < MIN_EXPIRE_SECONDS || expireSeconds > MAX_EXPIRE_SECONDS) {
    throw new DemoUsageError(`--expire takes seconds between ${MIN_EXPIRE_SECONDS} and ${MAX_EXPIRE_SECONDS}`);
  }
  // The platform accepts 3 to 32 letters and digits as the callback token.
  if (values.token !== undefined && !/^[0-9A-Za-z]{3,32}$/.test(values.token)) throw new DemoUsageError('--token takes 3 to 32 letters or digits');
  const prefix = values['redis-prefix'];
  if (prefix !== undefined && (values.redis === undefined || !/^[0-9A-Za-z:_.-]{1,64}$/.test(prefix))) {
    throw new DemoUsageError('--redis-prefix takes up to 64 letters, digits or :_.- and needs --redis');
  }
  for (const [flag, url, schemes] of [
    ['--redis', values.redis, ['redis:', 'rediss:']],
    ['--platform', values.platform, ['http:', 'https:']],
  ] as const) {
    if (url === undefined) continue;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DemoUsageError(`${flag} takes a URL`);
    }
    if (!(schemes as readonly string[]).includes(parsed.protocol)) throw new DemoUsageError(`${flag} must be a ${schemes.join(' or ')} URL`);
  }
  return {
    port,
    host: values.host ?? '127.0.0.1',
    token: values.token ?? randomBytes(16).toString('hex'),
    redis: values.redis,
    redisPrefix: values['redis-prefix'],
    platform: values.platform,
    expireSeconds,
  };
}

/** host:port only: a Redis URL may carry a password. */
function redisLabel(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}


export async function runSceneDemo(argv: string[], io: SceneDemoIo = {}): Promise<number> {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  let args: DemoArgs;
  try {
    args = parseDemoArgs(argv);
  } catch (e) {
    if (!(e instanceof DemoUsageError)) throw e;
    err.write(`webwx scene-demo: ${e.message}\n\n${SCENE_DEMO_USAGE}`);
    return 2;
  }

  let simulator: OfficialSimulator | null = null;
  let backend: SceneBackend | null = null;
  let app: SceneExampleServer | null = null;
  try {
    let appId: string;
    let appSecret: string;
    if (args.platform === undefined) {
      simulator = await startOfficialSimulator({ host: '127.0.0.1' });
      appId = simulator.world.appId;
      appSecret = simulator.world.appSecret;
    } else {
      const id = env['WECHAT_APPID'];
      const secret = env['WECHAT_APPSECRET'];
      if (!id || !secret) {
        err.write('webwx scene-demo: --platform needs WECHAT_APPID and WECHAT_APPSECRET in the environment\n');
        return 3;
      }
      appId = id;
      appSecret = secret;
    }
    const platformOrigin = simulator?.origin ?? args.platform!;
    backend = createSceneBackend({
      platform: {
        appId,
        appSecret,
        apiBaseUrl: platformOrigin,
        ...(simulator === null ? {} : { showQrBaseUrl: simulator.origin }),
      },
      ...(args.redis === undefined ? {} : { redisUrl: args.redis }),
      ...(args.redisPrefix === undefined ? {} : { redisPrefix: args.redisPrefix }),
      expireSeconds: args.expireSeconds,
    });
    if (args.redis !== undefined) {
      try {
        await backend.store.readToken(appId);
      } catch {
        err.write(`webwx scene-demo: Redis at ${redisLabel(args.redis)} does not answer\n`);
        return 3;
      }
    }
    const sim = simulator;
    app = await startSceneExampleServer({
      service: backend.service,
      callbackToken: args.token,
      replays: backend.replays,
      port: args.port,
      host: args.host,
      log: (line) => err.write(`${line}\n`),
      ...(sim === null ? {} : { demoScan: (req) => sim.scan(req) }),
    });
    const callbackUrl = `${app.origin}/wechat/callback`;
    sim?.configureCallback(callbackUrl, args.token);

    out.write(`Scene-QR login example at ${app.origin}/  (open it in a browser)\n`);
    out.write(sim === null ? `Platform: ${platformOrigin}; configure the callback URL ${callbackUrl} and your token there.\n` : `Platform simulator at ${sim.origin} (its "phone" is the page's scan buttons)\n`);
    out.write(`Store: ${args.redis === undefined ? 'in memory' : `Redis ${redisLabel(args.redis)}`}\n`);
    out.write('Ctrl-C stops.\n');
    io.onReady?.({ appOrigin: app.origin, simulatorOrigin: sim?.origin ?? null, store: backend.storeKind });
    await untilStopped(io.signal);
    return 0;
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      err.write(`webwx scene-demo: cannot listen on ${args.host}:${args.port} (${code})\n`);
      return 2;
    }
    throw e;
  } finally {
    await app?.close();
    await backend?.close();
    await simulator?.close();
  }
}
