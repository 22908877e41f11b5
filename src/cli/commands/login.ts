import { createWebwxClient } from '../../client.js';
import { fileSessionStore } from '../../session/index.js';
import { DEFAULT_LOGIN_ORIGIN } from '../../services/hosts.js';
import { parseCommandArgs, parseOrigin, parsePath } from '../args.js';
import { setupInspection } from '../inspection.js';
import { runClient, type CliStreams } from '../run-client.js';

const OPTIONS = {
  json: { type: 'boolean' },
  'login-origin': { type: 'string' },
  session: { type: 'string' },
  uos: { type: 'boolean' },
  inspect: { type: 'string' },
  record: { type: 'string' },
  'qr-png': { type: 'string' },
  'keep-session': { type: 'boolean' },
} as const;

/** `webwx login`: a real login (or against --login-origin), then the sync loop until logout. */
export async function loginCommand(argv: readonly string[], streams: CliStreams): Promise<number> {
  const args = parseCommandArgs(argv, OPTIONS);
  const json = args.json === true;
  const human = json ? streams.stderr : streams.stdout;
  const loginOrigin = parseOrigin(args['login-origin'], '--login-origin') ?? DEFAULT_LOGIN_ORIGIN;
  const sessionFile = parsePath(args.session, '--session');
  const qrPng = parsePath(args['qr-png'], '--qr-png');
  const inspection = await setupInspection(args.inspect, args.record, human);
  try {
    const client = createWebwxClient({
      loginOrigin,
      uos: args.uos === true,
      ...(sessionFile !== undefined ? { session: fileSessionStore(sessionFile) } : {}),
      ...(inspection ? { inspect: inspection.inspect } : {}),
    });
    return await runClient(client, streams, {
      json,
      qrPng,
      keepSession: args['keep-session'],
      readCommands: json,
    });
  } finally {
    await inspection?.stop();
  }
}
