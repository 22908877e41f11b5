import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { services, ServiceFailure, type ServiceDeps, type ServiceErrorData } from '../../../src/services/index.js';
import type { SessionCredentials } from '../../../src/services/types.js';
import { CGI, startScriptedServer, type Reply, type ScriptedServer } from './scripted-server.js';
import { CREDENTIALS, hostsOf, never, okBase, testDeps } from './fixtures.js';

const SYNC_KEY = { Count: 1, List: [{ Key: 1, Val: 2 }] } as never;

async function failureOf(promise: Promise<unknown>): Promise<ServiceFailure> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ServiceFailure) return err;
    throw new Error(`expected a ServiceFailure, got ${String(err)}`);
  }
  throw new Error('expected the call to fail');
}

type Call = (deps: ServiceDeps, origin: string, credentials?: SessionCredentials, signal?: AbortSignal) => Promise<unknown>;

/** One call per endpoint family, all against one origin. */
const CALLS: Record<string, { path: string; endpoint: string; call: Call }> = {
  jslogin: {
    path: '/jslogin',
    endpoint: 'jslogin',
    call: (deps, origin, _c, signal = never()) => services.getUuid(deps, { loginOrigin: origin, uos: false }, signal),
  },
  webwxinit: {
    path: `${CGI}/webwxinit`,
    endpoint: 'webwxinit',
    call: (deps, origin, credentials = CREDENTIALS, signal = never()) =>
      services.webwxInit(deps, { hosts: hostsOf(origin), credentials }, signal),
  },
  webwxgetcontact: {
    path: `${CGI}/webwxgetcontact`,
    endpoint: 'webwxgetcontact',
    call: (deps, origin, credentials = CREDENTIALS, signal = never()) =>
      services.getContact(deps, { hosts: hostsOf(origin), credentials, seq: 0 }, signal),
  },
  synccheck: {
    path: `${CGI}/synccheck`,
    endpoint: 'synccheck',
    call: (deps, origin, credentials = CREDENTIALS, signal = never()) =>
      services.syncCheck(deps, { hosts: hostsOf(origin), credentials, syncKey: SYNC_KEY }, signal),
  },
  webwxsync: {
    path: `${CGI}/webwxsync`,
    endpoint: 'webwxsync',
    call: (deps, origin, credentials = CREDENTIALS, signal = never()) =>
      services.webwxSync(deps, { hosts: hostsOf(origin), credentials, syncKey: SYNC_KEY }, signal),
  },
  webwxsendmsg: {
    path: `${CGI}/webwxsendmsg`,
    endpoint: 'webwxsendmsg',
    call: (deps, origin, credentials = CREDENTIALS, signal = never()) =>
      services.sendText(deps, { hosts: hostsOf(origin), credentials, from: '@a', to: '@b', content: 'x', clientMsgId: '1' }, signal),
  },
};

describe('failures become typed data', () => {
  let server: ScriptedServer;
  beforeEach(async () => {
    server = await startScriptedServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it.each(Object.entries(CALLS))('%s: a 5xx is httpStatus with the status', async (_name, { path, endpoint, call }) => {
    server.route(path, { status: 503, body: 'Service Unavailable' });
    const failure = await failureOf(call(testDeps(), server.origin));
    expect(failure.data).toEqual({ code: 'httpStatus', endpoint, status: 503, message: `${endpoint}: HTTP status 503` });
  });

  it.each(Object.entries(CALLS))('%s: a dropped connection is network', async (_name, { path, endpoint, call }) => {
    server.route(path, { kind: 'destroy' });
    const failure = await failureOf(call(testDeps(), server.origin));
    expect(failure.data).toMatchObject({ code: 'network', endpoint });
  });

  it('a truncated JSON answer is badResponse of the endpoint at (body)', async () => {
    const full = JSON.stringify({ BaseResponse: okBase, AddMsgList: [], SyncKey: { Count: 0, List: [] } });
    server.route(CALLS.webwxsync!.path, { body: full.slice(0, full.length - 7) });
    const failure = await failureOf(CALLS.webwxsync!.call(testDeps(), server.origin));
    expect(failure.data).toMatchObject({ code: 'badResponse', endpoint: 'webwxsync', path: '(body)' });
  });

  it('a garbled answer is badResponse naming the path that was wrong', async () => {
    const body = JSON.stringify({
      BaseResponse: okBase,
      AddMsgList: [{ FromUserName: '@a', ToUserName: '@b', MsgType: 1, Content: '', CreateTime: 1 }],
      SyncKey: { Count: 0, List: [] },
    });
    server.route(CALLS.webwxsync!.path, { body });
    const failure = await failureOf(CALLS.webwxsync!.call(testDeps(), server.origin));
    expect(failure.data).toMatchObject({ code: 'badResponse', endpoint: 'webwxsync', path: 'AddMsgList.0.MsgId' });
  });

  it('a garbled script answer is badResponse of its endpoint', async () => {
    server.route(CALLS.synccheck!.path, { body: 'window.synccheck={retcode:"0",selector:' });
    expect((await failureOf(CALLS.synccheck!.call(testDeps(), server.origin))).data).toMatchObject({
      code: 'badResponse',
      endpoint: 'synccheck',
    });
    server.route(CALLS.jslogin!.path, { body: '<html>blocked</html>' });
    expect((await failureOf(CALLS.jslogin!.call(testDeps(), server.origin))).data).toMatchObject({
      code: 'badResponse',
      endpoint: 'jslogin',
      path: '(body)',
    });
  });

  it('an answer past the default 16 MiB cap is tooLarge (announced length)', async () => {
    server.route(CALLS.webwxgetcontact!.path, { kind: 'stream', total: 16 * 1024 * 1024 + 1 });
    const failure = await failureOf(CALLS.webwxgetcontact!.call(testDeps(), server.origin));
    expect(failure.data).toMatchObject({ code: 'tooLarge', endpoint: 'webwxgetcontact' });
  });

  it('an answer past the cap is tooLarge without a Content-Length too, and the download stops', async () => {
    server.route(CALLS.webwxgetcontact!.path, { kind: 'stream', total: 64 * 1024 * 1024, announce: false });
    const failure = await failureOf(CALLS.webwxgetcontact!.call(testDeps({ maxResponseBytes: 256 * 1024 }), server.origin));
    expect(failure.data).toMatchObject({ code: 'tooLarge', endpoint: 'webwxgetcontact' });
    await server.requests[0]!.closed;
  });

  it('an answer exactly at the cap is decoded', async () => {
    const body = JSON.stringify({ BaseResponse: okBase, MemberList: [], Seq: 0 });
    server.route(CALLS.webwxgetcontact!.path, { body });
    const answer = await CALLS.webwxgetcontact!.call(testDeps({ maxResponseBytes: Buffer.byteLength(body) }), server.origin);
    expect(answer).toEqual({ ok: true, value: { BaseResponse: okBase, MemberList: [], Seq: 0 } });
  });

  it('a gzip bomb (tiny on the wire, 64 MiB decoded) is tooLarge, the cap counting decoded bytes', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    server.route(CALLS.webwxgetcontact!.path, { headers: { 'content-encoding': 'gzip' }, body: bomb });
    const failure = await failureOf(CALLS.webwxgetcontact!.call(testDeps(), server.origin));
    expect(failure.data).toMatchObject({ code: 'tooLarge', endpoint: 'webwxgetcontact' });
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['deflate', deflateRawSync],
    ['br', brotliCompressSync],
  ] as const)('asks for compression and undoes %s', async (encoding, compress) => {
    const body = JSON.stringify({ BaseResponse: okBase, MemberList: [{ UserName: '@a', NickName: '李四' }], Seq: 0 });
    server.route(CALLS.webwxgetcontact!.path, { headers: { 'content-encoding': encoding }, body: compress(Buffer.from(body)) });
    const answer = await CALLS.webwxgetcontact!.call(testDeps(), server.origin);
    expect(answer).toMatchObject({ ok: true, value: { MemberList: [{ UserName: '@a', NickName: '李四' }] } });
    expect(server.requests[0]?.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it.each([
    ['an unknown encoding', 'zstd', Buffer.from('{}')],
    ['a corrupt gzip stream', 'gzip', Buffer.from('definitely not gzip')],
  ])('%s is badResponse', async (_label, encoding, body) => {
    server.route(CALLS.webwxgetcontact!.path, { headers: { 'content-encoding': encoding }, body });
    const failure = await failureOf(CALLS.webwxgetcontact!.call(testDeps(), server.origin));
    expect(failure.data).toMatchObject({ code: 'badResponse', endpoint: 'webwxgetcontact', path: '(body)' });
  });

  it('a refused connection is network', async () => {
    const origin = server.origin;
    await server.close();
    const failure = await failureOf(CALLS.webwxinit!.call(testDeps(), origin));
    expect(failure.data).toMatchObject({ code: 'network', endpoint: 'webwxinit' });
    expect(failure.message).toContain('ECONNREFUSED');
    server = await startScriptedServer(); // for afterEach
  });
});

describe('no secret reaches an error', () => {
  let server: ScriptedServer;
  let reply: Reply = { status: 500 };
  beforeAll(async () => {
    server = await startScriptedServer();
    for (const { path } of Object.values(CALLS)) server.route(path, () => reply);
  });
  afterAll(async () => {
    await server.close();
  });

  const token = fc.stringMatching(/^[A-Za-z0-9]{12,24}$/);
  const secretsArb = fc.record({
    skey: token.map((t) => `@crypt_${t}`),
    wxsid: token,
    wxuin: fc.stringMatching(/^[1-9]\d{9}$/),
    passTicket: fc.tuple(token, token).map(([a, b]) => `${a}%2F${b}%2B`),
    deviceId: fc.stringMatching(/^e\d{15}$/),
  });
  const scenarios: Record<string, (echo: string) => Reply> = {
    status: () => ({ status: 502, body: 'bad gateway' }),
    destroy: () => ({ kind: 'destroy' }),
    garbled: () => ({ body: '{"BaseResponse":{"Ret":0},"AddMsgList":"nope"' }),
    // An error page that quotes the request back, as some proxies do.
    echoUrl: (echo) => ({ body: `<html>cannot serve ${echo}</html>` }),
    echoStatus: (echo) => ({ status: 404, body: echo }),
    hold: () => ({ kind: 'hold' }),
    tooLarge: () => ({ kind: 'stream', total: 1024 * 1024 }),
  };

  // Invariant: whatever fails, the error's data, message and string form contain none of the
  // session's secrets, in their raw or URL-encoded forms.
  it('holds for every endpoint and failure kind', async () => {
    await fc.assert(
      fc.asyncProperty(
        secretsArb,
        fc.constantFrom(...Object.keys(CALLS)),
        fc.constantFrom(...Object.keys(scenarios)),
        async (secrets, callName, scenario) => {
          const { call } = CALLS[callName]!;
          let echoed = '';
          reply = { kind: 'hold' };
          server.route(CALLS[callName]!.path, (req) => {
            echoed = `${req.rawUrl} ${req.body}`;
            return scenarios[scenario]!(`${req.rawUrl} ${req.body}`);
          });
          const deps = testDeps({ longPollTimeoutMs: 60, requestTimeoutMs: 60, maxResponseBytes: 64 * 1024 });
          const failure = await failureOf(call(deps, server.origin, secrets));
          const shown = [JSON.stringify(failure.data), failure.message, String(failure), JSON.stringify(failure)].join('\n');
          const forms = Object.values(secrets).flatMap((s) => [s, encodeURIComponent(s), encodeURIComponent(encodeURIComponent(s))]);
          for (const secret of forms) expect(shown).not.toContain(secret);
          // The secrets really were on the wire, so their absence above means something.
          if (callName !== 'jslogin') {
            expect(echoed.includes(secrets.skey) || echoed.includes(encodeURIComponent(secrets.skey))).toBe(true);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
