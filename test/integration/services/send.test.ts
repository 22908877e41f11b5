import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { services } from '../../../src/services/index.js';
import { CGI, startScriptedServer, type ScriptedServer } from './scripted-server.js';
import { CREDENTIALS, hostsOf, never, okBase, testDeps } from './fixtures.js';

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

describe('sendText (webwxsendmsg)', () => {
  it('POSTs Scene 0 and a Type 1 Msg whose LocalID equals ClientMsgId', async () => {
    server.route(`${CGI}/webwxsendmsg`, {
      body: JSON.stringify({ BaseResponse: okBase, MsgID: '5021713920818390290', LocalID: '17000001234560042' }),
    });
    const content = '你好 <b>&amp;</b> 😀\nline two';
    const answer = await services.sendText(
      testDeps(),
      { hosts: hostsOf(server.origin), credentials: CREDENTIALS, from: '@self', to: '@friend', content, clientMsgId: '17000001234560042' },
      never(),
    );
    expect(answer).toEqual({ ok: true, value: { BaseResponse: okBase, MsgID: '5021713920818390290', LocalID: '17000001234560042' } });
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(req.headers.referer).toBe(`${server.origin}/`);
    expect(Object.fromEntries(req.query.entries())).toEqual({ lang: 'zh_CN', pass_ticket: CREDENTIALS.passTicket });
    expect(req.rawUrl).toContain('pass_ticket=MX4l%252Fabc%252Bdef%253Dghi');
    expect(JSON.parse(req.body)).toEqual({
      BaseRequest: { Uin: 2517452105, Sid: CREDENTIALS.wxsid, Skey: CREDENTIALS.skey, DeviceID: CREDENTIALS.deviceId },
      Scene: 0,
      Msg: { Type: 1, Content: content, FromUserName: '@self', ToUserName: '@friend', LocalID: '17000001234560042', ClientMsgId: '17000001234560042' },
    });
  });

  it('answers a 1205 (sending too often) as data', async () => {
    server.route(`${CGI}/webwxsendmsg`, { body: JSON.stringify({ BaseResponse: { Ret: 1205, ErrMsg: '' } }) });
    const answer = await services.sendText(
      testDeps(),
      { hosts: hostsOf(server.origin), credentials: CREDENTIALS, from: '@self', to: '@x', content: 'a', clientMsgId: '1' },
      never(),
    );
    expect(answer).toEqual({ ok: false, ret: 1205, errMsg: '' });
  });

  it('keeps one DeviceID across every call of a session', async () => {
    server.route(`${CGI}/webwxsendmsg`, { body: JSON.stringify({ BaseResponse: okBase, MsgID: '1' }) });
    const deps = testDeps({ random: Math.random });
    for (let i = 0; i < 3; i += 1) {
      await services.sendText(
        deps,
        { hosts: hostsOf(server.origin), credentials: CREDENTIALS, from: '@self', to: '@x', content: String(i), clientMsgId: String(i) },
        never(),
      );
    }
    const ids = new Set(server.requests.map((r) => JSON.parse(r.body).BaseRequest.DeviceID as string));
    expect([...ids]).toEqual([CREDENTIALS.deviceId]);
  });
});
