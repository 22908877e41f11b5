import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { services, serializeCookies, createServiceDeps, type ServiceErrorData } from '../../../src/services/index.js';
import { CGI, startScriptedServer, type RecordedRequest, type ScriptedServer } from './scripted-server.js';
import { CREDENTIALS, hostsOf, NOW, never, okBase, testDeps } from './fixtures.js';
import { formatSyncKey, type SyncKey } from '../../../src/codecs/index.js';

// Two servers: the main host and the push host (synccheck only), as in production.
let main: ScriptedServer;
let push: ScriptedServer;
beforeEach(async () => {
  main = await startScriptedServer();
  push = await startScriptedServer();
});
afterEach(async () => {
  await main.close();
  await push.close();
});

const session = () => ({ hosts: hostsOf(main.origin, push.origin), credentials: CREDENTIALS });
const paramsOf = (q: URLSearchParams): Record<string, string> => Object.fromEntries(q.entries());
const SYNC_KEY = {
  Count: 4,
  List: [
    { Key: 1, Val: 652651920 },
    { Key: 2, Val: 652651939 },
    { Key: 3, Val: 652651904 },
    { Key: 1000, Val: 0 },
  ],
} as never;
const XML_OK =
  '<error><ret>0</ret><message></message><skey>@crypt_abcd_1234</skey><wxsid>SidSid123</wxsid>' +
  '<wxuin>2517452105</wxuin><pass_ticket>MX4l%2Fx%2By</pass_ticket><isgrayscale>1</isgrayscale></error>';
const SYNC_ANSWER = {
  BaseResponse: okBase,
  AddMsgCount: 1,
  AddMsgList: [{ MsgId: '123', FromUserName: '@a', ToUserName: '@self', MsgType: 1, Content: 'hi', CreateTime: 1 }],
  SyncKey: SYNC_KEY,
  SyncCheckKey: SYNC_KEY,
  ContinueFlag: 0,
};

/** Polls `probe` until it gives something truthy (the server records requests as they arrive). */
async function waitFor<T>(probe: () => T | null | undefined | false): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error('waitFor: gave up');
}

async function failureOf(promise: Promise<unknown>): Promise<ServiceErrorData> {
  try {
    await promise;
  } catch (err) {
    return (err as { data: ServiceErrorData }).data;
  }
  throw new Error('expected the call to fail');
}

describe('syncCheck', () => {
  it('GETs the push host with r, skey, sid, uin, deviceid, synckey and _', async () => {
    push.route(`${CGI}/synccheck`, { body: 'window.synccheck={retcode:"0",selector:"2"}' });
    const answer = await services.syncCheck(testDeps(), { ...session(), syncKey: SYNC_KEY }, never());
    expect(answer).toEqual({ retcode: 0, selector: 2 });
    expect(main.requests).toHaveLength(0);
    const req = push.requests[0]!;
    expect(req.method).toBe('GET');
    expect(paramsOf(req.query)).toEqual({
      r: String(NOW),
      skey: CREDENTIALS.skey,
      sid: CREDENTIALS.wxsid,
      uin: CREDENTIALS.wxuin,
      deviceid: CREDENTIALS.deviceId,
      synckey: '1_652651920|2_652651939|3_652651904|1000_0',
      _: String(NOW),
    });
    // The push host is called as from the web page on the main host.
    expect(req.headers.referer).toBe(`${main.origin}/`);
  });

  it('answers retcode 1101 as data', async () => {
    push.route(`${CGI}/synccheck`, { body: 'window.synccheck={retcode:"1101",selector:"0"}' });
    expect(await services.syncCheck(testDeps(), { ...session(), syncKey: SYNC_KEY }, never())).toEqual({ retcode: 1101, selector: 0 });
  });

  it('passes every retcode as data: the machine, not the service, decides what a retcode means', async () => {
    for (const retcode of [1100, 1102, -1, 1205]) {
      push.route(`${CGI}/synccheck`, { body: `window.synccheck={retcode:"${retcode}",selector:"2"}` });
      expect(await services.syncCheck(testDeps(), { ...session(), syncKey: SYNC_KEY }, never())).toEqual({ retcode, selector: 2 });
    }
  });

  it('a hold past the long-poll timeout is a timeout of synccheck', async () => {
    push.route(`${CGI}/synccheck`, { kind: 'hold' });
    const deps = testDeps({ longPollTimeoutMs: 150 });
    expect(await failureOf(services.syncCheck(deps, { ...session(), syncKey: SYNC_KEY }, never()))).toMatchObject({
      code: 'timeout',
      endpoint: 'synccheck',
    });
  });

  it('a held synccheck is not cut by the (shorter) request timeout', async () => {
    push.route(`${CGI}/synccheck`, () => ({ kind: 'hold' }));
    const deps = testDeps({ requestTimeoutMs: 50, longPollTimeoutMs: 5_000 });
    const controller = new AbortController();
    const pending = services.syncCheck(deps, { ...session(), syncKey: SYNC_KEY }, controller.signal);
    const req = await push.nextRequest(`${CGI}/synccheck`);
    // Outlive the request timeout several times over, then end the poll ourselves.
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort();
    expect((await failureOf(pending)).code).toBe('aborted');
    await req.closed;
  });
});

describe('webwxSync', () => {
  it('POSTs sid, skey, lang, pass_ticket with BaseRequest, SyncKey and rr = ~seconds', async () => {
    main.route(`${CGI}/webwxsync`, { body: JSON.stringify(SYNC_ANSWER) });
    const answer = await services.webwxSync(testDeps(), { ...session(), syncKey: SYNC_KEY }, never());
    expect(answer.ok && answer.value.AddMsgList.map((m) => m.MsgId)).toEqual(['123']);
    const req = main.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(req.headers.referer).toBe(`${main.origin}/`);
    expect(paramsOf(req.query)).toEqual({
      sid: CREDENTIALS.wxsid,
      skey: CREDENTIALS.skey,
      lang: 'zh_CN',
      pass_ticket: CREDENTIALS.passTicket,
    });
    expect(req.rawUrl).toContain('pass_ticket=MX4l%252Fabc%252Bdef%253Dghi');
    expect(JSON.parse(req.body)).toEqual({
      BaseRequest: { Uin: 2517452105, Sid: CREDENTIALS.wxsid, Skey: CREDENTIALS.skey, DeviceID: CREDENTIALS.deviceId },
      SyncKey: SYNC_KEY,
      rr: ~Math.floor(NOW / 1000),
    });
  });
});

describe('webwxSync read-ahead (ContinueFlag)', () => {
  const keyOf = (val: number) => ({ Count: 1, List: [{ Key: 1, Val: val }] }) as never;
  const keyText = (req: RecordedRequest): string => formatSyncKey((JSON.parse(req.body) as { SyncKey: SyncKey }).SyncKey);
  /** Page n answers message `m<n>`, the key Val n + 1, and ContinueFlag until `last`. */
  const pages = (last: number, extra: (n: number) => object = () => ({})) => (req: RecordedRequest) => {
    const n = Number(keyText(req).split('_')[1]);
    return {
      body: JSON.stringify({
        ...SYNC_ANSWER,
        AddMsgList: [{ ...SYNC_ANSWER.AddMsgList[0], MsgId: `m${n}` }],
        SyncKey: keyOf(n + 1),
        SyncCheckKey: keyOf(n + 1),
        ContinueFlag: n < last ? 1 : 0,
        ...extra(n),
      }),
    };
  };
  const input = (val: number) => ({ ...session(), syncKey: keyOf(val) });
  const sentKeys = (): string[] => main.requests.filter((r) => r.path === `${CGI}/webwxsync`).map(keyText);
  const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  // The clock shows when a request was built: `rr` is ~seconds of deps.now() at send time.
  const clock = { ms: NOW };
  const clockedDeps = () => testDeps({ now: () => clock.ms });
  const rrOf = (req: RecordedRequest): number => (JSON.parse(req.body) as { rr: number }).rr;
  const builtAt = (ms: number): number => ~Math.floor(ms / 1000);
  beforeEach(() => {
    clock.ms = NOW;
  });

  it('sends the next page as soon as one is read, and the call for it takes that request over', async () => {
    main.route(`${CGI}/webwxsync`, pages(3));
    const deps = clockedDeps();
    const first = await services.webwxSync(deps, input(1), never());
    expect(first.ok && first.value.ContinueFlag).toBe(1);
    // The machine asks for page 2 in the turn that delivered page 1 (no timer, no I/O between).
    clock.ms = NOW + 60_000;
    const second = await services.webwxSync(deps, input(2), never());
    expect(second.ok && second.value.AddMsgList.map((m) => m.MsgId)).toEqual(['m2']);
    clock.ms = NOW + 120_000;
    const third = await services.webwxSync(deps, input(3), never());
    expect(third.ok && third.value.AddMsgList.map((m) => m.MsgId)).toEqual(['m3']);
    await nextTurn();
    await nextTurn();
    // One request per page, each built while the page before it was read (the clock had not
    // moved yet), and none after the last page (ContinueFlag 0).
    expect(sentKeys()).toEqual(['1_1', '1_2', '1_3']);
    const sync = main.requests.filter((r) => r.path === `${CGI}/webwxsync`);
    expect(sync.map(rrOf)).toEqual([builtAt(NOW), builtAt(NOW), builtAt(NOW + 60_000)]);
  });

  it('drops a read-ahead nobody asks for in the same turn: a later call sends its own request', async () => {
    main.route(`${CGI}/webwxsync`, (req) => (keyText(req) === '1_1' ? pages(5)(req) : { kind: 'hold' }));
    const deps = clockedDeps();
    await services.webwxSync(deps, input(1), never());
    await nextTurn();
    await nextTurn();
    main.route(`${CGI}/webwxsync`, pages(1));
    clock.ms = NOW + 60_000;
    const later = await services.webwxSync(deps, input(2), never());
    expect(later.ok && later.value.AddMsgList.map((m) => m.MsgId)).toEqual(['m2']);
    const forPage2 = main.requests.filter((r) => r.path === `${CGI}/webwxsync` && keyText(r) === '1_2');
    // The answer came from a request built by the later call; the read-ahead, if it reached the
    // server at all before it was aborted, had its connection closed without an answer.
    expect(rrOf(forPage2.at(-1)!)).toBe(builtAt(NOW + 60_000));
    const dropped = forPage2.filter((r) => rrOf(r) === builtAt(NOW));
    expect(dropped.length).toBeLessThanOrEqual(1);
    await Promise.all(dropped.map((r) => r.closed));
  });

  it('does not hand a read-ahead to a call that asks for something else', async () => {
    main.route(`${CGI}/webwxsync`, pages(5));
    const deps = testDeps();
    await services.webwxSync(deps, input(1), never());
    // The machine asks for another key (or with other credentials) in the same turn.
    const other = await services.webwxSync(deps, input(7), never());
    expect(other.ok && other.value.AddMsgList.map((m) => m.MsgId)).toEqual(['m7']);
    const rotated = { ...input(8), credentials: { ...CREDENTIALS, skey: '@crypt_other' } };
    await services.webwxSync(deps, rotated, never());
    const last = main.requests.at(-1)!;
    expect(paramsOf(last.query)['skey']).toBe('@crypt_other');
    expect(keyText(last)).toBe('1_8');
  });

  it('sends nothing ahead without ContinueFlag, with a new skey, or with a key that does not move', async () => {
    const cases: [string, (n: number) => object][] = [
      ['last page', () => ({ ContinueFlag: 0 })],
      ['new skey', () => ({ SKey: '@crypt_rotated' })],
      ['same key', (n) => ({ SyncKey: keyOf(n), SyncCheckKey: keyOf(n) })],
      ['refused', () => ({ BaseResponse: { Ret: 1101, ErrMsg: '' } })],
    ];
    for (const [, extra] of cases) {
      main.requests.length = 0;
      main.route(`${CGI}/webwxsync`, pages(9, extra));
      await services.webwxSync(testDeps(), input(1), never());
      await nextTurn();
      await nextTurn();
      expect(sentKeys()).toEqual(['1_1']);
    }
  });

  it("gives the taking call the read-ahead's failure, with the secrets masked", async () => {
    main.route(`${CGI}/webwxsync`, (req) =>
      keyText(req) === '1_1' ? pages(5)(req) : { status: 500, body: `boom ${CREDENTIALS.skey} ${CREDENTIALS.wxsid}` },
    );
    const deps = testDeps();
    await services.webwxSync(deps, input(1), never());
    const failure = await failureOf(services.webwxSync(deps, input(2), never()));
    expect(failure.code).toBe('httpStatus');
    expect(JSON.stringify(failure)).not.toContain(CREDENTIALS.skey);
    expect(sentKeys()).toEqual(['1_1', '1_2']);
  });

  it("aborts the taken-over request with the taking call's signal", async () => {
    main.route(`${CGI}/webwxsync`, (req) => (keyText(req) === '1_1' ? pages(5)(req) : { kind: 'hold' }));
    const deps = testDeps();
    await services.webwxSync(deps, input(1), never());
    const stop = new AbortController();
    const pending = services.webwxSync(deps, input(2), stop.signal);
    const held = await waitFor(() => main.requests.find((r) => keyText(r) === '1_2'));
    stop.abort();
    expect((await failureOf(pending)).code).toBe('aborted');
    await held.closed;
    expect(sentKeys()).toEqual(['1_1', '1_2']);
  });
});

describe('the cookie jar', () => {
  const loginThenSync = async (deps = testDeps()): Promise<void> => {
    await services.newLoginPage(deps, { redirectUri: `${main.origin}${CGI}/webwxnewloginpage?ticket=t@qrticket_0`, uos: false }, never());
    await services.syncCheck(deps, { ...session(), syncKey: SYNC_KEY }, never());
    await services.webwxSync(deps, { ...session(), syncKey: SYNC_KEY }, never());
  };
  const cookiesOf = (header: string | string[] | undefined): Record<string, string> =>
    Object.fromEntries(
      String(header ?? '')
        .split(/;\s*/)
        .filter((p) => p.includes('='))
        .map((p) => p.split('=') as [string, string]),
    );

  beforeEach(() => {
    main.route(`${CGI}/webwxnewloginpage`, {
      status: 301,
      headers: {
        location: `${main.origin}/`,
        'set-cookie': ['wxuin=2517452105; Path=/', 'wxsid=SidSid123; Path=/', 'webwx_data_ticket=gSc1vXg%2Bz; Path=/'],
      },
      body: XML_OK,
    });
    push.route(`${CGI}/synccheck`, { body: 'window.synccheck={retcode:"0",selector:"0"}' });
    main.route(`${CGI}/webwxsync`, { body: JSON.stringify(SYNC_ANSWER) });
  });

  it('carries the cookies set by newloginpage (even on a 301) to synccheck and webwxsync', async () => {
    await loginThenSync();
    const expected = { wxuin: '2517452105', wxsid: 'SidSid123', webwx_data_ticket: 'gSc1vXg%2Bz' };
    expect(cookiesOf(push.requests[0]?.headers.cookie)).toEqual(expected);
    expect(cookiesOf(main.requests[1]?.headers.cookie)).toEqual(expected);
  });

  it('two clients in one process share no cookies', async () => {
    await loginThenSync(testDeps());
    await services.syncCheck(testDeps(), { ...session(), syncKey: SYNC_KEY }, never());
    expect(push.requests).toHaveLength(2);
    expect(push.requests[0]?.headers.cookie).toBeDefined();
    expect(push.requests[1]?.headers.cookie).toBeUndefined();
  });

  it('a serialized jar restores into a new client that sends the same cookies', async () => {
    const first = testDeps();
    await loginThenSync(first);
    const restored = createServiceDeps({ cookies: JSON.parse(JSON.stringify(serializeCookies(first))) as unknown });
    await services.syncCheck(restored, { ...session(), syncKey: SYNC_KEY }, never());
    expect(cookiesOf(push.requests[1]?.headers.cookie)).toEqual(cookiesOf(push.requests[0]?.headers.cookie));
  });

  it('a refused Set-Cookie (foreign domain) is dropped without failing the login', async () => {
    main.route(`${CGI}/webwxnewloginpage`, {
      headers: { 'set-cookie': ['evil=1; Domain=example.com; Path=/', 'wxuin=1; Path=/'] },
      body: XML_OK,
    });
    await loginThenSync();
    expect(cookiesOf(push.requests[0]?.headers.cookie)).toEqual({ wxuin: '1' });
  });
});
