/** Answers of every service, built the way the codecs decode them, for scripting the machine. */
import { asMsgId, asUserName, asUuid, int, okBase, type Answer } from '../../../src/codecs/common.js';
import type { JsLoginAnswer, LoginPollAnswer, NewLoginPageAnswer, PushLoginAnswer } from '../../../src/codecs/login.js';
import type { BatchGetContactBody, Contact, GetContactBody, InitBody, StatusNotifyBody, SyncKey } from '../../../src/codecs/session.js';
import type { SendMsgBody } from '../../../src/codecs/send.js';
import type { RawMessage, SyncBody } from '../../../src/codecs/sync.js';
import type { Endpoint } from '../../../src/codecs/errors.js';
import type { Timed } from '../../../src/machines/webwx.types.js';
import type { ServiceErrorData } from '../../../src/services/types.js';
import type { SyncCheckAnswer } from '../../../src/codecs/sync.js';
import type { StoredSession } from '../../../src/session/types.js';

export const LOGIN_ORIGIN = 'http://127.0.0.1:7777';
export const SELF = '@self0001';
export const PASS_TICKET = 'MX4l%2Fabc%2Bdef';

export const uuidIssued = (uuid: string): JsLoginAnswer => ({ code: 200, uuid: asUuid(uuid) });

export const poll = (answer: LoginPollAnswer, elapsedMs = 0): Timed<LoginPollAnswer> => ({ answer, elapsedMs });
export const notYet = (elapsedMs = 0): Timed<LoginPollAnswer> => poll({ code: 408 }, elapsedMs);
export const scannedAnswer = (avatar: string | null = 'data:img/jpg;base64,AAAA'): Timed<LoginPollAnswer> =>
  poll({ code: 201, avatar });
export const confirmedAnswer = (redirectUri = `${LOGIN_ORIGIN}/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T1@qrticket_0&uuid=u&lang=zh_CN&scan=1`): Timed<LoginPollAnswer> =>
  poll({ code: 200, redirectUri });
export const expiredAnswer = (): Timed<LoginPollAnswer> => poll({ code: 400 });
export const serverErrorAnswer = (): Timed<LoginPollAnswer> => poll({ code: 500 });

export const credentialsAnswer = (over: Partial<{ skey: string; wxsid: string; wxuin: string; passTicket: string }> = {}): NewLoginPageAnswer => ({
  ret: 0,
  message: '',
  skey: over.skey ?? '@crypt_first_skey',
  wxsid: over.wxsid ?? 'sid0001',
  wxuin: over.wxuin ?? '2517452105',
  passTicket: over.passTicket ?? PASS_TICKET,
  isgrayscale: 1,
});
export const forbiddenAnswer = (ret = 1203, message = '为了你的帐号安全，此微信号不能登录网页微信'): NewLoginPageAnswer => ({ ret, message });

export const key = (...vals: number[]): SyncKey => ({
  Count: int(vals.length),
  List: vals.map((v, i) => ({ Key: int(i + 1), Val: int(v) })),
});
export const EMPTY_KEY: SyncKey = { Count: int(0), List: [] };

export const contact = (userName: string, nick = userName, members?: string[]): Contact => ({
  UserName: asUserName(userName),
  NickName: nick,
  ...(members ? { MemberList: members.map((m) => ({ UserName: asUserName(m), NickName: m })) } : {}),
});

export const ok = <T>(value: T): Answer<T> => ({ ok: true, value });
export const refused = <T>(ret: number, errMsg = ''): Answer<T> => ({ ok: false, ret, errMsg });

export const initAnswer = (over: { user?: string; contacts?: Contact[]; syncKey?: SyncKey; skey?: string } = {}): Answer<InitBody> =>
  ok({
    BaseResponse: okBase(),
    User: { Uin: int(2517452105), UserName: asUserName(over.user ?? SELF), NickName: 'Me' },
    SyncKey: over.syncKey ?? key(10, 20, 30),
    ContactList: over.contacts ?? [contact('@friend1'), contact('@@group1', 'Group One')],
    ...(over.skey !== undefined ? { SKey: over.skey } : {}),
  });

export const notifyOk = (): Answer<StatusNotifyBody> => ok({ BaseResponse: okBase(), MsgID: asMsgId('900') });

export const contactPage = (names: string[], seq = 0): Answer<GetContactBody> =>
  ok({ BaseResponse: okBase(), MemberList: names.map((n) => contact(n)), MemberCount: int(names.length), Seq: int(seq) });

export const batchAnswer = (groups: { name: string; members: string[] }[]): Answer<BatchGetContactBody> =>
  ok({ BaseResponse: okBase(), ContactList: groups.map((g) => contact(g.name, g.name, g.members)), Count: int(groups.length) });

export const check = (retcode: number, selector: number, elapsedMs = 25_000): Timed<SyncCheckAnswer> => ({
  answer: { retcode, selector },
  elapsedMs,
});

export const rawMessage = (id: string, from: string, content: string, over: Partial<{ to: string; type: number }> = {}): RawMessage => ({
  MsgId: asMsgId(id),
  FromUserName: asUserName(from),
  ToUserName: asUserName(over.to ?? SELF),
  MsgType: int(over.type ?? 1),
  Content: content,
  CreateTime: int(1_700_000_000),
});

export const syncAnswer = (
  over: Partial<{
    messages: RawMessage[];
    syncKey: SyncKey;
    syncCheckKey: SyncKey;
    continueFlag: number;
    mod: Contact[];
    del: string[];
    skey: string;
  }> = {},
): Answer<SyncBody> =>
  ok({
    BaseResponse: okBase(),
    AddMsgCount: int((over.messages ?? []).length),
    AddMsgList: over.messages ?? [],
    SyncKey: over.syncKey ?? key(11, 21, 31),
    ...(over.syncCheckKey ? { SyncCheckKey: over.syncCheckKey } : {}),
    ...(over.continueFlag !== undefined ? { ContinueFlag: int(over.continueFlag) } : {}),
    ...(over.mod ? { ModContactList: over.mod, ModContactCount: int(over.mod.length) } : {}),
    ...(over.del ? { DelContactList: over.del.map((d) => ({ UserName: asUserName(d) })), DelContactCount: int(over.del.length) } : {}),
    ...(over.skey !== undefined ? { SKey: over.skey } : {}),
  });

export const sendOk = (msgId: string): Answer<SendMsgBody> => ok({ BaseResponse: okBase(), MsgID: asMsgId(msgId) });

export const pushOk = (uuid: string): PushLoginAnswer => ({ ok: true, uuid: asUuid(uuid) });
export const pushRefused = (): PushLoginAnswer => ({ ok: false, ret: '1', msg: 'no' });

export const netError = (endpoint: Endpoint, message = 'network failure (ECONNRESET)'): ServiceErrorData => ({
  code: 'network',
  endpoint,
  message: `${endpoint}: ${message}`,
});
export const timeoutError = (endpoint: Endpoint): ServiceErrorData => ({
  code: 'timeout',
  endpoint,
  message: `${endpoint}: no answer within 35000 ms`,
});
export const badResponse = (endpoint: Endpoint): ServiceErrorData => ({
  code: 'badResponse',
  endpoint,
  path: 'MsgID',
  excerpt: '{}',
  message: `${endpoint}: bad response at MsgID: expected string`,
});

/** A stored session as a SessionStore would hand it back. */
export const storedSession = (over: Partial<StoredSession> = {}): StoredSession => ({
  version: 1,
  hosts: { login: LOGIN_ORIGIN, main: LOGIN_ORIGIN, push: LOGIN_ORIGIN, file: LOGIN_ORIGIN },
  credentials: {
    skey: '@crypt_stored',
    wxsid: 'sidStored',
    wxuin: '1234567',
    passTicket: 'stored%2Fticket',
    deviceId: 'e999999999999999',
  },
  uos: false,
  user: { UserName: '@storedSelf', NickName: 'Me', Uin: 1234567 },
  syncKey: key(50, 60, 70),
  syncCheckKey: key(51, 61, 71),
  cookies: null,
  delivered: ['m1', 'm2'],
  savedAt: 1_700_000_000_000,
  ...over,
});
