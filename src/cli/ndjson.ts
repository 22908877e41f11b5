import type { Writable } from 'node:stream';
import { sanitizeForDisplay } from '../inspect/sanitize.js';

/** One event of the CONTRACT's stream: `{ "event": name, ...fields }`. */
export type CliEvent = { readonly event: string } & Record<string, unknown>;

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The event as it may be shown: every field passes the secret sanitiser (defence in depth: the
 * engine's events carry none) — except a message's Content, which is what a person wrote and is
 * shown exactly (a chat line that mentions "ticket=" must not be rewritten).
 */
export function displaySafe(event: CliEvent): CliEvent {
  const clean = sanitizeForDisplay(event) as CliEvent;
  const message = event['message'];
  if (event.event !== 'message' || !isRecord(message) || typeof message['Content'] !== 'string') return clean;
  return { ...clean, message: { ...(clean['message'] as Record<string, unknown>), Content: message['Content'] } };
}

/** Writes one JSON object per line; each line is one write, so it goes out as a unit. */
export function createNdjsonWriter(out: Writable): (event: CliEvent) => void {
  return (event) => {
    out.write(`${JSON.stringify(displaySafe(event))}\n`);
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
