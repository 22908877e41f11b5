import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { DecodeError, pathOfErrors, reasonOfErrors, type Endpoint } from './errors.js';
import { guardOf } from './guard.js';

/** Bodies larger than this are refused before parsing (contacts are paged by the server). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Script and XML answers are small; a larger one is hostile or broken. */
export const MAX_SMALL_BODY_CHARS = 1024 * 1024;

export interface SafeIntBrand {
  readonly SafeInt: unique symbol;
}
/** An integer JSON.parse can hold exactly; absurd values (1e400, 2^60) are rejected, not rounded. */
export const SafeInt = t.brand(
  t.number,
  (n): n is t.Branded<number, SafeIntBrand> => Number.isSafeInteger(n),
  'SafeInt',
);
export type SafeInt = t.TypeOf<typeof SafeInt>;

export interface UuidBrand {
  readonly Uuid: unique symbol;
}
/** The login uuid (base64-ish, e.g. `gYmByqjV8Q==`). */
export const Uuid = t.brand(
  t.string,
  (s): s is t.Branded<string, UuidBrand> => /^[0-9A-Za-z_\-=+/]{1,64}$/.test(s),
  'Uuid',
);
export type Uuid = t.TypeOf<typeof Uuid>;

export interface UserNameBrand {
  readonly UserName: unique symbol;
}
/** A session-scoped user id: `@…` for people, `@@…` for groups, plain names for system accounts. */
export const UserName = t.brand(t.string, (s): s is t.Branded<string, UserNameBrand> => true, 'UserName');
export type UserName = t.TypeOf<typeof UserName>;

export interface MsgIdBrand {
  readonly MsgId: unique symbol;
}
/** A message id as the decimal string the server sends (NewMsgId loses precision as a number). */
export const MsgId = t.brand(
  t.string,
  (s): s is t.Branded<string, MsgIdBrand> => s.length > 0 && s.length <= 32,
  'MsgId',
);
export type MsgId = t.TypeOf<typeof MsgId>;

/** Casts a trusted string to a brand (for encoders, tests and the simulator). */
export const asUuid = (s: string): Uuid => s as Uuid;
export const asUserName = (s: string): UserName => s as UserName;
export const asMsgId = (s: string): MsgId => s as MsgId;

export const BaseResponse = t.intersection([
  t.type({ Ret: SafeInt }),
  t.partial({ ErrMsg: t.string }),
]);
export type BaseResponse = t.TypeOf<typeof BaseResponse>;

/** What a JSON endpoint answered: its payload when Ret is 0, otherwise the server's refusal. */
export type Answer<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly ret: number; readonly errMsg: string };

export function validate<A, O>(endpoint: Endpoint, codec: t.Type<A, O, unknown>, value: unknown, body: string): A {
  // The compiled guard accepts exactly what io-ts accepts, and io-ts gives such input back
  // unchanged; io-ts itself only runs to describe a failure (see guard.ts).
  const guard = guardOf(codec);
  if (guard !== null && guard(value)) return value as A;
  const result = codec.decode(value);
  if (isLeft(result)) throw new DecodeError(endpoint, pathOfErrors(result.left), reasonOfErrors(result.left), body);
  return result.right;
}

export function parseJson(endpoint: Endpoint, body: string): unknown {
  if (body.length > MAX_BODY_BYTES) throw new DecodeError(endpoint, '(body)', `larger than ${MAX_BODY_BYTES} bytes`);
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new DecodeError(endpoint, '(body)', 'not JSON', body);
  }
}

const BaseOnly = t.type({ BaseResponse });

/**
 * Decodes a JSON answer that carries `BaseResponse`. A non-zero Ret is an answer, not a decode
 * failure: the rest of such a body is often empty or zeroed, so it is not validated.
 */
export function decodeJsonAnswer<A, O>(endpoint: Endpoint, codec: t.Type<A, O, unknown>, body: string): Answer<A> {
  const json = parseJson(endpoint, body);
  const base = validate(endpoint, BaseOnly, json, body).BaseResponse;
  if (base.Ret !== 0) return { ok: false, ret: base.Ret, errMsg: base.ErrMsg ?? '' };
  return { ok: true, value: validate(endpoint, codec, json, body) };
}

/** Encodes a JSON answer the way the server writes it (used by the simulator and the tests). */
export function encodeJsonAnswer<T extends { readonly BaseResponse: BaseResponse }>(value: T): string {
  return JSON.stringify(value);
}

export const okBase = (): BaseResponse => ({ Ret: 0 as SafeInt, ErrMsg: '' });
export const int = (n: number): SafeInt => n as SafeInt;
