/**
 * The site's callback URL as a framework-agnostic `(request) → response` function:
 *
 * - GET: the platform's one-time URL verification. A valid signature echoes `echostr`.
 * - POST: an event. The signature is checked before the body is even parsed; unsigned or badly
 *   signed requests get 403 and change nothing. A scene scan is handed to the scene service;
 *   unknown scenes and every other event are answered `success` and ignored (the platform
 *   retries anything else, up to three times). Replays are harmless: the machine ignores a second
 *   scan of a scene that has moved on.
 *
 * Only plain-text mode is handled (the platform's "明文模式"); an encrypted body fails to decode.
 */
import { decodeCallbackXml, isSceneDecodeError, type FollowKind } from '../codecs/scene.js';
import type { SceneLoginService } from './scene-service.js';
import { verifyCallbackSignature } from './signature.js';

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
  | { readonly kind: 'rejected'; readonly reason: 'signature' | 'method' }
  | { readonly kind: 'badBody'; readonly path: string }
  | { readonly kind: 'ignored'; readonly msgType: string; readonly event: string | null }
  | { readonly kind: 'scan'; readonly sceneId: string; readonly follow: FollowKind; readonly outcome: 'changed' | 'unchanged' | 'unknown' }
  | { readonly kind: 'failed'; readonly code: string };

export interface CallbackHandlerOptions {
  /** The callback token configured on the platform. Secret. */
  readonly token: string;
  readonly service: Pick<SceneLoginService, 'scan'>;
  readonly onNote?: (note: CallbackNote) => void;
}

const MAX_ECHOSTR_CHARS = 512;
const TEXT = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' } as const;
const reply = (status: number, body: string): CallbackResponse => ({ status, headers: TEXT, body });

function signed(token: string, query: URLSearchParams): boolean {
  const single = (name: string): string | null => (query.getAll(name).length === 1 ? query.get(name) : null);
  const signature = single('signature');
  const timestamp = single('timestamp');
  const nonce = single('nonce');
  if (signature === null || timestamp === null || nonce === null) return false;
  return verifyCallbackSignature(token, { signature, timestamp, nonce });
}

export function createCallbackHandler(options: CallbackHandlerOptions): (req: CallbackRequest) => Promise<CallbackResponse> {
  const note = (n: CallbackNote): void => {
    try {
      options.onNote?.(n);
    } catch {
      // A broken logger must not change what the platform hears.
    }
  };

  return async (req) => {
    const method = req.method.toUpperCase();
    if (method !== 'GET' && method !== 'POST') {
      note({ kind: 'rejected', reason: 'method' });
      return { status: 405, headers: { ...TEXT, allow: 'GET, POST' }, body: 'method not allowed' };
    }
    if (!signed(options.token, req.query)) {
      note({ kind: 'rejected', reason: 'signature' });
      return reply(403, 'forbidden');
    }
    if (method === 'GET') {
      note({ kind: 'verified' });
      return reply(200, (req.query.get('echostr') ?? '').slice(0, MAX_ECHOSTR_CHARS));
    }
    let event;
    try {
      event = decodeCallbackXml(req.body ?? '');
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
