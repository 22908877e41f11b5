/**
 * The callback signature of the official-account platform:
 * `signature = sha1(sort([token, timestamp, nonce]).join(""))`, lowercase hex. The token is the
 * site's callback token (a secret shared with the platform), never sent over the wire.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function callbackSignature(token: string, timestamp: string, nonce: string): string {
  // Plain code-unit order, as the platform's own samples sort.
  const joined = [token, timestamp, nonce].sort().join('');
  return createHash('sha1').update(joined, 'utf8').digest('hex');
}

const HEX_SHA1 = /^[0-9a-f]{40}$/;

/** Constant-time check, so the comparison does not tell an attacker how much of a guess was right. */
export function verifyCallbackSignature(token: string, params: { timestamp: string; nonce: string; signature: string }): boolean {
  const given = params.signature.toLowerCase();
  if (!HEX_SHA1.test(given)) return false;
  const expected = callbackSignature(token, params.timestamp, params.nonce);
  return timingSafeEqual(Buffer.from(given, 'ascii'), Buffer.from(expected, 'ascii'));
}
