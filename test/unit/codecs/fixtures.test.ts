/** Realistic answers of every endpoint (test/fixtures/answers) decode to what the engine needs. */
import { describe, expect, it } from 'vitest';
import {
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
  formatSyncKey,
  isGroupUserName,
  MsgType,
  nextSyncKey,
  normalizeMessage,
  type Answer,
} from '../../../src/codecs/index.js';
import { fixture } from '../../fixtures/load.js';
import { okValue } from '../../support/decode.js';


describe('login answers', () => {
  it('jslogin 200 gives the uuid', () => {
    expect(decodeJsLogin(fixture('jslogin.200.txt'))).toEqual({ code: 200, uuid: 'gYmByqjV8Q==' });
  });

  it('jslogin with another code gives the code and no uuid', () => {
    expect(decodeJsLogin('window.QRLogin.code = 400; window.QRLogin.error = "invalid appid";')).toEqual({ code: 400 });
  });

  it.each([
    ['login.408.txt', { code: 408 }],
    ['login.400.txt', { code: 400 }],
    ['login.500.txt', { code: 500 }],
  ])('login poll %s', (file, expected) => {
    expect(decodeLoginPoll(fixture(file))).toEqual(expected);
  });

  it('login poll 201 carries the avatar data URL', () => {
    const answer = decodeLoginPoll(fixture('login.201.txt'));
    expect(answer.code).toBe(201);
    expect(answer.code === 201 && answer.avatar?.startsWith('data:img/jpg;base64,/9j/')).toBe(true);
  });

  it('login poll 200 carries the redirect with ticket, uuid and scan', () => {
    const answer = decodeLoginPoll(fixture('login.200.txt'));
    if (answer.code !== 200) throw new Error('expected 200');
    const url = new URL(answer.redirectUri);
    expect(url.hostname).toBe('wx2.qq.com');
    expect(url.searchParams.get('ticket')).toBe('A8qwapRV_lQ44viWM0mZmnpm@qrticket_0');
    expect(url.searchParams.get('uuid')).toBe('gYmByqjV8Q==');
  });

  it('a login poll 200 whose redirect_uri is not a URL is a DecodeError there; one with another scheme is a redirect for the host rule to refuse', () => {
    expect(() => decodeLoginPoll('window.code=200;\nwindow.redirect_uri="XXXX";')).toThrowError(
      expect.objectContaining({ code: 'badResponse', endpoint: 'login', path: 'redirect_uri' }),
    );
    expect(decodeLoginPoll('window.code=200;\nwindow.redirect_uri="ftp://evil.example/webwxnewloginpage?ticket=T";')).toEqual({
      code: 200,
      redirectUri: 'ftp://evil.example/webwxnewloginpage?ticket=T',
    });
  });

  it('an unknown login poll code is a DecodeError at code', () => {
    expect(() => decodeLoginPoll('window.code=302;')).toThrowError(expect.objectContaining({ code: 'badResponse', endpoint: 'login', path: 'code' }));
  });

  it('newloginpage ret 0 gives the credentials with pass_ticket still percent-encoded', () => {
    expect(decodeNewLoginPage(fixture('newloginpage.ok.xml'))).toEqual({
      ret: 0,
      message: '',
      skey: '@crypt_8f9d3c1a_5b0e6c2f7a1d4e8b9c0f3a2d6e5b4c1a',
      wxsid: 'Qm9hR3xYb2NkZzJ1',
      wxuin: '2517452105',
      passTicket: 'Vb4h%2BqL0xkTn8yR7pJc2Wm%2FdE5sA1uGzKf3oYiX9lQwNtHvBr6MeC0aPjSZD',
      isgrayscale: 1,
    });
  });

  it('newloginpage ret 1203 (web login forbidden for this account) gives the ret and the message, no credentials', () => {
    const answer = decodeNewLoginPage(fixture('newloginpage.1203.xml'));
    expect(answer.ret).toBe(1203);
    expect(answer.message.startsWith('为了你的帐号安全，此微信号不能登录网页微信')).toBe(true);
    expect(answer).not.toHaveProperty('skey');
  });

  it('newloginpage with another non-zero ret gives that ret and message', () => {
    expect(decodeNewLoginPage(fixture('newloginpage.1100.xml'))).toEqual({ ret: 1100, message: '登录超时，请重新扫描二维码登录' });
  });

  it('newloginpage message entities are decoded, credentials are not', () => {
    expect(decodeNewLoginPage('<error><ret>1</ret><message>a &amp; b &lt;c&gt; &#x4f60;</message></error>')).toEqual({ ret: 1, message: 'a & b <c> 你' });
  });

  it('webwxpushloginurl ok gives the uuid; another ret is a refusal with its message', () => {
    expect(decodePushLogin(fixture('pushloginurl.ok.json'))).toEqual({ ok: true, uuid: '4Z5UHHEH3g==' });
    expect(decodePushLogin(fixture('pushloginurl.refused.json'))).toEqual({ ok: false, ret: '1', msg: 'param error' });
    expect(decodePushLogin('{"ret":0,"msg":"all ok","uuid":"4Z5UHHEH3g=="}')).toEqual({ ok: true, uuid: '4Z5UHHEH3g==' });
  });
});

describe('refusals (BaseResponse.Ret ≠ 0) are answers, not decode failures', () => {
  it.each([
    ['webwxsync 1100 (logged out from the phone)', () => decodeSync(fixture('sync.ret1100.json')), 1100, ''],
    ['webwxinit 1101 (session invalid)', () => decodeInit(fixture('init.ret1101.json')), 1101, ''],
    ['webwxgetcontact 1102 (server demands logout)', () => decodeGetContact(fixture('getcontact.ret1102.json')), 1102, ''],
    ['webwxsendmsg 1205 (sending too often)', () => decodeSendMsg(fixture('sendmsg.ret1205.json')), 1205, '发送消息太频繁，请稍后再试'],
  ] as const)('%s', (_name, decode, ret, errMsg) => {
    expect(decode()).toEqual({ ok: false, ret, errMsg });
  });

  it('a refusal with an empty rest of the body still decodes (the rest is not validated)', () => {
    expect(decodeSendMsg('{"BaseResponse":{"Ret":1101}}')).toEqual({ ok: false, ret: 1101, errMsg: '' });
  });
});

describe('session answers', () => {
  it('webwxinit gives the user, the recent chats, the SyncKey and a fresh SKey; unvalidated fields pass through', () => {
    const init = okValue(decodeInit(fixture('webwxinit.json')));
    expect(init.User.Uin).toBe(2517452105);
    expect(init.User.NickName).toBe('二蛋');
    expect(init.ContactList.map((c) => c.UserName).filter(isGroupUserName)).toHaveLength(1);
    expect(formatSyncKey(init.SyncKey)).toBe('1_652651920|2_652651939|3_652651904|1000_1527846302');
    expect(init.SKey).toBe('@crypt_8f9d3c1a_0c7b2e9d4a6f1b3e8d5c2a7f9e0b4d6c');
    expect((init.ContactList[0] as Record<string, unknown>)['PYInitial']).toBe('WJCSZS');
  });

  it('webwxstatusnotify gives the MsgID', () => {
    expect(okValue(decodeStatusNotify(fixture('statusnotify.json'))).MsgID).toBe('7203912309489412345');
  });

  it('webwxgetcontact pages: the first page has a non-zero Seq to page again with, the last has 0', () => {
    const first = okValue(decodeGetContact(fixture('getcontact.page1.json')));
    const last = okValue(decodeGetContact(fixture('getcontact.page2.json')));
    expect(first.Seq).toBe(1527846410);
    expect(last.Seq).toBe(0);
    const all = [...first.MemberList, ...last.MemberList];
    expect(all).toHaveLength((first.MemberCount ?? 0) + (last.MemberCount ?? 0));
    expect(new Set(all.map((c) => c.UserName)).size).toBe(all.length);
    expect(all.filter((c) => ((c.VerifyFlag ?? 0) & 8) !== 0).map((c) => c.NickName)).toEqual(['微信支付', '腾讯新闻']);
  });

  it('webwxbatchgetcontact gives a group with its MemberList', () => {
    const batch = okValue(decodeBatchGetContact(fixture('batchgetcontact.json')));
    const group = batch.ContactList[0]!;
    expect(isGroupUserName(group.UserName)).toBe(true);
    expect(group.MemberCount).toBe(4);
    expect(group.MemberList).toHaveLength(4);
    expect(group.MemberList?.[1]).toMatchObject({ NickName: '小明<span class="emoji emoji1f604"></span>', DisplayName: '明明' });
    expect(group.EncryChatRoomId).toBe('@6d1a3b5c7e9f0a2b4c6d8e0f1a3b5c7e');
  });
});

describe('sync answers', () => {
  it.each([
    ['synccheck.2.txt', { retcode: 0, selector: 2 }],
    ['synccheck.0.txt', { retcode: 0, selector: 0 }],
    ['synccheck.1101.txt', { retcode: 1101, selector: 0 }],
  ])('synccheck %s', (file, expected) => {
    expect(decodeSyncCheck(fixture(file))).toEqual(expected);
  });

  it('synccheck tolerates numbers instead of strings and white space', () => {
    expect(decodeSyncCheck('window.synccheck = { retcode : 0 , selector : 2 } ;')).toEqual({ retcode: 0, selector: 2 });
  });

  it('webwxsync gives the keys, ContinueFlag, contact deltas and every message kind', () => {
    const sync = okValue(decodeSync(fixture('webwxsync.json')));
    expect(sync.ContinueFlag).toBe(0);
    expect(formatSyncKey(sync.SyncKey)).toBe('1_652651921|2_652652010|3_652651904|1000_1527846390');
    expect(sync.SyncCheckKey?.Count).toBe(5);
    expect(sync.ModContactList?.[0]?.RemarkName).toBe('静静');
    expect(sync.DelContactList?.[0]?.UserName).toBe('@7a0c5e8b2d6f1a9c3e7b0d4f8a2c6e1b9d3f7a0c5e8b2d6f1a9c3e7b0d4f8a2c');
    expect(sync.AddMsgList.map((m) => m.MsgType)).toEqual([51, 1, 1, 1, 49, 49, 49, 10000, 1]);
    expect(sync.AddMsgList.filter((m) => m.MsgType === MsgType.App).map((m) => m.AppMsgType)).toEqual([5, 5, 6]);
    // MsgId stays the exact decimal string; NewMsgId is a rounded double.
    expect(sync.AddMsgList[1]!.MsgId).toBe('5730475309481239901');
    expect(String(sync.AddMsgList[1]!.NewMsgId)).not.toBe('5730475309481239901');
  });

  it('webwxsync messages normalise: group sender split, own message marked, content decoded', () => {
    const sync = okValue(decodeSync(fixture('webwxsync.json')));
    const self = '@4f8a2c6e1b9d3f7a0c5e8b2d6f1a9c3e7b0d4f8a2c6e1b9d3f7a0c5e8b2d6f1a';
    const [notify, text, groupText, own, , , , system, flag] = sync.AddMsgList.map((m) => normalizeMessage(m, self));
    expect(notify).toMatchObject({ MsgType: 51, isSelf: true, IsGroup: false });
    expect(text).toMatchObject({ Content: '晚上一起吃饭吗😊\n7点 & 老地方', isSelf: false, IsGroup: false });
    expect(groupText).toMatchObject({
      IsGroup: true,
      SenderUserName: '@0d4f8a2c6e1b9d3f7a0c5e8b2d6f1a9c3e7b0d4f8a2c6e1b9d3f7a0c5e8b2d6f',
      Content: '价格 < 100 & 包邮',
    });
    expect(own).toMatchObject({ isSelf: true, Content: '好的' });
    expect(system).toMatchObject({ MsgType: 10000, IsGroup: true, Content: '"陈静"邀请"Tom & Jerry"加入了群聊' });
    expect(system).not.toHaveProperty('SenderUserName');
    expect(flag?.Content).toBe('🇨🇳 国庆快乐');
  });

  it('a ContinueFlag answer with an empty key keeps the current key (nextSyncKey)', () => {
    const full = okValue(decodeSync(fixture('webwxsync.json')));
    const cont = okValue(decodeSync(fixture('webwxsync.continue.json')));
    expect(cont.ContinueFlag).toBe(1);
    expect(nextSyncKey(full.SyncKey, cont.SyncKey)).toBe(full.SyncKey);
    expect(nextSyncKey(cont.SyncKey, full.SyncKey)).toBe(full.SyncKey);
    expect(nextSyncKey(full.SyncKey, undefined)).toBe(full.SyncKey);
  });

  it('webwxsendmsg gives the MsgID and the LocalID echoed', () => {
    expect(okValue(decodeSendMsg(fixture('sendmsg.json')))).toEqual({
      BaseResponse: { Ret: 0, ErrMsg: '' },
      MsgID: '4968409486385423578',
      LocalID: '15278463953510789',
    });
  });

  it('a bad MsgId deep in AddMsgList is reported at its path', () => {
    const body = JSON.parse(fixture('webwxsync.json')) as { AddMsgList: { MsgId: unknown }[] };
    body.AddMsgList[3]!.MsgId = 8401125937766123310;
    expect(() => decodeSync(JSON.stringify(body))).toThrowError(
      expect.objectContaining({ code: 'badResponse', endpoint: 'webwxsync', path: 'AddMsgList.3.MsgId' }),
    );
  });
});
