import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { services, DEFAULT_USER_AGENT, type ServiceErrorData } from '../../../src/services/index.js';
import { UOS_CLIENT_VERSION, UOS_EXTSPAM, UOS_REDIRECT_URI, UOS_REFERER } from '../../../src/services/wire.js';
import { CGI, startScriptedServer, type ScriptedServer } from './scripted-server.js';
import { NOW, never, testDeps } from './fixtures.js';

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

async function failureOf(promise: Promise<unknown>): Promise<ServiceErrorData> {
  try {
    await promise;
  } catch (err) {
    return (err as { data: ServiceErrorData }).data;
  }
  throw new Error('expected the call to fail');
}

const paramsOf = (q: URLSearchParams): Record<string, string> => Object.fromEntries(q.entries());

describe('getUuid (jslogin)', () => {
  it('asks the login origin with exactly the web client parameters and decodes the uuid', async () => {
    server.route('/jslogin', { body: 'window.QRLogin.code = 200; window.QRLogin.uuid = "gYmByqjV8Q==";' });
    const answer = await services.getUuid(testDeps(), { loginOrigin: server.origin, uos: false }, never());
    expect(answer).toEqual({ code: 200, uuid: 'gYmByqjV8Q==' });
    const [req] = server.requests;
    expect(req?.method).toBe('GET');
    expect(paramsOf(req!.query)).toEqual({ appid: 'wx782c26e4c19acffb', fun: 'new', lang: 'zh_CN', _: String(NOW) });
    expect(req?.headers.referer).toBe(`${server.origin}/`);
    expect(req?.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
    expect(req?.headers['user-agent']).toMatch(/Mozilla\/5\.0 \(Windows NT/);
  });

  it.each([
    ['the input', { uos: true }, {}],
    ['the client options', { uos: false }, { uos: true }],
  ])('adds the desktop redirect_uri in UOS mode asked by %s', async (_label, input, options) => {
    server.route('/jslogin', { body: 'window.QRLogin.code = 200; window.QRLogin.uuid = "abc==";' });
    await services.getUuid(testDeps(options), { loginOrigin: server.origin, ...input }, never());
    expect(server.requests[0]?.query.get('redirect_uri')).toBe(UOS_REDIRECT_URI);
  });

  it('sends the configured User-Agent', async () => {
    server.route('/jslogin', { body: 'window.QRLogin.code = 200; window.QRLogin.uuid = "abc==";' });
    await services.getUuid(testDeps({ userAgent: 'TestAgent/1.0' }), { loginOrigin: server.origin, uos: false }, never());
    expect(server.requests[0]?.headers['user-agent']).toBe('TestAgent/1.0');
  });
});

describe('pollLogin (login)', () => {
  it('sends loginicon, uuid, tip, r = ~(ms/1579) and _ = ms', async () => {
    server.route(`${CGI}/login`, { body: "window.code=201;window.userAvatar = 'data:img/jpg;base64,AAAA';" });
    const answer = await services.pollLogin(testDeps(), { loginOrigin: server.origin, uuid: 'gYmByqjV8Q==', tip: 1 }, never());
    expect(answer).toEqual({ code: 201, avatar: 'data:img/jpg;base64,AAAA' });
    const req = server.requests[0]!;
    expect(req.method).toBe('GET');
    expect(paramsOf(req.query)).toEqual({
      loginicon: 'true',
      uuid: 'gYmByqjV8Q==',
      tip: '1',
      r: String(~(NOW / 1579)),
      _: String(NOW),
    });
    expect(req.headers.referer).toBe(`${server.origin}/`);
  });

  it('uses the long-poll timeout, not the request timeout, for a held poll', async () => {
    server.route(`${CGI}/login`, () => ({ kind: 'hold' }));
    const deps = testDeps({ requestTimeoutMs: 60_000, longPollTimeoutMs: 150 });
    const failure = await failureOf(services.pollLogin(deps, { loginOrigin: server.origin, uuid: 'u', tip: 0 }, never()));
    expect(failure).toMatchObject({ code: 'timeout', endpoint: 'login' });
    expect(failure.message).toContain('150 ms');
  });

  it('an abort of the signal cancels the held request on the wire', async () => {
    server.route(`${CGI}/login`, { kind: 'hold' });
    const controller = new AbortController();
    const pending = services.pollLogin(testDeps(), { loginOrigin: server.origin, uuid: 'u', tip: 1 }, controller.signal);
    const req = await server.nextRequest(`${CGI}/login`);
    controller.abort();
    expect(await failureOf(pending)).toMatchObject({ code: 'aborted', endpoint: 'login' });
    await req.closed; // the server saw the connection go away
  });

  it('an already aborted signal sends nothing', async () => {
    server.route(`${CGI}/login`, { body: 'window.code=408;' });
    const failure = await failureOf(services.pollLogin(testDeps(), { loginOrigin: server.origin, uuid: 'u', tip: 1 }, AbortSignal.abort()));
    expect(failure.code).toBe('aborted');
    expect(server.requests).toHaveLength(0);
  });

  it("a caller's AbortSignal.timeout is reported as a timeout", async () => {
    server.route(`${CGI}/login`, { kind: 'hold' });
    const failure = await failureOf(
      services.pollLogin(testDeps(), { loginOrigin: server.origin, uuid: 'u', tip: 1 }, AbortSignal.timeout(100)),
    );
    expect(failure).toMatchObject({ code: 'timeout', endpoint: 'login' });
  });
});

const XML_OK =
  '<error><ret>0</ret><message></message><skey>@crypt_abcd_1234</skey><wxsid>SidSid123</wxsid>' +
  '<wxuin>2517452105</wxuin><pass_ticket>MX4l%2Fx%2By</pass_ticket><isgrayscale>1</isgrayscale></error>';

describe('newLoginPage (webwxnewloginpage)', () => {
  const redirectPath = `${CGI}/webwxnewloginpage`;
  const redirectUri = (): string =>
    `${server.origin}${redirectPath}?ticket=A8qwapRV_lQ44viWM0mZmnpm@qrticket_0&uuid=gYmByqjV8Q==&lang=zh_CN&scan=1527848607`;

  it('appends fun=new&version=v2 to the redirect and decodes the credentials', async () => {
    server.route(redirectPath, { body: XML_OK });
    const answer = await services.newLoginPage(testDeps(), { redirectUri: redirectUri(), uos: false }, never());
    expect(answer).toEqual({
      ret: 0,
      message: '',
      skey: '@crypt_abcd_1234',
      wxsid: 'SidSid123',
      wxuin: '2517452105',
      passTicket: 'MX4l%2Fx%2By',
      isgrayscale: 1,
    });
    const req = server.requests[0]!;
    expect(req.rawUrl.endsWith('&scan=1527848607&fun=new&version=v2')).toBe(true);
    expect(paramsOf(req.query)).toEqual({
      ticket: 'A8qwapRV_lQ44viWM0mZmnpm@qrticket_0',
      uuid: 'gYmByqjV8Q==',
      lang: 'zh_CN',
      scan: '1527848607',
      fun: 'new',
      version: 'v2',
    });
    expect(req.headers.referer).toBe(`${server.origin}/`);
    expect(req.headers.extspam).toBeUndefined();
    expect(req.headers['client-version']).toBeUndefined();
  });

  it('takes the XML of a 301 and does not follow its Location', async () => {
    server.route(redirectPath, { status: 301, headers: { location: `${server.origin}/elsewhere` }, body: XML_OK });
    server.route('/elsewhere', { body: 'followed' });
    const answer = await services.newLoginPage(testDeps(), { redirectUri: redirectUri(), uos: false }, never());
    expect(answer.ret).toBe(0);
    expect(server.requests.map((r) => r.path)).toEqual([redirectPath]);
  });

  it('a 302 is not an answer: httpStatus, and still not followed', async () => {
    server.route(redirectPath, { status: 302, headers: { location: `${server.origin}/elsewhere` }, body: XML_OK });
    server.route('/elsewhere', { body: 'followed' });
    const failure = await failureOf(services.newLoginPage(testDeps(), { redirectUri: redirectUri(), uos: false }, never()));
    expect(failure).toMatchObject({ code: 'httpStatus', status: 302, endpoint: 'webwxnewloginpage' });
    expect(server.requests.map((r) => r.path)).toEqual([redirectPath]);
  });

  it('sends the desktop headers in UOS mode', async () => {
    server.route(redirectPath, { body: XML_OK });
    await services.newLoginPage(testDeps(), { redirectUri: redirectUri(), uos: true }, never());
    const req = server.requests[0]!;
    expect(req.headers['client-version']).toBe(UOS_CLIENT_VERSION);
    expect(req.headers['client-version']).toBe('2.0.0');
    expect(req.headers.extspam).toBe(UOS_EXTSPAM);
    expect(req.headers.referer).toBe(UOS_REFERER);
    expect(req.headers.referer).toBe('https://wx.qq.com/?&lang=zh_CN&target=t');
  });

  it('the extspam constant is canonical base64', () => {
    expect(Buffer.from(UOS_EXTSPAM, 'base64').toString('base64')).toBe(UOS_EXTSPAM);
    expect(UOS_EXTSPAM.length).toBeGreaterThan(1000);
  });

  it('answers a refusal (ret 1203) as data with the server message', async () => {
    const message = '为了你的帐号安全，此微信号不能登录网页微信。';
    server.route(redirectPath, { body: `<error><ret>1203</ret><message>${message}</message></error>` });
    const answer = await services.newLoginPage(testDeps(), { redirectUri: redirectUri(), uos: false }, never());
    expect(answer).toEqual({ ret: 1203, message });
  });
});
