import { redactSecrets } from '../codecs/redact.js';

/**
 * Field names whose values are secrets wherever they appear: in the machine's context, in
 * events (`xstate.done.actor.*` outputs carry credentials), in promise actors' inputs.
 * `redirectUri` carries the single-use login ticket.
 */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  'credentials',
  'skey',
  'Skey',
  'SKey',
  'wxsid',
  'Sid',
  'sid',
  'passTicket',
  'pass_ticket',
  'PassTicket',
  'cookies',
  'cookie',
  'Cookie',
  'redirectUri',
  'redirect_uri',
  'ticket',
  'Ticket',
  'webwx_data_ticket',
  'webwx_auth_ticket',
  'BaseRequest',
  'DeviceID',
  'deviceId',
  'wxuin',
]);

export const REDACTED = '***';
const MAX_DEPTH = 24;

/**
 * A deep copy of `value` fit for display anywhere (inspector, --record, the web console):
 * secret fields replaced, every string passed through redactSecrets, cycles and functions
 * dropped. Plain data in, plain data out.
 */
export function sanitizeForDisplay(value: unknown): unknown {
  return sanitize(value, 0, new WeakSet());
}

function sanitize(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  if (depth >= MAX_DEPTH || seen.has(value)) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => sanitize(item, depth + 1, seen));
  if (value instanceof Error) return { name: value.name, message: redactSecrets(value.message), code: (value as { code?: unknown }).code };
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (SECRET_KEYS.has(key)) {
      own(out, key, item === null || item === undefined ? item : REDACTED);
      continue;
    }
    const clean = sanitize(item, depth + 1, seen);
    if (clean !== undefined) own(out, key, clean);
  }
  return out;
}

/** An own property even for `__proto__` (JSON from the network may hold one; assignment would drop it). */
function own(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
