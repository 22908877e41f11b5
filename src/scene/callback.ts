/**
 * The site's callback URL as a framework-agnostic `(request) → response` function:
 *
 * - GET: the platform's one-time URL verification. A valid signature echoes `echostr`.
 * - POST: an event. The signature is checked before the body is even parsed; unsigned or badly
 *   signed requests get 403 and change nothing. A scene scan is handed to the scene service;
 *   unknown scenes and every other event are answered `success` and ignored (the platform
 *   retries anything else, up to three times). Redeliveries are harmless: the machine ignores a
 *   second scan of a scene that has moved on.
 *
 * The signature covers the timestamp and the nonce but not the body, so a signed URL once seen
 * could carry any scan. Two checks close that: a timestamp more than `maxSkewSeconds` from the
 * site's clock is refused (403), and within that window a signature that comes back with another
 * body is refused (replay-guard.ts).
 *
 * Only plain-text mode is handled (the platform's "明文模式"); an encrypted body fails to decode.
 */
import { createHash } from 'node:crypto';
import { decodeCallbackXml, isSceneDecodeError, type FollowKind } from '../codecs/scene.js';
import { createMemoryReplayGuard, type ReplayGuard } from './replay-guard.js';
import type { SceneLoginService } from './scene-service.js';
import { verifyCallbackSignature } from './signature.js';
import { isSceneStoreError } from './store.js';

export interface CallbackRequest {
  readonly method: string;
  /** The query string's parameters (signature, timestamp, nonce, echostr). */
  readonly query: URLSearchParams;
  /** The raw body for POST (UTF-8 text). */
  readonly body?: string;
}

export interface CallbackResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What happened to one callback, for the host's log. Carries no secret and no signature. */
export type CallbackNote =
  | { readonly kind: 'verified' }
  | { readonly kind: 'rejected'; readonly reason: 'signature' | 'method' | 'stale' | 'reused' }
  | { readonly kind: 'badBody'; readonly path: string }
  | { readonly kind: 'ignored'; readonly msgType: string; readonly event: string | null }
  | { readonly kind: 'scan'; readonly sceneId: string; readonly follow: FollowKind; readonly outcome: 'changed' | 'unchanged' | 'unknown' }
  | { readonly kind: 'failed'; readonly code: string };

export interface CallbackHandlerOptions {
  /** The callback token configured on the platform. Secret. */
  readonly token: string;
  readonly service: Pick<SceneLoginService, 'scan'>;
  readonly onNote?: (note: CallbackNote) => void;
  /**
   * How far a callback's `timestamp` may be from this site's clock, either way (default 300 s).
   * `Infinity` turns the check off.
   */
  readonly maxSkewSeconds?: number;
  /** Which signatures were seen (default: this process's memory; use `storeReplayGuard` for several instances). */
  readonly replays?: ReplayGuard;
  readonly now?: () => number;
}

export const DEFAULT_MAX_SKEW_SECONDS = 300;
/** How long a seen signature is remembered when the timestamp check is off. */
const UNCHECKED_MEMORY_MS = 2 * DEFAULT_MAX_SKEW_SECONDS * 1000;

const MAX_ECHOSTR_CHARS = 512;
const TEXT = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' } as const;
const reply = (status: number, body: string): CallbackResponse => ({ status, headers: TEXT, body });

interface Signed {
  readonly timestamp: string;
  readonly nonce: string;
}

function signed(token: string, query: URLSearchParams): Signed | null {
  const single = (name: string): string | null => (query.getAll(name).length === 1 ? query.get(name) : null);
  const signature = single('signature');
  const timestamp = single('timestamp');
  const nonce = single('nonce');
  if (signature === null || timestamp === null || nonce === null) return null;
  return verifyCallbackSignature(token, { signature, timestamp, nonce }) ? { timestamp, nonce } : null;
}

/** The platform's timestamp in ms since the epoch, or null when it is not whole seconds. */
function timestampMs(timestamp: string): number | null {
  return /^\d{1,12}$/.test(timestamp) ? Number(timestamp) * 1000 : null;
}

export function createCallbackHandler(options: CallbackHandlerOptions): (req: CallbackRequest) => Promise<CallbackResponse> {
  const note = (n: CallbackNote): void => {
    try {
      options.onNote?.(n);
    } catch {
      // A broken logger must not change what the platform hears.
    }
  };

  const now = options.now ?? Date.now;
  const maxSkewSeconds = options.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;
  if (!(maxSkewSeconds >= 0)) throw new TypeError('createCallbackHandler: maxSkewSeconds must be a number of seconds ≥ 0');
  const maxSkewMs = maxSkewSeconds * 1000;
  const replays = options.replays ?? createMemoryReplayGuard({ now });
  const refuse = (reason: 'signature' | 'stale' | 'reused'): CallbackResponse => {
    note({ kind: 'rejected', reason });
    return reply(403, 'forbidden');
  };

  return async (req) => {
    const method = req.method.toUpperCase();
    if (method !== 'GET' && method !== 'POST') {
      note({ kind: 'rejected', reason: 'method' });
      return { status: 405, headers: { ...TEXT, allow: 'GET, POST' }, body: 'method not allowed' };
    }
    const request = signed(options.token, req.query);
    if (request === null) return refuse('signature');
    const sentAt = timestampMs(request.timestamp);
    const at = now();
    if (sentAt === null || Math.abs(at - sentAt) > maxSkewMs) return refuse('stale');
    if (method === 'GET') {
      note({ kind: 'verified' });
      return reply(200, (req.query.get('echostr') ?? '').slice(0, MAX_ECHOSTR_CHARS));
    }
    const body = req.body ?? '';
    // Remembered until the timestamp leaves the window; after that the clock refuses it anyway.
    const ttlMs = Number.isFinite(maxSkewMs) ? Math.max(1000, sentAt + maxSkewMs - at + 1000) : UNCHECKED_MEMORY_MS;
    let delivery;
    try {
      delivery = await replays.check(`${request.timestamp}:${request.nonce}`, createHash('sha1').update(body, 'utf8').digest('hex'), ttlMs);
    } catch (err) {
      note({ kind: 'failed', code: isSceneStoreError(err) ? err.code : 'internal' });
      return reply(500, 'retry');
    }
    if (delivery === 'reused') return refuse('reused');
    let event;
    try {
      event = decodeCallbackXml(body);
    } catch (err) {
      note({ kind: 'badBody', path: isSceneDecodeError(err) ? err.path : '(body)' });
      return reply(400, 'bad request');
    }
    if (event.type !== 'sceneScan') {
      note({ kind: 'ignored', msgType: event.msgType, event: event.event });
      return reply(200, 'success');
    }
    const applied = await options.service.scan(event.sceneId, event.openid, event.follow);
    if (!applied.ok) {
      // A non-200 makes the platform deliver the event again, which is what a store hiccup needs.
      note({ kind: 'failed', code: applied.error.code });
      return reply(500, 'retry');
    }
    note({ kind: 'scan', sceneId: event.sceneId, follow: event.follow, outcome: applied.result.outcome });
    return reply(200, 'success');
  };
}
