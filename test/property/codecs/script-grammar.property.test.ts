import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWindowAssignments, scriptString } from '../../../src/codecs/index.js';

describe('scriptString and the grammar', () => {
  // Invariant: any string written with scriptString, in either quote style, reads back exactly.
  it('reads back any string it wrote', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), fc.constantFrom<'"' | "'">('"', "'"), (s, quote) => {
        expect(parseWindowAssignments(`window.v = ${scriptString(s, quote)};`).get('v')).toBe(s);
      }),
    );
  });

  // Invariant: the parser never throws anything but its ScriptSyntaxError, whatever the text.
  it('throws only ScriptSyntaxError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string().map((s) => `window.${s}`)), (src) => {
        try {
          parseWindowAssignments(src);
        } catch (err) {
          expect((err as Error).name).toBe('ScriptSyntaxError');
        }
      }),
      { numRuns: 500 },
    );
  });
});
