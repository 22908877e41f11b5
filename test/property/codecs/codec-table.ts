/**
 * Every decoder with: how to encode a valid answer, a generator of valid answers, and an explicit
 * check that a decoded value has the type the decoder promises. The properties iterate over it so
 * that a codec added later is covered by adding one row.
 */
import fc from 'fast-check';
import type * as t from 'io-ts';
import {
  BatchGetContactBody,
  decodeBatchGetContact,
  decodeGetContact,
  decodeInit,
  decodeJsLogin,
  decodeLoginPoll,
  decodeNewLoginPage,
  decodePushLogin,
  decodeSendMsg,
  decodeStatusNotify,
  decodeSync,
  decodeSyncCheck,
  encodeJsLogin,
  encodeJsonAnswer,
  encodeLoginPoll,
  encodeNewLoginPage,
  encodePushLogin,
  encodeSyncCheck,
  GetContactBody,
  InitBody,
  SendMsgBody,
  StatusNotifyBody,
  SyncBody,
  Uuid,
  type Answer,
  type BaseResponse,
  type Endpoint,
} from '../../../src/codecs/index.js';
import {
  arbBatchGetContactBody,
  arbFailedAnswer,
  arbGetContactBody,
  arbInitBody,
  arbJsLoginAnswer,
  arbLoginPollAnswer,
  arbNewLoginPageAnswer,
  arbPushLoginAnswer,
  arbSendMsgBody,
  arbStatusNotifyBody,
  arbSyncBody,
  arbSyncCheckAnswer,
} from '../../support/arbitraries.js';

export type Format = 'json' | 'script' | 'xml';

export interface CodecRow {
  readonly endpoint: Endpoint;
  readonly format: Format;
  readonly decode: (body: string) => unknown;
  /** Valid answers as the decoder returns them. */
  readonly valid: fc.Arbitrary<unknown>;
  readonly encode: (value: never) => string;
  /** Does a decoded value have the promised type? */
  readonly typed: (value: unknown) => boolean;
}

const isSafe = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** An Answer<T>: the payload satisfies the io-ts codec, or a non-zero Ret with a string message. */
const answerOf =
  <A>(codec: t.Type<A, unknown, unknown>) =>
  (v: unknown): boolean => {
    if (!isRecord(v)) return false;
    const a = v as Answer<A>;
    return a.ok === true ? codec.is(a.value) : a.ok === false && isSafe(a.ret) && a.ret !== 0 && typeof a.errMsg === 'string';
  };

/** A valid JSON answer is an ok payload (encoded as is) or a refusal. */
const jsonAnswers = <A extends { BaseResponse: BaseResponse }>(ok: fc.Arbitrary<A>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 4, arbitrary: ok.map((value) => ({ ok: true, value })) }, { weight: 1, arbitrary: arbFailedAnswer.map((raw) => ({ raw })) });

const encodeAnswer = (a: { ok: true; value: { BaseResponse: BaseResponse } } | { raw: { BaseResponse: BaseResponse } }): string =>
  encodeJsonAnswer('raw' in a ? a.raw : a.value);

function jsonRow<A extends { BaseResponse: BaseResponse }>(
  endpoint: Endpoint,
  decode: (body: string) => Answer<A>,
  codec: t.Type<A, unknown, unknown>,
  ok: fc.Arbitrary<A>,
): CodecRow {
  return { endpoint, format: 'json', decode, valid: jsonAnswers(ok), encode: encodeAnswer, typed: answerOf(codec) };
}

/** What a valid row's decode must give back: the payload for `ok`, Ret/ErrMsg for a refusal. */
export function expectedDecode(row: CodecRow, value: unknown): unknown {
  if (row.format !== 'json') return value;
  const a = value as { ok: true; value: unknown } | { raw: { BaseResponse: BaseResponse } };
  return 'raw' in a ? { ok: false, ret: a.raw.BaseResponse.Ret, errMsg: a.raw.BaseResponse.ErrMsg ?? '' } : a;
}

const LOGIN_CODES = new Set([408, 201, 200, 400, 500]);

export const CODECS: readonly CodecRow[] = [
  {
    endpoint: 'jslogin',
    format: 'script',
    decode: decodeJsLogin,
    valid: arbJsLoginAnswer,
    encode: encodeJsLogin,
    typed: (v) => isRecord(v) && isSafe(v['code']) && (v['code'] === 200 ? Uuid.is(v['uuid']) : v['uuid'] === undefined),
  },
  {
    endpoint: 'login',
    format: 'script',
    decode: decodeLoginPoll,
    valid: arbLoginPollAnswer,
    encode: encodeLoginPoll,
    typed: (v) => {
      if (!isRecord(v) || !LOGIN_CODES.has(v['code'] as number)) return false;
      if (v['code'] === 201) return v['avatar'] === null || (typeof v['avatar'] === 'string' && v['avatar'] !== '');
      if (v['code'] !== 200) return true;
      const uri = v['redirectUri'];
      // An absolute URL of any scheme: the host rule, not the codec, refuses the non-http(s) ones.
      return typeof uri === 'string' && !/\s/.test(uri) && URL.canParse(uri);
    },
  },
  {
    endpoint: 'webwxnewloginpage',
    format: 'xml',
    decode: decodeNewLoginPage,
    valid: arbNewLoginPageAnswer,
    encode: encodeNewLoginPage,
    typed: (v) => {
      if (!isRecord(v) || !isSafe(v['ret']) || typeof v['message'] !== 'string') return false;
      if (v['ret'] !== 0) return true;
      const text = (k: string, re: RegExp): boolean => typeof v[k] === 'string' && re.test(v[k]);
      return text('skey', /^\S+$/) && text('wxsid', /^\S+$/) && text('wxuin', /^\d{1,15}$/) && text('passTicket', /^\S+$/) && isSafe(v['isgrayscale']);
    },
  },
  {
    endpoint: 'webwxpushloginurl',
    format: 'json',
    decode: decodePushLogin,
    valid: arbPushLoginAnswer,
    encode: encodePushLogin,
    typed: (v) =>
      isRecord(v) && (v['ok'] === true ? Uuid.is(v['uuid']) : v['ok'] === false && typeof v['ret'] === 'string' && v['ret'] !== '0' && typeof v['msg'] === 'string'),
  },
  {
    endpoint: 'synccheck',
    format: 'script',
    decode: decodeSyncCheck,
    valid: arbSyncCheckAnswer,
    encode: encodeSyncCheck,
    typed: (v) => isRecord(v) && isSafe(v['retcode']) && isSafe(v['selector']),
  },
  jsonRow('webwxinit', decodeInit, InitBody, arbInitBody),
  jsonRow('webwxstatusnotify', decodeStatusNotify, StatusNotifyBody, arbStatusNotifyBody),
  jsonRow('webwxgetcontact', decodeGetContact, GetContactBody, arbGetContactBody),
  jsonRow('webwxbatchgetcontact', decodeBatchGetContact, BatchGetContactBody, arbBatchGetContactBody),
  jsonRow('webwxsync', decodeSync, SyncBody, arbSyncBody),
  jsonRow('webwxsendmsg', decodeSendMsg, SendMsgBody, arbSendMsgBody),
];

/** The text of a valid answer of the row. */
export const validText = (row: CodecRow): fc.Arbitrary<string> => row.valid.map((v) => row.encode(v as never));

/** The raw JSON value behind a valid answer of a JSON row (for structural mutations). */
export const validJsonValue = (row: CodecRow): fc.Arbitrary<unknown> => validText(row).map((text) => JSON.parse(text) as unknown);
