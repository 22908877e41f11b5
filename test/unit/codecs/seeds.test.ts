/**
 * Every answer printed in the seed posts (/work/shared/seeds/000_*, 001_*, 002_*), decoded to the
 * values shown there. The literal strings below are copied from the posts. Where a post shows
 * placeholders (xxx, XXXXXXX, `[...]`, `...`) or Python-dict syntax, the literal text is tested for
 * what the decoder does with it, and the same answer with the placeholders filled in lives in
 * test/fixtures/answers/seedNNN.*.filled.* and is decoded to the values the post does show.
 */
import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  decodeGetContact,
  decodeInit,
  decodeJsLogin,
  decodeLoginPoll,
  decodeNewLoginPage,
  decodeSendMsg,
  decodeStatusNotify,
  decodeSync,
  decodeSyncCheck,
  formatSyncKey,
  type Answer,
  type Endpoint,
} from '../../../src/codecs/index.js';
import { fixture } from '../../fixtures/load.js';
import { refusal, okValue } from '../../support/decode.js';



function expectRefused(run: () => unknown, endpoint: Endpoint, path: string): void {
  const err = refusal(run);
  expect(err.code).toBe('badResponse');
  expect(err.endpoint).toBe(endpoint);
  expect(err.path).toBe(path);
}

describe('seed 000 (web微信, 2018)', () => {
  it('login poll 408: window.code=408;', () => {
    expect(decodeLoginPoll('window.code=408;')).toEqual({ code: 408 });
  });

  it('login poll 201 with a (truncated) avatar and no final semicolon', () => {
    expect(decodeLoginPoll("window.code=201;window.userAvatar = 'data:img/jpg;base64,/9j/'")).toEqual({
      code: 201,
      avatar: 'data:img/jpg;base64,/9j/',
    });
  });

  it('login poll 200 whose redirect_uri the blogger wrapped with ` \\` + newline decodes to the URL without white space', () => {
    const printed =
      'window.code=200;\nwindow.redirect_uri="https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage? \\\n' +
      'ticket=AwG2JcXnToluQ_U5p7sMDpMA@qrticket_0&uuid=gYmByqjV8Q==&lang=zh_CN&scan=1527848607";';
    expect(decodeLoginPoll(printed)).toEqual({
      code: 200,
      redirectUri:
        'https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=AwG2JcXnToluQ_U5p7sMDpMA@qrticket_0&uuid=gYmByqjV8Q==&lang=zh_CN&scan=1527848607',
    });
  });

  it('login poll 200 as quoted in the docstring: two redirect_uri assignments, the later one wins', () => {
    const printed =
      'window.code=200;\n' +
      'window.redirect_uri="https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=AYKeKS9YQnNcteZCfLeTlzv7@qrticket_0&uuid=QZA2_kDzdw==&lang=zh_CN&scan=1494553432";\n' +
      'window.redirect_uri="https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=AYKeKS9YQnNcteZCfLeTlzv7@qrticket_0&uuid=QZA2_kDzdw==&lang=zh_CN&scan=1494553432";';
    const answer = decodeLoginPoll(printed);
    expect(answer.code).toBe(200);
    expect(answer.code === 200 && new URL(answer.redirectUri).hostname).toBe('wx2.qq.com');
  });

  it('newloginpage XML (indented, real-looking values) decodes to the credentials shown', () => {
    const printed = `<error>
    <ret>0</ret>
    <message></message>
    <skey>@crypt_cfdd48c1_12905e6e90f3c3bafe66582479374d46</skey>
    <wxsid>ecfpaP6u4ZxiJndd</wxsid>
    <wxuin>2517452105</wxuin>
    <pass_ticket>MX4lFYu5AOTG%2FgYswPC0R4XEb7g%2FKTuR8x4Rje7cCom5JUA2KQCmsuDi%2BAWR3LSo</pass_ticket>
    <isgrayscale>1</isgrayscale>
</error>`;
    expect(decodeNewLoginPage(printed)).toEqual({
      ret: 0,
      message: '',
      skey: '@crypt_cfdd48c1_12905e6e90f3c3bafe66582479374d46',
      wxsid: 'ecfpaP6u4ZxiJndd',
      wxuin: '2517452105',
      // Kept percent-encoded, exactly as the XML's text (PROTOCOL.md: never decode it).
      passTicket: 'MX4lFYu5AOTG%2FgYswPC0R4XEb7g%2FKTuR8x4Rje7cCom5JUA2KQCmsuDi%2BAWR3LSo',
      isgrayscale: 1,
    });
  });
});

describe('seed 001 (wechat 网页版通信全过程)', () => {
  it('jslogin without a final semicolon and a placeholder uuid (XXXXXXX is a well-formed uuid)', () => {
    expect(decodeJsLogin('window.QRLogin.code = 200; window.QRLogin.uuid = "XXXXXXX"')).toEqual({ code: 200, uuid: 'XXXXXXX' });
  });

  it('login poll: window.code=201 (no semicolon, no avatar) and window.code=408', () => {
    expect(decodeLoginPoll('window.code=201')).toEqual({ code: 201, avatar: null });
    expect(decodeLoginPoll('window.code=408')).toEqual({ code: 408 });
  });

  it('login poll 200 printed on two lines without semicolons: the placeholder URI is refused, the filled one decodes', () => {
    // The post prints redirect_uri="XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX": a placeholder, not a URL.
    expectRefused(() => decodeLoginPoll('window.code=200\nwindow.redirect_uri="XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"'), 'login', 'redirect_uri');
    expect(decodeLoginPoll(fixture('seed001.login.200.filled.txt'))).toEqual({
      code: 200,
      redirectUri:
        'https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=AYKeKS9YQnNcteZCfLeTlzv7@qrticket_0&uuid=QZA2_kDzdw==&lang=zh_CN&scan=1494553432',
    });
  });

  it('newloginpage with xxx placeholders: a wxuin that is not digits is a DecodeError at error.wxuin', () => {
    const printed = `<error>
<ret>0</ret>
<message>OK</message>
<skey>xxx</skey>
<wxsid>xxx</wxsid>
<wxuin>xxx</wxuin>
<pass_ticket>xxx</pass_ticket>
<isgrayscale>1</isgrayscale>
</error>`;
    expectRefused(() => decodeNewLoginPage(printed), 'webwxnewloginpage', 'error.wxuin');
  });

  it('newloginpage with the placeholders filled in decodes with message OK and isgrayscale 1', () => {
    expect(decodeNewLoginPage(fixture('seed001.newloginpage.filled.xml'))).toEqual({
      ret: 0,
      message: 'OK',
      skey: '@crypt_5f2a9c1e_4b7d0e3a6c9f2b5e8d1a4c7f0b3e6d9a',
      wxsid: 'Yq0pL3nVx8KcTz2m',
      wxuin: '1386420715',
      passTicket: 'k9Pq%2Bm4Rz1Lx7TnW2vB8cYd%2F3sHf0JgE5uQaZ6iKoNb',
      isgrayscale: 1,
    });
  });

  it('synccheck printed with typographic quotes (”0”) decodes', () => {
    expect(decodeSyncCheck('window.synccheck={retcode:”0”,selector:”0”}')).toEqual({ retcode: 0, selector: 0 });
  });

  it('the synccheck key string of the post is what formatSyncKey writes', () => {
    const key = {
      Count: 4,
      List: [
        { Key: 1, Val: 652651920 },
        { Key: 2, Val: 652651939 },
        { Key: 3, Val: 652651904 },
        { Key: 1000, Val: 0 },
      ],
    } as Parameters<typeof formatSyncKey>[0];
    expect(formatSyncKey(key)).toBe('1_652651920|2_652651939|3_652651904|1000_0');
  });

  it('webwxinit as printed ("ContactList": [...], "Uin": xxx) is not JSON; filled in, it decodes to the values shown', () => {
    expectRefused(() => decodeInit('{\n"BaseResponse": {\n"Ret": 0,\n"ErrMsg": ""\n},\n"Count": 8,\n"ContactList": [...],\n"User": {\n"Uin": xxx}}'), 'webwxinit', '(body)');
    const init = okValue(decodeInit(fixture('seed001.webwxinit.filled.json')));
    expect(init.Count).toBe(8);
    expect(init.ContactList).toHaveLength(8);
    expect(init.SyncKey.Count).toBe(4);
    expect(init.SyncKey.List[0]).toEqual({ Key: 1, Val: 635705559 });
    expect(init.User).toMatchObject({ RemarkName: '', Sex: 1, Signature: 'Apt-get install B', VerifyFlag: 0, ContactFlag: 0, HeadImgFlag: 1, SnsFlag: 17 });
    expect(init).toMatchObject({ ClientVersion: 369297683, SystemTime: 1453124908, GrayScale: 1, InviteStartCount: 40, MPSubscribeMsgCount: 2, ClickReportInterval: 600000 });
    expect(init.MPSubscribeMsgList).toHaveLength(2);
  });

  it('webwxgetcontact filled in: MemberCount 21, Seq 0 and the Urinx official account as printed', () => {
    const page = okValue(decodeGetContact(fixture('seed001.getcontact.filled.json')));
    expect(page.MemberCount).toBe(21);
    expect(page.MemberList).toHaveLength(21);
    expect(page.Seq).toBe(0);
    expect(page.MemberList[0]).toMatchObject({
      Uin: 0,
      NickName: 'Urinx',
      ContactFlag: 3,
      MemberCount: 0,
      MemberList: [],
      Sex: 0,
      Signature: 'xxxx',
      VerifyFlag: 8,
      PYInitial: 'URINX',
      PYQuanPin: 'Urinx',
      Alias: 'Urinxs',
      KeyWord: 'gh_',
      EncryChatRoomId: '',
    });
  });
});

describe('seed 002 (微信web协议的示例分析)', () => {
  it('jslogin with uuid "xxx" (a well-formed uuid)', () => {
    expect(decodeJsLogin('window.QRLogin.code = 200; window.QRLogin.uuid = "xxx"')).toEqual({ code: 200, uuid: 'xxx' });
  });

  it('login poll window.code=xxx; is refused; the codes of its table (408, 201, 200) decode', () => {
    expectRefused(() => decodeLoginPoll('window.code=xxx;'), 'login', '(body)');
    expect(decodeLoginPoll('window.code=408;')).toEqual({ code: 408 });
    expect(decodeLoginPoll('window.code=201;')).toEqual({ code: 201, avatar: null });
    expect(decodeLoginPoll(fixture('login.200.txt')).code).toBe(200);
  });

  it('newloginpage printed with its tags stripped ("0 OK xxx … 1") is refused; restored and filled, it decodes', () => {
    const stripped = '\n    0\n    OK\n    xxx\n    xxx\n    xxx\n    xxx\n    1\n';
    expectRefused(() => decodeNewLoginPage(stripped), 'webwxnewloginpage', '(body)');
    expect(decodeNewLoginPage(fixture('seed002.newloginpage.filled.xml'))).toMatchObject({ ret: 0, message: 'OK', wxuin: '3206117844', isgrayscale: 1 });
  });

  it('synccheck with retcode:"xxx" is refused at synccheck.retcode; the documented values decode', () => {
    expectRefused(() => decodeSyncCheck('window.synccheck={retcode:"xxx",selector:"xxx"}'), 'synccheck', 'synccheck.retcode');
    expect(decodeSyncCheck('window.synccheck={retcode:"1100",selector:"0"}')).toEqual({ retcode: 1100, selector: 0 });
    expect(decodeSyncCheck('window.synccheck={retcode:"0",selector:"7"}')).toEqual({ retcode: 0, selector: 7 });
  });

  it('webwxinit filled in: Count 11 and the values shown', () => {
    const init = okValue(decodeInit(fixture('seed002.webwxinit.filled.json')));
    expect(init.Count).toBe(11);
    expect(init.ContactList).toHaveLength(11);
    expect(init.SyncKey.List[0]).toEqual({ Key: 1, Val: 635705559 });
    expect(init.User.Signature).toBe('Apt-get install B');
    expect(init.ClientVersion).toBe(369297683);
  });

  it('webwxstatusnotify ("BaseResponse" then ...) filled in with a MsgID', () => {
    expect(okValue(decodeStatusNotify(fixture('seed002.statusnotify.filled.json')))).toEqual({
      BaseResponse: { Ret: 0, ErrMsg: '' },
      MsgID: '1394529378128479234',
    });
  });

  it('webwxgetcontact filled in: MemberCount 334 with Urinx (Signature 我是二蛋)', () => {
    const page = okValue(decodeGetContact(fixture('seed002.getcontact.filled.json')));
    expect(page.MemberCount).toBe(334);
    expect(page.MemberList).toHaveLength(334);
    expect(page.MemberList[0]).toMatchObject({ NickName: 'Urinx', Signature: '我是二蛋', VerifyFlag: 8, KeyWord: 'gh_' });
  });

  it('webwxsync printed as a Python dict is not JSON; written as JSON and filled in, it decodes to the values shown', () => {
    expectRefused(() => decodeSync("{\n    'BaseResponse': {'ErrMsg': '', 'Ret': 0},\n    'ContinueFlag': 0\n}"), 'webwxsync', '(body)');
    const sync = okValue(decodeSync(fixture('seed002.webwxsync.filled.json')));
    expect(sync.BaseResponse).toEqual({ ErrMsg: '', Ret: 0 });
    expect(sync.SyncKey.Count).toBe(7);
    expect(sync.SyncKey.List[0]).toEqual({ Val: 636214192, Key: 1 });
    expect(sync).toMatchObject({ ContinueFlag: 0, AddMsgCount: 1, ModChatRoomMemberCount: 0, ModContactList: [], DelContactList: [], ModChatRoomMemberList: [], DelContactCount: 0 });
    expect(sync.AddMsgList).toHaveLength(1);
    expect(sync.AddMsgList[0]).toMatchObject({
      FromUserName: '',
      PlayLength: 0,
      Content: '',
      StatusNotifyUserName: '',
      StatusNotifyCode: 5,
      Status: 3,
      VoiceLength: 0,
      ToUserName: '',
      ForwardFlag: 0,
      AppMsgType: 0,
      AppInfo: { Type: 0, AppID: '' },
      Url: '',
      ImgStatus: 1,
      MsgType: 51,
      ImgHeight: 0,
      MediaId: '',
      FileName: '',
      FileSize: '',
    });
  });

  it('webwxsendmsg ("BaseResponse" then ...) filled in with MsgID and LocalID', () => {
    expect(okValue(decodeSendMsg(fixture('seed002.sendmsg.filled.json')))).toEqual({
      BaseResponse: { Ret: 0, ErrMsg: '' },
      MsgID: '6351937193829113716',
      LocalID: '14563074330129382',
    });
  });
});
