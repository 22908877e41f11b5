/**
 * fast-check generators of valid protocol answers (as the codecs' decoded values) and of hostile
 * or nearly-valid answer text. Shared by the codec properties, the simulator's tests and anyone
 * who needs realistic random answers.
 */
import fc from 'fast-check';
import {
  asMsgId,
  asUserName,
  asUuid,
  int,
  type BaseResponse,
  type BatchGetContactBody,
  type Contact,
  type GetContactBody,
  type InitBody,
  type JsLoginAnswer,
  type LoginPollAnswer,
  type Member,
  type MsgId,
  type NewLoginPageAnswer,
  type PushLoginAnswer,
  type RawMessage,
  type SafeInt,
  type SendMsgBody,
  type StatusNotifyBody,
  type SyncBody,
  type SyncCheckAnswer,
  type SyncKey,
  type User,
  type UserName,
  type Uuid,
} from '../../src/codecs/index.js';

// ---------------------------------------------------------------------------------------------
// Scalars

const chars = (alphabet: string): fc.Arbitrary<string> => fc.constantFrom(...alphabet.split(''));
const HEX = '0123456789abcdef';
const DIGITS = '0123456789';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export const arbHex = (length: number): fc.Arbitrary<string> => fc.string({ unit: chars(HEX), minLength: length, maxLength: length });
export const arbDigits = (min: number, max = min): fc.Arbitrary<string> =>
  fc.tuple(chars('123456789'), fc.string({ unit: chars(DIGITS), minLength: min - 1, maxLength: max - 1 })).map(([a, b]) => a + b);

/** Any integer a SafeInt accepts, biased to the 32-bit values the server really sends. */
export const arbSafeInt: fc.Arbitrary<SafeInt> = fc
  .oneof(fc.integer(), fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }))
  .map(int);
export const arbSmallInt = (min = 0, max = 100_000): fc.Arbitrary<SafeInt> => fc.integer({ min, max }).map(int);

/** Free text as nicknames, signatures and message bodies hold it: ASCII, CJK, emoji, entities, spans. */
export const arbText: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom(
    '',
    'Urinx',
    '我是二蛋',
    'Apt-get install B',
    'Tom &amp; Jerry',
    '<span class="emoji emoji1f604"></span>笑',
    '第一行<br/>第二行',
    '&lt;b&gt;',
  ),
);

export const arbUserName = (group = false): fc.Arbitrary<UserName> =>
  arbHex(64).map((h) => asUserName(`${group ? '@@' : '@'}${h}`));
/** People, groups and the plain system names (filehelper, weixin). */
export const arbAnyUserName: fc.Arbitrary<UserName> = fc.oneof(
  arbUserName(false),
  arbUserName(true),
  fc.constantFrom('filehelper', 'weixin', 'newsapp', '').map(asUserName),
);
export const arbMsgId: fc.Arbitrary<MsgId> = arbDigits(19).map(asMsgId);
export const arbUuid: fc.Arbitrary<Uuid> = fc.oneof(
  fc.tuple(fc.string({ unit: chars(`${ALNUM}_-`), minLength: 8, maxLength: 10 }), fc.constantFrom('==', '')).map(([a, b]) => asUuid(a + b)),
  fc.stringMatching(/^[0-9A-Za-z_\-=+/]{1,64}$/).map(asUuid),
);

/**
 * A secret as the server issues it. Long and mixed, so it cannot turn up by chance in a
 * diagnostic that does not contain it.
 */
export const arbSecret: fc.Arbitrary<string> = fc
  // Built from an array of characters: fc.string would sometimes inject dictionary words
  // ("property", "__proto__") that also occur in stack traces and messages.
  .tuple(fc.array(chars(`${ALNUM}%_+/=-`), { minLength: 8, maxLength: 40 }), chars('ABCDEFGHJKLMNPQRSTUVWXYZ'), chars('123456789'))
  .map(([body, letter, digit]) => `${letter}${body.join('')}${digit}${letter.toLowerCase()}${digit}`);
/** An skey: usually `@crypt_<8 hex>_<32 hex>`, sometimes any token. */
export const arbSkey: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(arbHex(8), arbHex(32)).map(([a, b]) => `@crypt_${a}_${b}`),
  arbSecret,
);

// ---------------------------------------------------------------------------------------------
// Script and XML answers

export const arbJsLoginAnswer: fc.Arbitrary<JsLoginAnswer> = fc.oneof(
  arbUuid.map((uuid): JsLoginAnswer => ({ code: 200, uuid })),
  fc.integer().filter((c) => c !== 200).map((code): JsLoginAnswer => ({ code })),
);

/** The redirect of a confirmed login, with its secret ticket. */
export const arbRedirectUri: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.constantFrom('wx.qq.com', 'wx2.qq.com', 'wx8.qq.com', 'web.wechat.com', 'web2.wechat.com'), arbSecret, arbUuid, arbDigits(10))
    .map(([host, ticket, uuid, scan]) => `https://${host}/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=${ticket}@qrticket_0&uuid=${uuid}&lang=zh_CN&scan=${scan}`),
  fc.webUrl({ withQueryParameters: true, withFragments: true }).filter((u) => !/\s/.test(u)),
);

export const arbLoginPollAnswer: fc.Arbitrary<LoginPollAnswer> = fc.oneof(
  fc.constantFrom<LoginPollAnswer>({ code: 408 }, { code: 400 }, { code: 500 }, { code: 201, avatar: null }),
  fc
    .oneof(fc.base64String({ minLength: 4, maxLength: 200 }).map((b) => `data:img/jpg;base64,${b}`), fc.string({ minLength: 1 }))
    .map((avatar): LoginPollAnswer => ({ code: 201, avatar })),
  arbRedirectUri.map((redirectUri): LoginPollAnswer => ({ code: 200, redirectUri })),
);

export const arbSyncCheckAnswer: fc.Arbitrary<SyncCheckAnswer> = fc.record({
  retcode: fc.oneof(fc.constantFrom(0, 1100, 1101, 1102), fc.integer({ min: -2_147_483_648, max: 2_147_483_647 })),
  selector: fc.oneof(fc.constantFrom(0, 2, 3, 4, 6, 7), fc.integer({ min: -2_147_483_648, max: 2_147_483_647 })),
});

/** Text the XML message holds after decoding: trimmed (the parser trims) and XML-legal. */
const arbXmlMessage: fc.Arbitrary<string> = fc
  .oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 30 }), fc.constantFrom('', 'OK', '为了你的帐号安全，此微信号不能登录网页微信'))
  .map((s) => s.trim());

export interface CredentialSecrets {
  readonly skey: string;
  readonly wxsid: string;
  readonly passTicket: string;
}

export const arbCredentialSecrets: fc.Arbitrary<CredentialSecrets> = fc.record({
  skey: arbSkey,
  wxsid: arbSecret,
  passTicket: arbSecret,
});

export const arbNewLoginPageAnswer: fc.Arbitrary<NewLoginPageAnswer> = fc.oneof(
  fc
    .record({ secrets: arbCredentialSecrets, wxuin: arbDigits(1, 15), message: arbXmlMessage, isgrayscale: fc.integer({ min: 0, max: 999 }) })
    .map(({ secrets, wxuin, message, isgrayscale }): NewLoginPageAnswer => ({ ret: 0, message, wxuin, isgrayscale, ...secrets })),
  fc
    .record({ ret: fc.oneof(fc.constantFrom(1203, 1, -1), fc.integer({ min: -2_147_483_648, max: 2_147_483_647 })), message: arbXmlMessage })
    .filter(({ ret }) => ret !== 0)
    .map(({ ret, message }): NewLoginPageAnswer => ({ ret, message })),
);

export const arbPushLoginAnswer: fc.Arbitrary<PushLoginAnswer> = fc.oneof(
  arbUuid.map((uuid): PushLoginAnswer => ({ ok: true, uuid })),
  fc
    .record({ ret: fc.oneof(fc.constantFrom('1', '-1', '1001'), fc.string()).filter((r) => r !== '0'), msg: fc.string() })
    .map(({ ret, msg }): PushLoginAnswer => ({ ok: false, ret, msg })),
);

// ---------------------------------------------------------------------------------------------
// JSON answers

/** Any JSON data as it comes out of JSON.parse (fc.jsonValue can hold -0, which JSON writes as 0). */
export const arbJsonData: fc.Arbitrary<unknown> = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);

export const arbBaseResponseOk: fc.Arbitrary<BaseResponse> = fc.constantFrom<BaseResponse>({ Ret: int(0), ErrMsg: '' }, { Ret: int(0) });
export const arbFailedBaseResponse: fc.Arbitrary<BaseResponse> = fc
  .record(
    { Ret: fc.oneof(fc.constantFrom(1, -1, 1100, 1101, 1102, 1204, 1205), fc.integer()).filter((r) => r !== 0).map(int), ErrMsg: fc.string() },
    { requiredKeys: ['Ret'] },
  )
  .map((b): BaseResponse => b);

/** A refused answer: BaseResponse with Ret ≠ 0, the rest often zeroed or absent. */
export const arbFailedAnswer: fc.Arbitrary<{ BaseResponse: BaseResponse } & Record<string, unknown>> = fc
  .tuple(arbFailedBaseResponse, fc.dictionary(fc.constantFrom('Count', 'ContactList', 'MemberList', 'AddMsgList', 'SyncKey', 'MsgID'), arbJsonData, { maxKeys: 3 }))
  .map(([BaseResponse, rest]) => ({ ...rest, BaseResponse }));

export const arbSyncKey: fc.Arbitrary<SyncKey> = fc
  .array(fc.record({ Key: fc.oneof(fc.constantFrom(1, 2, 3, 11, 13, 201, 203, 1000), fc.nat()).map(int), Val: arbSafeInt }), { maxLength: 10 })
  .map((List): SyncKey => ({ Count: int(List.length), List }));

/** Fields the server sends that the codecs do not validate; they must pass through untouched. */
const arbExtraContactFields = fc.record(
  {
    PYInitial: fc.string(),
    RemarkPYInitial: fc.string(),
    RemarkPYQuanPin: fc.string(),
    HideInputBarFlag: fc.nat(),
    AppAccountFlag: fc.nat(),
    Statues: fc.nat(),
    AttrStatus: fc.nat(),
    SnsFlag: fc.nat(),
    UniFriend: fc.nat(),
    ChatRoomId: fc.nat(),
    IsOwner: fc.nat(),
  },
  { requiredKeys: [] },
);

export const arbMember: fc.Arbitrary<Member> = fc
  .record(
    {
      UserName: arbUserName(),
      NickName: arbText,
      DisplayName: arbText,
      AttrStatus: arbSafeInt,
      Uin: arbSafeInt,
      KeyWord: fc.string({ maxLength: 8 }),
      MemberStatus: fc.nat(),
    },
    { requiredKeys: ['UserName'] },
  )
  .map((m): Member => m);

const contactFields = {
  Uin: arbSafeInt,
  HeadImgUrl: fc.string(),
  RemarkName: arbText,
  ContactFlag: arbSafeInt,
  VerifyFlag: fc.oneof(fc.constantFrom(0, 8, 24, 56), fc.nat()).map(int),
  Sex: fc.constantFrom(0, 1, 2).map(int),
  Signature: arbText,
  Alias: fc.string(),
  MemberCount: arbSmallInt(),
  EncryChatRoomId: fc.string(),
  DisplayName: arbText,
  PYQuanPin: fc.string(),
  Province: arbText,
  City: arbText,
  KeyWord: fc.string({ maxLength: 8 }),
  StarFriend: fc.constantFrom(0, 1).map(int),
  OwnerUin: arbSafeInt,
};

export const arbContact: fc.Arbitrary<Contact> = fc
  .tuple(
    fc.record({ UserName: arbAnyUserName, NickName: arbText, ...contactFields, MemberList: fc.array(arbMember, { maxLength: 4 }) }, { requiredKeys: ['UserName', 'NickName'] }),
    arbExtraContactFields,
  )
  .map(([c, extra]): Contact => ({ ...extra, ...c }));

export const arbUser: fc.Arbitrary<User> = fc
  .record(
    {
      Uin: arbSafeInt,
      UserName: arbUserName(),
      NickName: arbText,
      HeadImgUrl: fc.string(),
      RemarkName: arbText,
      Sex: fc.constantFrom(0, 1, 2).map(int),
      Signature: arbText,
      SnsFlag: fc.nat(),
      WebWxPluginSwitch: fc.nat(),
    },
    { requiredKeys: ['Uin', 'UserName', 'NickName'] },
  )
  .map((u): User => u);

export const arbInitBody: fc.Arbitrary<InitBody> = fc
  .record(
    {
      BaseResponse: arbBaseResponseOk,
      User: arbUser,
      SyncKey: arbSyncKey,
      ContactList: fc.array(arbContact, { maxLength: 5 }),
      Count: arbSmallInt(),
      SKey: arbSkey,
      ChatSet: fc.string(),
      InviteStartCount: arbSmallInt(),
      SystemTime: arbSafeInt,
      ClientVersion: arbSafeInt,
      GrayScale: arbSmallInt(0, 10),
      MPSubscribeMsgCount: arbSmallInt(0, 10),
      MPSubscribeMsgList: fc.array(arbJsonData, { maxLength: 3 }),
      ClickReportInterval: arbSafeInt,
    },
    { requiredKeys: ['BaseResponse', 'User', 'SyncKey', 'ContactList'] },
  )
  .map((b): InitBody => b);

export const arbStatusNotifyBody: fc.Arbitrary<StatusNotifyBody> = fc
  .record({ BaseResponse: arbBaseResponseOk, MsgID: fc.oneof(arbMsgId, fc.constant('' as const)) }, { requiredKeys: ['BaseResponse'] })
  .map((b): StatusNotifyBody => b);

export const arbGetContactBody: fc.Arbitrary<GetContactBody> = fc
  .record(
    { BaseResponse: arbBaseResponseOk, MemberList: fc.array(arbContact, { maxLength: 8 }), MemberCount: arbSmallInt(), Seq: arbSafeInt },
    { requiredKeys: ['BaseResponse', 'MemberList'] },
  )
  .map((b): GetContactBody => b);

export const arbBatchGetContactBody: fc.Arbitrary<BatchGetContactBody> = fc
  .record({ BaseResponse: arbBaseResponseOk, ContactList: fc.array(arbContact, { maxLength: 6 }), Count: arbSmallInt() }, { requiredKeys: ['BaseResponse', 'ContactList'] })
  .map((b): BatchGetContactBody => b);

export const arbRawMessage: fc.Arbitrary<RawMessage> = fc
  .record(
    {
      MsgId: arbMsgId,
      FromUserName: arbAnyUserName,
      ToUserName: arbAnyUserName,
      MsgType: fc.oneof(fc.constantFrom(1, 3, 34, 37, 42, 43, 47, 49, 51, 10000, 10002), fc.nat()).map(int),
      Content: arbText,
      CreateTime: arbSafeInt,
      NewMsgId: fc.double({ min: 1e18, max: 9.9e18, noNaN: true }),
      StatusNotifyCode: arbSmallInt(0, 10),
      StatusNotifyUserName: fc.string(),
      RecommendInfo: fc.record(
        { UserName: fc.string(), NickName: arbText, Ticket: fc.string(), Content: fc.string(), Sex: fc.constantFrom(0, 1, 2).map(int), Scene: arbSmallInt(), VerifyFlag: arbSmallInt() },
        { requiredKeys: [] },
      ),
      AppMsgType: fc.oneof(fc.constantFrom(0, 5, 6, 8, 2000, 2001), fc.nat()).map(int),
      Url: fc.string(),
      FileName: fc.string(),
      FileSize: fc.oneof(fc.string(), fc.nat()),
      MediaId: fc.string(),
      ImgWidth: arbSmallInt(),
      ImgHeight: arbSmallInt(),
      PlayLength: arbSmallInt(),
      VoiceLength: arbSmallInt(),
      SubMsgType: arbSmallInt(0, 100),
      Status: arbSmallInt(0, 10),
      ImgStatus: arbSmallInt(0, 10),
      ForwardFlag: arbSmallInt(0, 10),
      AppInfo: fc.record({ Type: arbSmallInt(0, 10), AppID: fc.string() }, { requiredKeys: [] }),
      HasProductId: fc.nat(),
      EncryFileName: fc.string(),
    },
    { requiredKeys: ['MsgId', 'FromUserName', 'ToUserName', 'MsgType', 'Content', 'CreateTime'] },
  )
  .map((m): RawMessage => m);

export const arbSyncBody: fc.Arbitrary<SyncBody> = fc
  .record(
    {
      BaseResponse: arbBaseResponseOk,
      AddMsgList: fc.array(arbRawMessage, { maxLength: 6 }),
      SyncKey: arbSyncKey,
      AddMsgCount: arbSmallInt(0, 100),
      ModContactCount: arbSmallInt(0, 100),
      ModContactList: fc.array(arbContact, { maxLength: 3 }),
      DelContactCount: arbSmallInt(0, 100),
      DelContactList: fc.array(fc.record({ UserName: arbAnyUserName, ContactFlag: arbSafeInt }, { requiredKeys: ['UserName'] }), { maxLength: 3 }),
      ModChatRoomMemberCount: arbSmallInt(0, 100),
      ModChatRoomMemberList: fc.array(arbJsonData, { maxLength: 3 }),
      SyncCheckKey: arbSyncKey,
      ContinueFlag: arbSmallInt(0, 2),
      SKey: fc.oneof(fc.constant(''), arbSkey),
    },
    { requiredKeys: ['BaseResponse', 'AddMsgList', 'SyncKey'] },
  )
  .map((b): SyncBody => b);

export const arbSendMsgBody: fc.Arbitrary<SendMsgBody> = fc
  .record({ BaseResponse: arbBaseResponseOk, MsgID: arbMsgId, LocalID: arbDigits(17) }, { requiredKeys: ['BaseResponse', 'MsgID'] })
  .map((b): SendMsgBody => b);

// ---------------------------------------------------------------------------------------------
// Hostile and nearly-valid text

/** Anything at all that could arrive as a body: strings, JSON text, stringified arbitrary values. */
export const arbHostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.json(),
  fc.anything().map((v) => {
    try {
      return JSON.stringify(v) ?? '';
    } catch {
      return '';
    }
  }),
);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Values of the wrong type for almost any field; `1e400` and `2^60` are written as raw numbers. */
const WRONG_VALUES: readonly Json[] = [null, true, '', 'x', '0', -1.5, 0, -1, [], {}, [1], { a: 1 }, '__HUGE__', '__2P60__'];

export type JsonMutation = 'delete' | 'wrongType' | 'truncate' | 'huge';

interface Slot {
  readonly parent: Json[] | { [key: string]: Json };
  readonly key: string | number;
}

function slotsOf(value: Json, out: Slot[] = []): Slot[] {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push({ parent: value, key: i });
      slotsOf(item, out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      out.push({ parent: value, key });
      slotsOf(value[key]!, out);
    }
  }
  return out;
}

/**
 * A valid JSON answer changed in one place: a field deleted, a value of the wrong type, a number
 * out of range, or the text cut short.
 */
export function mutateJson(valid: unknown, kind: JsonMutation, choice: number, wrong: number): string {
  const copy = JSON.parse(JSON.stringify(valid)) as Json;
  const slots = slotsOf(copy);
  const slot = slots.length > 0 ? slots[choice % slots.length]! : null;
  if (kind === 'truncate' || slot === null) {
    const text = JSON.stringify(copy);
    return text.slice(0, choice % Math.max(1, text.length));
  }
  const { parent, key } = slot;
  if (kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else {
    const replacement = kind === 'huge' ? (wrong % 2 === 0 ? '__HUGE__' : '__2P60__') : WRONG_VALUES[wrong % WRONG_VALUES.length]!;
    (parent as Record<string | number, Json>)[key] = replacement;
  }
  return JSON.stringify(copy).replaceAll('"__HUGE__"', '1e400').replaceAll('"__2P60__"', '1152921504606846976');
}

export const arbNearMissJson = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> =>
  fc
    .tuple(valid, fc.constantFrom<JsonMutation>('delete', 'wrongType', 'truncate', 'huge'), fc.nat(), fc.nat())
    .map(([value, kind, choice, wrong]) => mutateJson(value, kind, choice, wrong));

/** Pieces that break or bend the script and XML grammars when dropped into a valid answer. */
const SHRAPNEL: readonly string[] = ['"', "'", '”', '{', '}', ';', '=', '\\', '\n', '.', 'window', '<', '>', '</error>', '&', '-', '9'.repeat(30), '\u2028', ' \\\n'];

/** A valid text answer changed in one place: cut short, a range deleted, or a grammar token inserted. */
export const arbNearMissText = (valid: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .tuple(valid, fc.constantFrom('truncate', 'delete', 'insert'), fc.nat(), fc.nat({ max: 20 }), fc.constantFrom(...SHRAPNEL))
    .map(([text, kind, at, span, piece]) => {
      const i = at % (text.length + 1);
      if (kind === 'truncate') return text.slice(0, i);
      if (kind === 'delete') return text.slice(0, i) + text.slice(i + span);
      return text.slice(0, i) + piece + text.slice(i);
    });
