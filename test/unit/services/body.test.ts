import { brotliCompressSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../../src/services/body.js';
import { ServiceFailure } from '../../../src/services/errors.js';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return err instanceof ServiceFailure ? err.code : 'not a ServiceFailure';
  }
  return 'no error';
};

describe('decodeBody', () => {
  // Invariant: any text, sent plain or with stacked encodings, comes back exactly as UTF-8 text.
  it('undoes stacked encodings from the last one back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const raw = Buffer.from(text, 'utf8');
        expect(decodeBody('webwxsync', raw, undefined, 1 << 20)).toBe(text);
        expect(decodeBody('webwxsync', gzipSync(raw), 'gzip', 1 << 20)).toBe(text);
        expect(decodeBody('webwxsync', brotliCompressSync(gzipSync(raw)), 'gzip, br', 1 << 20)).toBe(text);
        expect(decodeBody('webwxsync', raw, 'identity', 1 << 20)).toBe(text);
      }),
      { numRuns: 50 },
    );
  });

  it('reads bytes as UTF-8 whatever they look like, dropping a BOM', () => {
    expect(decodeBody('webwxinit', Buffer.from([0xef, 0xbb, 0xbf, 0xe4, 0xbd, 0xa0]), undefined, 100)).toBe('你');
    expect(decodeBody('webwxinit', Buffer.from([0x61, 0xff, 0x62]), undefined, 100)).toBe('a\ufffdb');
  });

  it('caps the decoded size, not the wire size', () => {
    const text = Buffer.alloc(1000, 0x61);
    expect(decodeBody('webwxinit', text, undefined, 1000)).toHaveLength(1000);
    expect(codeOf(() => decodeBody('webwxinit', text, undefined, 999))).toBe('tooLarge');
    expect(codeOf(() => decodeBody('webwxinit', gzipSync(text), 'gzip', 999))).toBe('tooLarge');
    expect(decodeBody('webwxinit', gzipSync(text), 'gzip', 1000)).toHaveLength(1000);
  });

  it('an unknown or broken encoding is badResponse', () => {
    expect(codeOf(() => decodeBody('synccheck', Buffer.from('x'), 'compress', 100))).toBe('badResponse');
    expect(codeOf(() => decodeBody('synccheck', Buffer.from('x'), 'br', 100))).toBe('badResponse');
  });
});
