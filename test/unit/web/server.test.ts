import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { webwxMachine } from '../../../src/machines/webwx.machine.js';
import { consoleDiagram } from '../../../src/web/diagram-view.js';
import { buildConsoleServer, hostName, type ConsoleServer, type SendOutcome } from '../../../src/web/server.js';
import { createConsoleHub, type ConsoleHub } from '../../../src/web/view.js';

const HOST = { host: '127.0.0.1:8123' };
const JSON_POST = { ...HOST, 'content-type': 'application/json', origin: 'http://127.0.0.1:8123' };

interface Harness {
  readonly server: ConsoleServer;
  readonly hub: ConsoleHub;
  readonly sends: { to: string; text: string }[];
  logouts: number;
}

let open: ConsoleServer[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

function harness(outcome: SendOutcome = { ok: true, clientMsgId: '17000000000001234', msgId: '99' }): Harness {
  const hub = createConsoleHub();
  const h: Harness = {
    hub,
    sends: [],
    logouts: 0,
    server: buildConsoleServer({
      hub,
      diagram: consoleDiagram(webwxMachine),
      actions: {
        send: async (to, text) => {
          h.sends.push({ to, text });
          return outcome;
        },
        logout: () => {
          h.logouts += 1;
        },
      },
    }),
  };
  open.push(h.server);
  return h;
}

describe('hostName', () => {
  it('takes the name part of a Host header', () => {
    expect(hostName('127.0.0.1:8080')).toBe('127.0.0.1');
    expect(hostName('LOCALHOST')).toBe('localhost');
    expect(hostName('[::1]:80')).toBe('[::1]');
    expect(hostName(undefined)).toBe('');
  });
});

describe('the console server', () => {
  it('serves the page with a strict CSP, its script and style, and mermaid from node_modules', async () => {
    const { server } = harness();
    const page = await server.app.inject({ url: '/', headers: HOST });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).toContain('<script src="/vendor/mermaid.min.js">');
    expect((await server.app.inject({ url: '/app.js', headers: HOST })).body).toContain("new EventSource('/api/events')");
    expect((await server.app.inject({ url: '/app.css', headers: HOST })).headers['content-type']).toMatch(/^text\/css/);
    const mermaid = await server.app.inject({ url: '/vendor/mermaid.min.js', headers: HOST });
    expect(mermaid.statusCode).toBe(200);
    expect(mermaid.rawPayload.length).toBeGreaterThan(1_000_000);
  });

  it('gives the diagram drawn from the machine and the current state', async () => {
    const { server, hub } = harness();
    hub.publish({ kind: 'contacts', count: 7, list: [] });
    const diagram = (await server.app.inject({ url: '/api/diagram', headers: HOST })).json<{ machineId: string; compact: string }>();
    expect(diagram.machineId).toBe('webwx');
    expect(diagram.compact).toMatch(/^stateDiagram-v2/);
    expect((await server.app.inject({ url: '/api/state', headers: HOST })).json()).toMatchObject({ seq: 1, contactsCount: 7 });
  });

  it('answers only requests addressed to a loopback name (DNS rebinding)', async () => {
    const { server } = harness();
    const res = await server.app.inject({ url: '/api/state', headers: { host: 'attacker.example:8123' } });
    expect(res.statusCode).toBe(421);
    expect(res.json()).toMatchObject({ code: 'badHost' });
    expect((await server.app.inject({ url: '/api/state', headers: { host: 'localhost:8123' } })).statusCode).toBe(200);
  });

  it('sends a text through the actions and answers with the outcome', async () => {
    const h = harness();
    const res = await h.server.app.inject({ method: 'POST', url: '/api/send', headers: JSON_POST, payload: { to: '@friend', text: '你好 <b>' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true, clientMsgId: '17000000000001234', msgId: '99' });
    expect(h.sends).toEqual([{ to: '@friend', text: '你好 <b>' }]);
  });

  it('reports a failed send with its reason (409 once the session is over)', async () => {
    const h = harness({ ok: false, reason: 'loggedOut' });
    const res = await h.server.app.inject({ method: 'POST', url: '/api/send', headers: JSON_POST, payload: { to: '@friend', text: 'x' } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'sendFailed', reason: 'loggedOut' });
  });

  it('refuses cross-origin posts, non-JSON bodies and malformed sends before any action runs', async () => {
    const h = harness();
    const cases = [
      { headers: { ...JSON_POST, origin: 'http://attacker.example' }, payload: JSON.stringify({ to: '@a', text: 'x' }), status: 403, code: 'badOrigin' },
      { headers: { ...JSON_POST, origin: 'http://127.0.0.1:9999' }, payload: JSON.stringify({ to: '@a', text: 'x' }), status: 403, code: 'badOrigin' },
      { headers: { ...JSON_POST, 'content-type': 'text/plain' }, payload: JSON.stringify({ to: '@a', text: 'x' }), status: 415, code: 'unsupportedMediaType' },
      { headers: JSON_POST, payload: JSON.stringify({ to: '@a' }), status: 400, code: 'badRequest' },
      { headers: JSON_POST, payload: JSON.stringify({ to: 'two words', text: 'x' }), status: 400, code: 'badRequest' },
      { headers: JSON_POST, payload: JSON.stringify({ to: '@a', text: '' }), status: 400, code: 'badRequest' },
      { headers: JSON_POST, payload: JSON.stringify({ to: '@a', text: 'x', extra: 1 }), status: 400, code: 'badRequest' },
      { headers: JSON_POST, payload: JSON.stringify({ to: '@a', text: 123 }), status: 400, code: 'badRequest' },
      { headers: JSON_POST, payload: '{not json', status: 400, code: 'badRequest' },
    ];
    for (const c of cases) {
      const res = await h.server.app.inject({ method: 'POST', url: '/api/send', headers: c.headers, payload: c.payload });
      expect({ status: res.statusCode, code: res.json<{ code: string }>().code }).toEqual({ status: c.status, code: c.code });
    }
    const logout = await h.server.app.inject({ method: 'POST', url: '/api/logout', headers: { ...JSON_POST, origin: 'http://attacker.example' }, payload: '{}' });
    expect(logout.statusCode).toBe(403);
    expect(h.sends).toEqual([]);
    expect(h.logouts).toBe(0);
  });

  it('logs out on a same-origin post', async () => {
    const h = harness();
    const res = await h.server.app.inject({ method: 'POST', url: '/api/logout', headers: JSON_POST, payload: '{}' });
    expect(res.statusCode).toBe(202);
    expect(h.logouts).toBe(1);
  });

  it('streams the whole state first, then each update with its seq, until the server closes', async () => {
    const h = harness();
    h.hub.publish({ kind: 'contacts', count: 2, list: [] });
    const address = await h.server.app.listen({ host: '127.0.0.1', port: 0 });
    const port = new URL(address).port;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/api/events', headers: { accept: 'text/event-stream' } }, resolve);
      req.on('error', reject);
      req.end();
    });
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    res.setEncoding('utf8');
    let text = '';
    const events: { event: string; data: unknown }[] = [];
    const waitFor = (n: number): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if (events.length >= n) resolve();
        };
        res.on('data', (chunk: string) => {
          text += chunk;
          let cut: number;
          while ((cut = text.indexOf('\n\n')) >= 0) {
            const block = text.slice(0, cut);
            text = text.slice(cut + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event && data) events.push({ event, data: JSON.parse(data) });
          }
          check();
        });
        check();
      });
    await waitFor(1);
    expect(events[0]).toMatchObject({ event: 'snapshot', data: { seq: 1, contactsCount: 2 } });
    h.hub.publish({ kind: 'login', user: { NickName: 'N', UserName: '@me' } });
    await waitFor(2);
    expect(events[1]).toEqual({ event: 'update', data: { seq: 2, update: { kind: 'login', user: { NickName: 'N', UserName: '@me' } } } });
    const ended = new Promise<void>((resolve) => res.on('end', () => resolve()));
    await h.server.close();
    await ended;
  });
});
