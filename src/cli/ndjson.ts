import type { Writable } from 'node:stream';
import { sanitizeForDisplay } from '../inspect/sanitize.js';

/** One event of the CONTRACT's stream: `{ "event": name, ...fields }`. */
export type CliEvent = { readonly event: string } & Record<string, unknown>;

/**
 * Writes one JSON object per line. Each line is one write so it is flushed as a unit; the
 * object passes the secret sanitiser on its way out (defence in depth: events carry none).
 */
export function createNdjsonWriter(out: Writable): (event: CliEvent) => void {
  return (event) => {
    out.write(`${JSON.stringify(sanitizeForDisplay(event))}\n`);
  };
}

export interface StdinCommandSend {
  readonly cmd: 'send';
  readonly to: string;
  readonly text: string;
}
export interface StdinCommandLogout {
  readonly cmd: 'logout';
}
export type StdinCommand = StdinCommandSend | StdinCommandLogout;

export type ParsedCommand = { readonly ok: true; readonly command: StdinCommand } | { readonly ok: false; readonly message: string };

const MAX_COMMAND_CHARS = 1024 * 1024;

/** Parses one stdin line; anything that is not exactly a known command is refused with a reason. */
export function parseStdinCommand(line: string): ParsedCommand {
  if (line.length > MAX_COMMAND_CHARS) return { ok: false, message: 'command line too long' };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, message: 'not valid JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: 'expected a JSON object' };
  const record = value as Record<string, unknown>;
  if (record['cmd'] === 'logout') return { ok: true, command: { cmd: 'logout' } };
  if (record['cmd'] === 'send') {
    const { to, text } = record;
    if (typeof to !== 'string' || to.length === 0) return { ok: false, message: 'send needs "to": a UserName' };
    if (typeof text !== 'string' || text.length === 0) return { ok: false, message: 'send needs "text": a non-empty string' };
    return { ok: true, command: { cmd: 'send', to, text } };
  }
  return { ok: false, message: typeof record['cmd'] === 'string' ? `unknown command "${record['cmd']}"` : 'missing "cmd"' };
}
