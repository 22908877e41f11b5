import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad usage: the CLI prints the message and the usage, and exits 2. */
export class UsageError extends Error {
  readonly code = 'usage' as const;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage:
  webwx demo [--json] [--inspect[=PORT]] [--record FILE]
      Log in against the built-in simulator (the simulated phone scans and confirms by itself),
      receive a few messages, reply to one, log out.
  webwx login [--json] [--login-origin URL] [--session FILE] [--uos] [--qr-png FILE]
              [--keep-session] [--inspect[=PORT]] [--record FILE]
      Real login: scan the QR with WeChat on your phone, then stay in the sync loop.
      With --json, stdin takes {"cmd":"send","to":"<UserName>","text":"..."} and {"cmd":"logout"}.
  webwx simulator [--port P] [--host H] [--auto] [--auto-delay MS] [--hold MS] [--contacts N] [--seed N]
      Run the protocol simulator standalone (prints its origin).
  webwx web [--port P] [--login-origin URL] [--session FILE] [--demo]
      A browser console on 127.0.0.1: the QR, contacts, messages, a send box and the live
      statechart. --demo runs it against the built-in simulator.
  webwx scene-demo [--port P] [--host H] [--token T] [--redis URL [--redis-prefix P]]
                   [--platform URL] [--expire SECONDS]
      The official-account scene-QR login example, against the platform simulator
      (or a real platform with --platform and WECHAT_APPID / WECHAT_APPSECRET set).
`;

/**
 * `--inspect` may stand alone or take `=PORT`; node's parseArgs wants a value either way, so a
 * bare flag becomes `--inspect=` (the empty value means "the usual port, or any free one").
 */
export const DEFAULT_INSPECT_PORT = 8080;
function normaliseInspectFlag(argv: readonly string[]): string[] {
  return argv.map((arg) => (arg === '--inspect' ? '--inspect=' : arg));
}

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: T,
): ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: false }>>['values'] {
  try {
    return parseArgs({ args: normaliseInspectFlag(argv), options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

export function parsePort(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`${flag} takes a port number (0-65535), got "${text}"`);
  return port;
}

/** A file the command will write: an empty name is a mistake of the caller, not "no file". */
export function parsePath(text: string | undefined, flag: string): string | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === '') throw new UsageError(`${flag} takes a file name, got an empty one`);
  return text;
}

export function parseOrigin(text: string | undefined, flag: string): string | undefined {
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} takes a URL such as http://127.0.0.1:8080, got "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${flag} must be an http(s) URL`);
  return url.origin;
}
