import * as t from 'io-ts';
import { BaseResponse, decodeJsonAnswer, MAX_SMALL_BODY_CHARS, MsgId, SafeInt, UserName, type Answer } from './common.js';
import { DecodeError } from './errors.js';
import { Contact, SyncKey } from './session.js';
import { parseWindowAssignments, ScriptSyntaxError, type ScriptValue } from './text.js';

// ---------------------------------------------------------------------------------------------
// synccheck

export interface SyncCheckAnswer {
  /** 0 fine · 1100 logged out from the phone · 1101 session invalid · 1102 server demands logout. */
  readonly retcode: number;
  /** 0 nothing · 2 messages · 4 contacts · 6 other · 7 phone activity · 3 undocumented. */
  readonly selector: number;
}

function intValue(value: ScriptValue | undefined, path: string, body: string): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^-?\d{1,10}$/.test(text)) throw new DecodeError('synccheck', path, 'expected an integer string', body);
  return Number(text);
}

/** `window.synccheck={retcode:"0",selector:"2"}` (values are strings; numbers are tolerated). */
export function decodeSyncCheck(body: string): SyncCheckAnswer {
  if (body.length > MAX_SMALL_BODY_CHARS) throw new DecodeError('synccheck', '(body)', 'too large');
  let vars: Map<string, ScriptValue>;
  try {
    vars = parseWindowAssignments(body);
  } catch (err) {
    if (err instanceof ScriptSyntaxError) throw new DecodeError('synccheck', '(body)', err.message, body);
    throw err;
  }
  const obj = vars.get('synccheck');
  if (obj === undefined || typeof obj !== 'object') throw new DecodeError('synccheck', 'synccheck', 'expected an object', body);
  return {
    retcode: intValue(obj['retcode'], 'synccheck.retcode', body),
    selector: intValue(obj['selector'], 'synccheck.selector', body),
  };
}

export function encodeSyncCheck(answer: SyncCheckAnswer): string {
  return `window.synccheck={retcode:"${answer.retcode}",selector:"${answer.selector}"}`;
}

/** The synccheck `synckey` parameter: `1_652651920|2_652651939|3_652651904|1000_0`. */
export function formatSyncKey(key: SyncKey): string {
  return key.List.map((k) => `${k.Key}_${k.Val}`).join('|');
}

/** The same position: the same object, or the same keys and values in the same order. */
export const sameKey = (a: SyncKey | null, b: SyncKey | null): boolean =>
  a === b || (a !== null && b !== null && formatSyncKey(a) === formatSyncKey(b));

// ---------------------------------------------------------------------------------------------
// webwxsync

export const RecommendInfo = t.partial({
  UserName: t.string,
  NickName: t.string,
  Ticket: t.string,
  Content: t.string,
  Sex: SafeInt,
  Scene: SafeInt,
  VerifyFlag: SafeInt,
});

/** A message as webwxsync lists it in AddMsgList. */
export const RawMessage = t.intersection([
  t.type({
    MsgId,
    FromUserName: UserName,
    ToUserName: UserName,
    MsgType: SafeInt,
    Content: t.string,
    CreateTime: SafeInt,
  }),
  t.partial({
    NewMsgId: t.number,
    StatusNotifyCode: SafeInt,
    StatusNotifyUserName: t.string,
    RecommendInfo,
    AppMsgType: SafeInt,
    Url: t.string,
    FileName: t.string,
    FileSize: t.union([t.string, t.number]),
    MediaId: t.string,
    ImgWidth: SafeInt,
    ImgHeight: SafeInt,
    PlayLength: SafeInt,
    VoiceLength: SafeInt,
    SubMsgType: SafeInt,
    Status: SafeInt,
    ImgStatus: SafeInt,
    ForwardFlag: SafeInt,
    AppInfo: t.partial({ Type: SafeInt, AppID: t.string }),
  }),
]);
export type RawMessage = t.TypeOf<typeof RawMessage>;

export const DelContact = t.intersection([t.type({ UserName }), t.partial({ ContactFlag: SafeInt })]);
export type DelContact = t.TypeOf<typeof DelContact>;

export const SyncBody = t.intersection([
  t.type({ BaseResponse, AddMsgList: t.array(RawMessage), SyncKey }),
  t.partial({
    AddMsgCount: SafeInt,
    ModContactCount: SafeInt,
    ModContactList: t.array(Contact),
    DelContactCount: SafeInt,
    DelContactList: t.array(DelContact),
    ModChatRoomMemberCount: SafeInt,
    ModChatRoomMemberList: t.UnknownArray,
    SyncCheckKey: SyncKey,
    ContinueFlag: SafeInt,
    SKey: t.string,
  }),
]);
export type SyncBody = t.TypeOf<typeof SyncBody>;

/** webwxsync: new messages, contact deltas, the next SyncKey and SyncCheckKey, ContinueFlag. */
export const decodeSync = (body: string): Answer<SyncBody> => decodeJsonAnswer('webwxsync', SyncBody, body);

/**
 * The key to keep after an answer: the new one unless it is empty (Count 0 or no items), since
 * the server sometimes answers an empty key and replacing ours with it would lose our place.
 */
export function nextSyncKey(current: SyncKey, answered: SyncKey | undefined): SyncKey {
  return answered !== undefined && answered.Count > 0 && answered.List.length > 0 ? answered : current;
}
