/**
 * The simulator's HTTP plumbing: reading requests (query, cookies, bodies) and writing answers
 * the way the real servers frame them, including the faults that mangle an answer on its way out.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OutcomeFault } from './faults.js';
import { escapeHtml } from './messages.js';

/** An answer ready to write. `onWritten` runs only after the whole body was handed to the socket. */
export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: string | Buffer;
  readonly onWritten?: (() => void) | undefined;
}

const MAX_REQUEST_BODY = 1024 * 1024;

/** Content types as captured from the real servers (JSON answers are `text/plain`, no charset). */
export const CONTENT_TYPE = {
  script: 'text/javascript',
  json: 'text/plain',
  xml: 'text/plain;charset=utf-8',
  html: 'text/html; charset=utf-8',
  jpeg: 'image/jpeg',
} as const;

export const scriptReply = (body: string): Reply => ({ status: 200, headers: { 'Content-Type': CONTENT_TYPE.script }, body });
export const jsonReply = (value: unknown, onWritten?: () => void): Reply => ({
  status: 200,
  headers: { 'Content-Type': CONTENT_TYPE.json },
  body: JSON.stringify(value),
  onWritten,
});
export const htmlReply = (status: number, body: string): Reply => ({ status, headers: { 'Content-Type': CONTENT_TYPE.html }, body });

/** Cookie header → name/value pairs (the first of a repeated name wins, as browsers send the most specific first). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

export function queryRecord(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) out[k] = v;
  return out;
}

export function headerRecord(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

export type BodyResult = { readonly ok: true; readonly text: string } | { readonly ok: false };

/** The control API takes bulk calls (`POST /__sim/messages`). */
export const MAX_CONTROL_BODY = 16 * 1024 * 1024;

/** Reads the body as UTF-8; refuses bodies larger than any real client sends (or `limit`). */
export function readBody(req: IncomingMessage, limit: number = MAX_REQUEST_BODY): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        if (!done) resolve({ ok: false });
        done = true;
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8') });
      done = true;
    });
    req.on('error', () => {
      if (!done) resolve({ ok: false });
      done = true;
    });
  });
}

export type JsonBody = { readonly kind: 'none' } | { readonly kind: 'bad' } | { readonly kind: 'ok'; readonly value: unknown };

export function parseJsonBody(text: string): JsonBody {
  if (text.trim() === '') return { kind: 'none' };
  try {
    return { kind: 'ok', value: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'bad' };
  }
}

/** What the request log keeps of a body: JSON parsed, form or other text as sent, null when empty. */
export function loggedBody(text: string): unknown {
  if (text === '') return null;
  const json = parseJsonBody(text);
  return json.kind === 'ok' ? json.value : text;
}

const toBuffer = (body: string | Buffer): Buffer => (typeof body === 'string' ? Buffer.from(body, 'utf8') : body);

function writeHead(res: ServerResponse, reply: Reply, length: number): void {
  const headers: Record<string, string | readonly string[] | number> = { ...reply.headers, 'Content-Length': length };
  res.writeHead(reply.status, headers as Record<string, string | string[] | number>);
}

/**
 * Writes an answer, or mangles it as a fault says. `onWritten` runs on 'finish' only, so an answer
 * that was cut off never commits anything.
 */
export function writeReply(res: ServerResponse, reply: Reply, fault: OutcomeFault | null): void {
  const body = toBuffer(reply.body);
  if (fault?.kind === 'truncate') {
    // Announce the full length, send half, then drop the connection: a premature close.
    writeHead(res, reply, body.length);
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
    return;
  }
  if (fault?.kind === 'invalidJson') {
    const cut = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
    writeHead(res, reply, cut.length);
    res.end(cut);
    return;
  }
  if (reply.onWritten) res.once('finish', reply.onWritten);
  // Spaces after the answer: still valid JSON or script, only longer.
  const padded = fault?.kind === 'oversize' && fault.bytes > body.length ? Buffer.concat([body, Buffer.alloc(fault.bytes - body.length, 0x20)]) : body;
  writeHead(res, reply, padded.length);
  res.end(padded);
}

/**
 * A misconfigured gateway's error page that quotes the request back, query and Cookie header
 * included (so the page carries the session's secrets). Escaped: it is still HTML.
 */
export function echoingErrorPage(status: number, requestLine: string, cookie: string | undefined): Reply {
  return statusPage(status, `<pre>Request: ${escapeHtml(requestLine)}\nCookie: ${escapeHtml(cookie ?? '')}</pre>`);
}

/** An HTTP error page as a gateway in front of the real servers would send it (`extra`: HTML after the heading). */
export function statusPage(status: number, extra = ''): Reply {
  const text = status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Unavailable' : status === 504 ? 'Gateway Timeout' : 'Internal Server Error';
  return htmlReply(status, `<html><head><title>${status} ${text}</title></head><body><center><h1>${status} ${text}</h1></center>${extra}</body></html>`);
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
