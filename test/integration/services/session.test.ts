import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { services, type ServiceErrorData } from '../../../src/services/index.js';
import { CGI, startScriptedServer, type ScriptedServer } from './scripted-server.js';
import { CREDENTIALS, hostsOf, NOW, never, okBase, testDeps } from './fixtures.js';

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

const session = () => ({ hosts: hostsOf(server.origin), credentials: CREDENTIALS });
const paramsOf = (q: URLSearchParams): Record<string, string> => Object.fromEntries(q.entries());
const BASE_REQUEST = { Uin: 2517452105, Sid: CREDENTIALS.wxsid, Skey: CREDENTIALS.skey, DeviceID: CREDENTIALS.deviceId };
/** pass_ticket's text encoded once more, as the official client sends it. */
const PT_ON_WIRE = 'pass_ticket=MX4l%252Fabc%252Bdef%253Dghi';

const INIT_ANSWER = {
  BaseResponse: okBase,
  User: { Uin: 2517452105, UserName: '@self', NickName: '我' },
  SyncKey: { Count: 2, List: [{ Key: 1, Val: 652651920 }, { Key: 2, Val: 652651939 }] },
  ContactList: [{ UserName: '@@group1', NickName: '群' }],
  SKey: '@crypt_new',
};

async function failureOf(promise: Promise<unknown>): Promise<ServiceErrorData> {
  try {
    await promise;
  } catch (err) {
    return (err as { data: ServiceErrorData }).data;
  }
  throw new Error('expected the call to fail');
}

function expectJsonPost(req: { method: string; headers: Record<string, unknown> }): void {
  expect(req.method).toBe('POST');
  expect(req.headers['content-type']).toBe('application/json; charset=UTF-8');
  expect(req.headers.referer).toBe(`${server.origin}/`);
}

describe('webwxInit', () => {
  it('POSTs BaseRequest (Uin as a number) with r, lang and the double-encoded pass_ticket', async () => {
    server.route(`${CGI}/webwxinit`, { body: JSON.stringify(INIT_ANSWER) });
    const answer = await services.webwxInit(testDeps(), session(), never());
    expect(answer.ok && answer.value.User.UserName).toBe('@self');
    expect(answer.ok && answer.value.SKey).toBe('@crypt_new');
    const req = server.requests[0]!;
    expectJsonPost(req);
    expect(paramsOf(req.query)).toEqual({ r: String(~NOW), lang: 'zh_CN', pass_ticket: CREDENTIALS.passTicket });
    expect(req.rawUrl).toContain(PT_ON_WIRE);
    expect(JSON.parse(req.body)).toEqual({ BaseRequest: BASE_REQUEST });
    expect(typeof JSON.parse(req.body).BaseRequest.Uin).toBe('number');
  });

  it('answers a non-zero Ret as data, not as a failure', async () => {
    server.route(`${CGI}/webwxinit`, { body: JSON.stringify({ BaseResponse: { Ret: 1101, ErrMsg: '' } }) });
    expect(await services.webwxInit(testDeps(), session(), never())).toEqual({ ok: false, ret: 1101, errMsg: '' });
  });
});

describe('statusNotify', () => {
  it('POSTs Code 3 from self to self with a ms ClientMsgId', async () => {
    server.route(`${CGI}/webwxstatusnotify`, { body: JSON.stringify({ BaseResponse: okBase, MsgID: '4417710483581766453' }) });
    const answer = await services.statusNotify(testDeps(), { ...session(), userName: '@self' }, never());
    expect(answer).toEqual({ ok: true, value: { BaseResponse: okBase, MsgID: '4417710483581766453' } });
    const req = server.requests[0]!;
    expectJsonPost(req);
    expect(paramsOf(req.query)).toEqual({ lang: 'zh_CN', pass_ticket: CREDENTIALS.passTicket });
    expect(req.rawUrl).toContain(PT_ON_WIRE);
    expect(JSON.parse(req.body)).toEqual({
      BaseRequest: BASE_REQUEST,
      Code: 3,
      FromUserName: '@self',
      ToUserName: '@self',
      ClientMsgId: NOW,
    });
  });
});

describe('getContact', () => {
  it('GETs a page with lang, pass_ticket, r, seq and skey', async () => {
    const page = { BaseResponse: okBase, MemberCount: 1, MemberList: [{ UserName: '@a', NickName: '张三😀' }], Seq: 77 };
    // A wrong charset label must not change how the bytes are read: always UTF-8.
    server.route(`${CGI}/webwxgetcontact`, {
      headers: { 'content-type': 'text/plain; charset=gbk' },
      body: Buffer.from(JSON.stringify(page), 'utf8'),
    });
    const answer = await services.getContact(testDeps(), { ...session(), seq: 42 }, never());
    expect(answer.ok && answer.value.Seq).toBe(77);
    expect(answer.ok && answer.value.MemberList[0]?.NickName).toBe('张三😀');
    const req = server.requests[0]!;
    expect(req.method).toBe('GET');
    expect(req.headers.referer).toBe(`${server.origin}/`);
    expect(paramsOf(req.query)).toEqual({
      lang: 'zh_CN',
      pass_ticket: CREDENTIALS.passTicket,
      r: String(NOW),
      seq: '42',
      skey: CREDENTIALS.skey,
    });
    expect(req.rawUrl).toContain(PT_ON_WIRE);
  });
});

describe('batchGetContact', () => {
  it('POSTs type=ex with Count and List of {UserName, EncryChatRoomId: ""}', async () => {
    server.route(`${CGI}/webwxbatchgetcontact`, {
      body: JSON.stringify({ BaseResponse: okBase, Count: 1, ContactList: [{ UserName: '@@g', NickName: 'G', MemberList: [{ UserName: '@m' }] }] }),
    });
    const answer = await services.batchGetContact(testDeps(), { ...session(), userNames: ['@@g', '@x'] }, never());
    expect(answer.ok && answer.value.ContactList[0]?.MemberList?.[0]?.UserName).toBe('@m');
    const req = server.requests[0]!;
    expectJsonPost(req);
    expect(paramsOf(req.query)).toEqual({ type: 'ex', r: String(NOW), lang: 'zh_CN', pass_ticket: CREDENTIALS.passTicket });
    expect(JSON.parse(req.body)).toEqual({
      BaseRequest: BASE_REQUEST,
      Count: 2,
      List: [
        { UserName: '@@g', EncryChatRoomId: '' },
        { UserName: '@x', EncryChatRoomId: '' },
      ],
    });
  });

  it('accepts 50 names and refuses 51 without sending anything', async () => {
    server.route(`${CGI}/webwxbatchgetcontact`, { body: JSON.stringify({ BaseResponse: okBase, ContactList: [] }) });
    const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `@u${i}`);
    await services.batchGetContact(testDeps(), { ...session(), userNames: names(50) }, never());
    expect(JSON.parse(server.requests[0]!.body).Count).toBe(50);
    await expect(services.batchGetContact(testDeps(), { ...session(), userNames: names(51) }, never())).rejects.toThrow(RangeError);
    expect(server.requests).toHaveLength(1);
  });
});

describe('pushLogin', () => {
  it('GETs webwxpushloginurl?uin= and decodes the new uuid', async () => {
    server.route(`${CGI}/webwxpushloginurl`, { body: '{"ret":"0","msg":"all ok","uuid":"Ab12Cd34=="}' });
    const answer = await services.pushLogin(testDeps(), { hosts: hostsOf(server.origin), wxuin: CREDENTIALS.wxuin }, never());
    expect(answer).toEqual({ ok: true, uuid: 'Ab12Cd34==' });
    const req = server.requests[0]!;
    expect(req.method).toBe('GET');
    expect(req.rawUrl).toBe(`${CGI}/webwxpushloginurl?uin=2517452105`);
    expect(req.headers.referer).toBe(`${server.origin}/`);
  });
});

describe('logout', () => {
  it('POSTs redirect=1&type=0&skey with the form sid and uin', async () => {
    server.route(`${CGI}/webwxlogout`, { status: 301, headers: { location: '/' }, body: '' });
    await expect(services.logout(testDeps(), session(), never())).resolves.toBeUndefined();
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(paramsOf(req.query)).toEqual({ redirect: '1', type: '0', skey: CREDENTIALS.skey });
    expect(req.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(paramsOf(new URLSearchParams(req.body))).toEqual({ sid: CREDENTIALS.wxsid, uin: CREDENTIALS.wxuin });
    expect(server.requests.map((r) => r.path)).toEqual([`${CGI}/webwxlogout`]);
  });

  it.each([
    ['a 500', { status: 500, body: 'oops' }],
    ['a dropped connection', { kind: 'destroy' as const }],
    ['garbage', { body: '\u0000\u0001not anything' }],
  ])('never fails the caller on %s', async (_label, reply) => {
    server.route(`${CGI}/webwxlogout`, reply);
    await expect(services.logout(testDeps(), session(), never())).resolves.toBeUndefined();
  });

  it('gives up on a server that never answers after its own short deadline, not the 60 s every other request would wait', { timeout: 20_000 }, async () => {
    server.route(`${CGI}/webwxlogout`, { kind: 'hold' });
    const pending = services.logout(testDeps({ requestTimeoutMs: 60_000 }), session(), never());
    await server.nextRequest(`${CGI}/webwxlogout`);
    const outcome = await Promise.race([pending.then(() => 'resolved'), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 15_000))]);
    expect(outcome).toBe('resolved');
  });

  it('does fail with aborted when the caller aborts', async () => {
    server.route(`${CGI}/webwxlogout`, { kind: 'hold' });
    const controller = new AbortController();
    const pending = services.logout(testDeps(), session(), controller.signal);
    await server.nextRequest(`${CGI}/webwxlogout`);
    controller.abort();
    expect(await failureOf(pending)).toMatchObject({ code: 'aborted', endpoint: 'webwxlogout' });
  });
});
