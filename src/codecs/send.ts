import * as t from 'io-ts';
import { BaseResponse, decodeJsonAnswer, MsgId, type Answer } from './common.js';

export const SendMsgBody = t.intersection([
  t.type({ BaseResponse, MsgID: MsgId }),
  t.partial({ LocalID: t.string }),
]);
export type SendMsgBody = t.TypeOf<typeof SendMsgBody>;

/** webwxsendmsg: the server's MsgID for the message and our LocalID echoed back. */
export const decodeSendMsg = (body: string): Answer<SendMsgBody> => decodeJsonAnswer('webwxsendmsg', SendMsgBody, body);

/**
 * A ClientMsgId/LocalID in the web client's format: the ms timestamp followed by 4 random digits.
 * `last` makes ids strictly increasing, so two sends in one millisecond still differ; a `last`
 * that is not a decimal id (a damaged stored session) is ignored rather than thrown on.
 */
export function makeClientMsgId(nowMs: number, random: () => number, last?: string): string {
  const r = random();
  // Clamped: a custom source may return 1 (or junk), which would add a fifth digit.
  const digits = Number.isFinite(r) ? Math.min(9_999, Math.max(0, Math.floor(r * 10_000))) : 0;
  const ms = Number.isFinite(nowMs) ? Math.max(0, Math.floor(nowMs)) : 0;
  const candidate = `${ms}${String(digits).padStart(4, '0')}`;
  if (last !== undefined && /^\d{1,40}$/.test(last) && BigInt(candidate) <= BigInt(last)) {
    return (BigInt(last) + 1n).toString();
  }
  return candidate;
}
