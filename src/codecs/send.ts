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
 * `last` makes ids strictly increasing, so two sends in one millisecond still differ.
 */
export function makeClientMsgId(nowMs: number, random: () => number, last?: string): string {
  const candidate = `${Math.floor(nowMs)}${String(Math.floor(random() * 10_000)).padStart(4, '0')}`;
  if (last !== undefined && candidate.length === last.length && candidate <= last) {
    return (BigInt(last) + 1n).toString();
  }
  return candidate;
}
