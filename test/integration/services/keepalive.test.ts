/**
 * The sync loop's keep-alive transport (src/services/keepalive.ts): connections are reused, the
 * kept Cookie header follows every change of the jar, and the failure contract is got's.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { services, ServiceFailure, type ServiceDeps } from '../../../src/services/index.js';
import { requestTextKeepAlive } from '../../../src/services/keepalive.js';
import { CGI, startScriptedServer, type ScriptedServer } from './scripted-server.js';
import { CREDENTIALS, hostsOf, never, okBase, testDeps } from './fixtures.js';

const SYNC_KEY = { Count: 1, List: [{ Key: 1, Val: 2 }] } as never;
const SYNC_ANSWER = { BaseResponse: okBase, AddMsgCount: 0, AddMsgList: [], SyncKey: SYNC_KEY, SyncCheckKey: SYNC_KEY, ContinueFlag: 0 };
const SYNCCHECK_OK = 'window.synccheck={retcode:"0",selector:"0"}';

const synccheck = (deps: ServiceDeps, origin: string, signal = never()): Promise<unknown> =>
  services.syncCheck(deps, { hosts: hostsOf(origin), credentials: CREDENTIALS, syncKey: SYNC_KEY }, signal);
const webwxsync = (deps: ServiceDeps, origin: string): Promise<unknown> =>
  services.webwxSync(deps, { hosts: hostsOf(origin), credentials: CREDENTIALS, syncKey: SYNC_KEY }, never());

const cookieOf = (server: ScriptedServer, index: number): string | undefined => {
  const header = server.requests[index]?.headers.cookie;
  return Array.isArray(header) ? header.join('; ') : header;
};

describe('connections', () => {
  let server: Server;
  let sockets: Set<Socket>;
  let origin: string;

  beforeEach(async () => {
    sockets = new Set();
    server = createServer((req, res) => {
      sockets.add(req.socket);
      res.end(req.url?.includes('synccheck') ? SYNCCHECK_OK : JSON.stringify(SYNC_ANSWER));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('a session’s synccheck and webwxsync rounds reuse one kept-alive connection', async () => {
    const deps = testDeps();
    for (let round = 0; round < 5; round += 1) {
      await synccheck(deps, origin);
      await webwxsync(deps, origin);
    }
    expect(sockets.size).toBe(1);
  });

  it('an answer cut in the middle of its body is network, not a short answer', async () => {
    server.removeAllListeners('request');
    server.on('request', (req, res) => {
      res.writeHead(200, { 'content-length': '10000' });
      res.write('{"BaseResponse":');
      setImmediate(() => req.socket.destroy());
    });
    const failure = await webwxsync(testDeps(), origin).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ServiceFailure);
    expect((failure as ServiceFailure).data).toMatchObject({ code: 'network', endpoint: 'webwxsync' });
  });
});

describe('cookies', () => {
  let server: ScriptedServer;
  beforeEach(async () => {
    server = await startScriptedServer();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await server.close();
  });

  it('a Set-Cookie on a webwxsync answer is sent by the next synccheck (the kept header is rebuilt)', async () => {
    const deps = testDeps();
    await deps.cookieJar.setCookie('wxsid=Old; Path=/', server.origin);
    server.route(`${CGI}/synccheck`, { body: SYNCCHECK_OK });
    server.route(`${CGI}/webwxsync`, {
      headers: { 'set-cookie': ['webwx_data_ticket=NewTicket; Path=/'] },
      body: JSON.stringify(SYNC_ANSWER),
    });
    await synccheck(deps, server.origin);
    await webwxsync(deps, server.origin);
    await synccheck(deps, server.origin);
    expect(cookieOf(server, 0)).toBe('wxsid=Old');
    expect(cookieOf(server, 2)).toBe('wxsid=Old; webwx_data_ticket=NewTicket');
    // The jar, which the session file stores, holds it too.
    expect(await deps.cookieJar.getCookieString(server.origin)).toContain('webwx_data_ticket=NewTicket');
  });

  it('a cookie set by a got request (any other endpoint) reaches the next keep-alive request', async () => {
    const deps = testDeps();
    server.route(`${CGI}/synccheck`, { body: SYNCCHECK_OK });
    server.route(`${CGI}/webwxnewloginpage`, {
      headers: { 'set-cookie': ['wxuin=42; Path=/'] },
      body: '<error><ret>0</ret><message></message><skey>@crypt_1</skey><wxsid>s</wxsid><wxuin>42</wxuin><pass_ticket>p</pass_ticket><isgrayscale>1</isgrayscale></error>',
    });
    await synccheck(deps, server.origin);
    await services.newLoginPage(deps, { redirectUri: `${server.origin}${CGI}/webwxnewloginpage?ticket=t`, uos: false }, never());
    await synccheck(deps, server.origin);
    expect(cookieOf(server, 0)).toBeUndefined();
    expect(cookieOf(server, 2)).toBe('wxuin=42');
  });

  it('a Set-Cookie on a refused (5xx) answer is still stored, as got does', async () => {
    const deps = testDeps();
    server.route(`${CGI}/synccheck`, (req) =>
      req.headers.cookie === undefined
        ? { status: 503, headers: { 'set-cookie': ['retry=1; Path=/'] }, body: 'busy' }
        : { body: SYNCCHECK_OK },
    );
    await expect(synccheck(deps, server.origin)).rejects.toBeInstanceOf(ServiceFailure);
    await synccheck(deps, server.origin);
    expect(cookieOf(server, 1)).toBe('retry=1');
  });

  it('an expired cookie leaves the kept header once its expiry has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-21T00:00:00Z'));
    const deps = testDeps();
    await deps.cookieJar.setCookie('short=1; Path=/; Max-Age=60', server.origin);
    await deps.cookieJar.setCookie('long=2; Path=/', server.origin);
    server.route(`${CGI}/synccheck`, { body: SYNCCHECK_OK });
    await synccheck(deps, server.origin);
    vi.setSystemTime(new Date('2026-11-21T00:01:01Z'));
    await synccheck(deps, server.origin);
    expect(cookieOf(server, 0)).toBe('short=1; long=2');
    expect(cookieOf(server, 1)).toBe('long=2');
  });

  it('a refused Set-Cookie (foreign domain) is dropped and the round succeeds', async () => {
    const deps = testDeps();
    server.route(`${CGI}/synccheck`, {
      headers: { 'set-cookie': ['evil=1; Domain=example.com; Path=/', 'ok=1; Path=/'] },
      body: SYNCCHECK_OK,
    });
    await synccheck(deps, server.origin);
    await synccheck(deps, server.origin);
    expect(cookieOf(server, 1)).toBe('ok=1');
  });
});

describe('failures', () => {
  let server: ScriptedServer;
  beforeEach(async () => {
    server = await startScriptedServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('an abort of a held synccheck is aborted and closes its connection', async () => {
    server.route(`${CGI}/synccheck`, { kind: 'hold' });
    const controller = new AbortController();
    const pending = synccheck(testDeps(), server.origin, controller.signal);
    const held = await server.nextRequest(`${CGI}/synccheck`);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ data: { code: 'aborted', endpoint: 'synccheck' } });
    await held.closed;
  });


  it('a request Node refuses before sending (a control character in a header) is a failure value, not a throw', async () => {
    const call = requestTextKeepAlive(
      testDeps(),
      { endpoint: 'synccheck', role: 'push', method: 'GET', url: `${server.origin}${CGI}/synccheck`, referer: 'x', headers: { 'x-bad': 'a\nb' } },
      never(),
    );
    await expect(call).rejects.toMatchObject({ data: { code: 'network', endpoint: 'synccheck' } });
    // No request was left to connect on its own (it would have come in, or failed unheard).
    await new Promise((r) => setTimeout(r, 50));
    expect(server.requests).toHaveLength(0);
    expect(server.connections()).toBe(0);
  });
});
