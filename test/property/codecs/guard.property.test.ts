/**
 * The compiled guards (src/codecs/guard.ts) stand in for io-ts on the decode hot path. These
 * properties prove the stand-in exact: it accepts precisely what io-ts accepts, what it accepts
 * io-ts would give back unchanged, and a refused answer reports the path io-ts reports.
 */
import fc from 'fast-check';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import {
  BaseResponse,
  BatchGetContactBody,
  Contact,
  DecodeError,
  decodeGetContact,
  GetContactBody,
  guardOf,
  InitBody,
  Member,
  pathOfErrors,
  RawMessage,
  SendMsgBody,
  StatusNotifyBody,
  SyncBody,
  SyncKey,
  User,
} from '../../../src/codecs/index.js';
import {
  arbBatchGetContactBody,
  arbContact,
  arbGetContactBody,
  arbInitBody,
  arbMember,
  arbRawMessage,
  arbSendMsgBody,
  arbStatusNotifyBody,
  arbSyncBody,
  arbSyncKey,
  arbUser,
  mutateJson,
  type JsonMutation,
} from '../../support/arbitraries.js';

/** A valid value changed in one place (structurally: no truncation), parsed back from JSON. */
const nearMissValue = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc
    .tuple(valid, fc.constantFrom<JsonMutation>('delete', 'wrongType', 'huge'), fc.nat(), fc.nat())
    .map(([value, kind, choice, wrong]) => JSON.parse(mutateJson(value, kind, choice, wrong)) as unknown);

const ROWS: readonly (readonly [string, t.Mixed, fc.Arbitrary<unknown>])[] = [
  ['GetContactBody', GetContactBody, arbGetContactBody],
  ['BatchGetContactBody', BatchGetContactBody, arbBatchGetContactBody],
  ['InitBody', InitBody, arbInitBody],
  ['SyncBody', SyncBody, arbSyncBody],
  ['StatusNotifyBody', StatusNotifyBody, arbStatusNotifyBody],
  ['SendMsgBody', SendMsgBody, arbSendMsgBody],
  ['Contact', Contact, arbContact],
  ['Member', Member, arbMember],
  ['RawMessage', RawMessage, arbRawMessage],
  ['SyncKey', SyncKey, arbSyncKey],
  ['User', User, arbUser],
  ['BaseResponse', BaseResponse, fc.record({ Ret: fc.integer(), ErrMsg: fc.string() }, { requiredKeys: ['Ret'] })],
];

describe.each(ROWS)('guard of %s', (_name, codec, valid) => {
  const guard = guardOf(codec);

  it('is compiled (the codec is inside the supported subset)', () => {
    expect(guard).not.toBeNull();
  });

  // Invariant: guard(x) ⇔ io-ts decode(x) succeeds, and on success io-ts returns x itself — so
  // returning x when the guard holds is exactly io-ts's answer. Inputs: valid values, values
  // changed in one place, and arbitrary JSON.
  it('accepts exactly what io-ts accepts, and io-ts returns accepted input unchanged', () => {
    const input = fc.oneof(
      valid.map((v) => JSON.parse(JSON.stringify(v)) as unknown),
      nearMissValue(valid),
      fc.jsonValue(),
    );
    fc.assert(
      fc.property(input, (x) => {
        const decoded = codec.decode(x);
        expect(guard!(x)).toBe(isRight(decoded));
        if (isRight(decoded)) expect(decoded.right).toBe(x);
      }),
      { numRuns: 400 },
    );
  });
});

describe('decodeGetContact on the fast path', () => {
  // Invariant: a refused contact list is reported at the very path plain io-ts reports.
  it('reports the io-ts path for any broken contact list', () => {
    fc.assert(
      fc.property(nearMissValue(arbGetContactBody.map((b) => ({ ...b, BaseResponse: { Ret: 0 } }))), (x) => {
        const text = JSON.stringify(x);
        const plain = GetContactBody.decode(JSON.parse(text));
        let error: DecodeError | null = null;
        try {
          decodeGetContact(text);
        } catch (err) {
          if (!(err instanceof DecodeError)) throw err;
          error = err;
        }
        const baseOk = typeof x === 'object' && x !== null && BaseResponse.is((x as { BaseResponse?: unknown }).BaseResponse);
        const refusedByRet = baseOk && (x as { BaseResponse: { Ret: number } }).BaseResponse.Ret !== 0;
        if (isLeft(plain) && !refusedByRet && baseOk) expect(error?.path).toBe(pathOfErrors(plain.left));
        if (isRight(plain)) expect(error).toBeNull();
      }),
      { numRuns: 400 },
    );
  });
});
