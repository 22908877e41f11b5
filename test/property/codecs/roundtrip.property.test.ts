import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CODECS, expectedDecode } from './codec-table.js';

describe.each(CODECS.map((row) => [row.endpoint, row] as const))('%s round trip', (_name, row) => {
  // Invariant: decode(encode(x)) = x for every valid answer x, i.e. the encoders the simulator uses
  // write exactly what the decoders read, and decoding loses nothing (unvalidated fields included).
  it('decodes what its encoder wrote to the same value', () => {
    fc.assert(
      fc.property(row.valid, (value) => {
        expect(row.decode(row.encode(value as never))).toEqual(expectedDecode(row, value));
      }),
      { numRuns: 200 },
    );
  });
});
