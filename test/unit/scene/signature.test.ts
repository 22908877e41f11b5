import { describe, expect, it } from 'vitest';
import { callbackSignature, verifyCallbackSignature } from '../../../src/scene/signature.js';

describe('callback signature', () => {
  it('is sha1 of the sorted token, timestamp and nonce (vector computed with sha1sum)', () => {
    // sort(["token", "1409304348", "xxxxxx"]).join("") = "1409304348tokenxxxxxx"
    expect(callbackSignature('token', '1409304348', 'xxxxxx')).toBe('f43b4a6571a6552356f482636e5a77e7fa33dcc9');
    // The nonce sorts before the token here: order is by value, not by role.
    expect(callbackSignature('abcdefghijklmn', '1409304348', '5678')).toBe('10cb6ef7a16d70cd7a3891b0d73095354353a977');
  });

  it('accepts the right signature in either case and refuses everything else', () => {
    const signature = callbackSignature('tok', '100', 'n1');
    expect(verifyCallbackSignature('tok', { timestamp: '100', nonce: 'n1', signature })).toBe(true);
    expect(verifyCallbackSignature('tok', { timestamp: '100', nonce: 'n1', signature: signature.toUpperCase() })).toBe(true);
    expect(verifyCallbackSignature('other', { timestamp: '100', nonce: 'n1', signature })).toBe(false);
    expect(verifyCallbackSignature('tok', { timestamp: '101', nonce: 'n1', signature })).toBe(false);
    expect(verifyCallbackSignature('tok', { timestamp: '100', nonce: 'n2', signature })).toBe(false);
    expect(verifyCallbackSignature('tok', { timestamp: '100', nonce: 'n1', signature: signature.slice(1) })).toBe(false);
    expect(verifyCallbackSignature('tok', { timestamp: '100', nonce: 'n1', signature: '' })).toBe(false);
    expect(verifyCallbackSignature('tok', { timestamp: '100', nonce: 'n1', signature: `${signature.slice(0, 39)}g` })).toBe(false);
  });
});
