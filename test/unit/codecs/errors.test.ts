import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { DecodeError, decodeSync, excerptOf, isDecodeError, pathOfErrors, reasonOfErrors, SafeInt } from '../../../src/codecs/index.js';

function errorsOf(codec: t.Mixed, value: unknown): t.Errors {
  const result = codec.decode(value);
  if (!isLeft(result)) throw new Error('expected a failure');
  return result.left;
}

describe('DecodeError', () => {
  it('is a plain value with code, endpoint, path, excerpt and message, and serialises to them', () => {
    const err = new DecodeError('webwxsync', 'AddMsgList.3.MsgId', 'expected MsgId, got number', '{"AddMsgList": []}');
    expect(isDecodeError(err)).toBe(true);
    expect(err).toBeInstanceOf(Error);
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      code: 'badResponse',
      endpoint: 'webwxsync',
      path: 'AddMsgList.3.MsgId',
      excerpt: '{"AddMsgList": []}',
      message: 'webwxsync: bad response at AddMsgList.3.MsgId: expected MsgId, got number',
    });
    expect(isDecodeError(new Error('x'))).toBe(false);
  });

  it('the reason names the expected type and what came, never the value itself', () => {
    let caught: unknown;
    try {
      decodeSync('{"BaseResponse":{"Ret":0},"AddMsgList":[],"SyncKey":{"Count":"S3cretValue","List":[]}}');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DecodeError);
    expect((caught as DecodeError).message).toBe('webwxsync: bad response at SyncKey.Count: expected SafeInt, got string');
  });
});

describe('excerptOf', () => {
  it('collapses white space and cuts to 80 characters with an ellipsis', () => {
    expect(excerptOf('  a \n\n b\t c  ')).toBe('a b c');
    const long = excerptOf('x'.repeat(500));
    expect(long).toBe(`${'x'.repeat(80)}…`);
  });

  it('masks secrets before cutting', () => {
    expect(excerptOf('{"SKey":"@crypt_1234abcd_0123456789abcdef0123456789abcdef","Ret":1}')).toBe('{"SKey":"***","Ret":1}');
  });
});

describe('pathOfErrors and reasonOfErrors', () => {
  const Item = t.intersection([t.type({ Id: t.string }), t.partial({ N: SafeInt })]);
  const Body = t.intersection([t.type({ List: t.array(Item) }), t.partial({ Flag: t.union([t.string, t.number]) })]);

  it('skip the index keys of intersections and unions, keep field names and array indexes', () => {
    expect(pathOfErrors(errorsOf(Body, { List: [{ Id: 'a' }, { Id: 'b', N: 1.5 }] }))).toBe('List.1.N');
    expect(pathOfErrors(errorsOf(Body, { List: [], Flag: null }))).toBe('Flag');
    expect(pathOfErrors(errorsOf(Body, 'not an object'))).toBe('(body)');
  });

  it('describe the first failure by type and kind of value', () => {
    expect(reasonOfErrors(errorsOf(Body, { List: [{ Id: 7 }] }))).toBe('expected string, got number');
    expect(reasonOfErrors(errorsOf(Body, { List: null }))).toMatch(/got null$/);
    expect(reasonOfErrors(errorsOf(Body, {}))).toMatch(/got nothing$/);
  });
});
