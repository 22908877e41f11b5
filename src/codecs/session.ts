import * as t from 'io-ts';
import { BaseResponse, decodeJsonAnswer, MsgId, SafeInt, UserName, type Answer } from './common.js';

/** A member of a group as batchgetcontact lists it. */
export const Member = t.intersection([
  t.type({ UserName }),
  t.partial({ NickName: t.string, DisplayName: t.string, AttrStatus: SafeInt, Uin: SafeInt, KeyWord: t.string }),
]);
export type Member = t.TypeOf<typeof Member>;

/**
 * A contact: a person, a group (`@@…`, with MemberList after batchgetcontact) or an official account.
 * Only the fields the engine reads are validated; the rest of the server's fields pass through.
 */
export const Contact = t.intersection([
  t.type({ UserName, NickName: t.string }),
  t.partial({
    Uin: SafeInt,
    HeadImgUrl: t.string,
    RemarkName: t.string,
    ContactFlag: SafeInt,
    VerifyFlag: SafeInt,
    Sex: SafeInt,
    Signature: t.string,
    Alias: t.string,
    MemberCount: SafeInt,
    MemberList: t.array(Member),
    EncryChatRoomId: t.string,
    DisplayName: t.string,
    PYQuanPin: t.string,
    Province: t.string,
    City: t.string,
    KeyWord: t.string,
    StarFriend: SafeInt,
    OwnerUin: SafeInt,
  }),
]);
export type Contact = t.TypeOf<typeof Contact>;

export const SyncKeyItem = t.type({ Key: SafeInt, Val: SafeInt });
export type SyncKeyItem = t.TypeOf<typeof SyncKeyItem>;
export const SyncKey = t.type({ Count: SafeInt, List: t.array(SyncKeyItem) });
export type SyncKey = t.TypeOf<typeof SyncKey>;

export const User = t.intersection([
  t.type({ Uin: SafeInt, UserName, NickName: t.string }),
  t.partial({ HeadImgUrl: t.string, RemarkName: t.string, Sex: SafeInt, Signature: t.string }),
]);
export type User = t.TypeOf<typeof User>;

export const InitBody = t.intersection([
  t.type({ BaseResponse, User, SyncKey, ContactList: t.array(Contact) }),
  t.partial({
    Count: SafeInt,
    SKey: t.string,
    ChatSet: t.string,
    InviteStartCount: SafeInt,
    SystemTime: SafeInt,
    ClientVersion: SafeInt,
    GrayScale: SafeInt,
    MPSubscribeMsgCount: SafeInt,
    MPSubscribeMsgList: t.UnknownArray,
    ClickReportInterval: SafeInt,
  }),
]);
export type InitBody = t.TypeOf<typeof InitBody>;

/** webwxinit: the user, recent chats, the first SyncKey and possibly a fresh SKey. */
export const decodeInit = (body: string): Answer<InitBody> => decodeJsonAnswer('webwxinit', InitBody, body);

export const StatusNotifyBody = t.intersection([t.type({ BaseResponse }), t.partial({ MsgID: t.union([MsgId, t.literal('')]) })]);
export type StatusNotifyBody = t.TypeOf<typeof StatusNotifyBody>;

export const decodeStatusNotify = (body: string): Answer<StatusNotifyBody> =>
  decodeJsonAnswer('webwxstatusnotify', StatusNotifyBody, body);

export const GetContactBody = t.intersection([
  t.type({ BaseResponse, MemberList: t.array(Contact) }),
  t.partial({ MemberCount: SafeInt, Seq: SafeInt }),
]);
export type GetContactBody = t.TypeOf<typeof GetContactBody>;

/** webwxgetcontact: one page; page again with `Seq` until it is 0 (absent counts as 0). */
export const decodeGetContact = (body: string): Answer<GetContactBody> =>
  decodeJsonAnswer('webwxgetcontact', GetContactBody, body);

export const BatchGetContactBody = t.intersection([
  t.type({ BaseResponse, ContactList: t.array(Contact) }),
  t.partial({ Count: SafeInt }),
]);
export type BatchGetContactBody = t.TypeOf<typeof BatchGetContactBody>;

/** webwxbatchgetcontact: groups with their MemberList, at most 50 asked per call. */
export const decodeBatchGetContact = (body: string): Answer<BatchGetContactBody> =>
  decodeJsonAnswer('webwxbatchgetcontact', BatchGetContactBody, body);

/** Only BaseResponse matters in answers such as webwxlogout's (often an empty body). */
export const BaseOnlyBody = t.type({ BaseResponse });
