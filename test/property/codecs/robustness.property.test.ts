import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../src/codecs/index.js';
import { arbHostileText, arbNearMissJson, arbNearMissText } from '../../support/arbitraries.js';
import { CODECS, validJsonValue, validText, type CodecRow } from './codec-table.js';

/**
 * Runs a decoder on text and reports what happened. Anything thrown that is not a DecodeError
 * for this endpoint fails the property; so does a returned value of the wrong type.
 */
function decodeOutcome(row: CodecRow, text: string): 'decoded' | 'refused' {
  let value: unknown;
  try {
    value = row.decode(text);
  } catch (err) {
    if (!(err instanceof DecodeError)) throw new Error(`${row.endpoint} threw a non-DecodeError: ${String(err)}`);
    expect(err.code).toBe('badResponse');
    expect(err.endpoint).toBe(row.endpoint);
    expect(err.path.length).toBeGreaterThan(0);
    expect(typeof err.excerpt).toBe('string');
    return 'refused';
  }
  if (!row.typed(value)) throw new Error(`${row.endpoint} returned a value of the wrong type: ${JSON.stringify(value)}`);
  return 'decoded';
}

describe.each(CODECS.map((row) => [row.endpoint, row] as const))('%s decoder on bad input', (_name, row) => {
  // Invariant: arbitrary text (strings, JSON, any value stringified) never makes a decoder throw
  // anything but its DecodeError, and whatever it returns has the promised type.
  it('throws only DecodeError on arbitrary text', () => {
    fc.assert(fc.property(arbHostileText, (text) => void decodeOutcome(row, text)), { numRuns: 300 });
  });

  // Invariant: one change to a valid answer (a field deleted, a wrong type, a huge number, the text
  // cut short, a grammar token inserted) gives a typed value or a DecodeError, never a crash.
  it('throws only DecodeError on near-miss answers', () => {
    const nearMiss = row.format === 'json' ? fc.oneof(arbNearMissJson(validJsonValue(row)), arbNearMissText(validText(row))) : arbNearMissText(validText(row));
    fc.assert(fc.property(nearMiss, (text) => void decodeOutcome(row, text)), { numRuns: 300 });
  });
});

describe('near-miss answers are refused where the protocol requires a field', () => {
  // Invariant: a deleted required field is reported at that field's path, not silently accepted.
  it.each([
    ['webwxsync', '{"BaseResponse":{"Ret":0},"AddMsgList":[],"SyncKey":{"Count":0}}', 'SyncKey.List'],
    ['webwxinit', '{"BaseResponse":{"Ret":0},"User":{"Uin":1,"UserName":"@a"},"SyncKey":{"Count":0,"List":[]},"ContactList":[]}', 'User.NickName'],
    ['webwxgetcontact', '{"BaseResponse":{"Ret":0},"MemberList":[{"UserName":"@a","NickName":"x"},{"UserName":"@b"}]}', 'MemberList.1.NickName'],
    ['webwxsendmsg', '{"BaseResponse":{"Ret":0}}', 'MsgID'],
  ])('%s: %s → %s', (endpoint, body, path) => {
    const row = CODECS.find((r) => r.endpoint === endpoint)!;
    expect(() => row.decode(body)).toThrow(DecodeError);
    try {
      row.decode(body);
    } catch (err) {
      expect((err as DecodeError).path).toBe(path);
    }
  });
});
