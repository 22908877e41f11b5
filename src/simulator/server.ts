/**
 * The simulator's HTTP server: one loopback origin serving every host role (login, main, push,
 * file) and the control API. Each WeChat request is logged, then meets the fault plan, then its
 * handler; an answer that was not fully written commits nothing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AutoPhone, createControl, handleControl, type SimulatorControl } from './control.js';
import { encodeSyncCheck } from '../codecs/sync.js';
import { FaultInjector } from './faults.js';
import { Parker } from './park.js';
import { RequestLog } from './request-log.js';
import { endpointOf, HANDLERS, retReply, uinOfRequest, type RouteContext } from './routes.js';
import type { SimulatorOptions } from './types.js';
import {
  headerRecord,
  echoingErrorPage,
  htmlReply,
  loggedBody,
  parseCookies,
  parseJsonBody,
  queryRecord,
  readBody,
  MAX_CONTROL_BODY,
  scriptReply,
  sleep,
  statusPage,
  writeReply,
  type Reply,
} from './wire.js';
import { World } from './world.js';

export interface Simulator {
  /** e.g. `http://127.0.0.1:40123`: the login origin, and every other host role too. */
  readonly origin: string;
  readonly port: number;
  readonly control: SimulatorControl;
  /** The plain-logic world behind the endpoints (for tests that look deeper than the control API). */
  readonly world: World;
  /** Counters for tests and benchmarks: long polls parked right now, requests in flight. */
  stats(): { readonly parked: number; readonly inFlight: number };
  /** Answers every parked long poll, stops the automatic phone, closes the server. */
  close(): Promise<void>;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  hold: 25_000,
  autoDelay: 300,
  contacts: 120,
  pageSize: 500,
  syncPageSize: 50,
  seed: 1,
  uuidLifetimeMs: 5 * 60_000,
  requestLogLimit: 10_000,
} as const;

const HOME_PAGE = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>微信网页版 (simulator)</title></head><body></body></html>';

/** A webwxsync answer with its keys emptied (Count 0); other answers are left as they are. */
function withEmptyKeys(reply: Reply): Reply {
  let body: unknown;
  try {
    body = JSON.parse(String(reply.body));
  } catch {
    return reply;
  }
  if (typeof body !== 'object' || body === null || !('SyncKey' in body)) return reply;
  const empty = { Count: 0, List: [] };
  return { ...reply, body: JSON.stringify({ ...body, SyncKey: empty, SyncCheckKey: empty }) };
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const seed = options.seed ?? DEFAULTS.seed;
  const hold = options.hold ?? DEFAULTS.hold;
  const world = new World({
    seed,
    contacts: options.contacts ?? DEFAULTS.contacts,
    pageSize: Math.max(1, options.pageSize ?? DEFAULTS.pageSize),
    syncPageSize: Math.max(1, options.syncPageSize ?? DEFAULTS.syncPageSize),
    uuidLifetimeMs: options.uuidLifetimeMs ?? DEFAULTS.uuidLifetimeMs,
  });
  const faults = new FaultInjector(options.faults, seed);
  const log = new RequestLog(options.requestLogLimit ?? DEFAULTS.requestLogLimit);
  const auto = new AutoPhone(world, options.auto ?? false, options.autoDelay ?? DEFAULTS.autoDelay);
  const control = createControl(world, faults, log, auto, seed);
  const parker = new Parker(world);
  /** One controller per WeChat request in flight, aborted when its client leaves or on close(). */
  const active = new Set<AbortController>();

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // A bug in a handler must not take the host process down: answer 500 and carry on.
      if (!res.headersSent) writeReply(res, statusPage(500), null);
      else res.destroy();
    });
  });
  // Long polls are held for `hold`; the default timeouts must not cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = req.method ?? 'GET';
    const body = await readBody(req, url.pathname.startsWith('/__sim/') ? MAX_CONTROL_BODY : undefined);
    if (!body.ok) {
      writeReply(res, statusPage(413 as number), null);
      return;
    }
    if (url.pathname.startsWith('/__sim/')) {
      writeReply(res, handleControl(control, method, url.pathname.slice('/__sim/'.length), body.text, url.searchParams), null);
      return;
    }
    const endpoint = endpointOf(url.pathname);
    const cookies = parseCookies(req.headers.cookie);
    const json = parseJsonBody(body.text);
    log.add({
      time: Date.now(),
      method,
      path: url.pathname,
      endpoint,
      query: queryRecord(url.searchParams),
      headers: headerRecord(req),
      body: loggedBody(body.text),
    });
    if (endpoint === null) {
      writeReply(res, url.pathname === '/' ? htmlReply(200, HOME_PAGE) : htmlReply(404, '<html><body>404 Not Found</body></html>'), null);
      return;
    }

    const gone = new AbortController();
    active.add(gone);
    res.once('close', () => {
      active.delete(gone);
      gone.abort();
    });
    const uin = uinOfRequest(url, cookies, json);
    const decision = faults.decide(endpoint, uin);
    if (decision.delayMs > 0) await sleep(decision.delayMs, gone.signal);
    if (gone.signal.aborted) return;
    if (decision.logout !== null && uin !== null) {
      try {
        world.serverLogout(uin, decision.logout);
      } catch {
        // No session for that account yet: nothing to end.
      }
    }
    const outcome = decision.outcome;
    if (outcome?.kind === 'destroy') return void res.destroy();
    // Left open: the client's deadline (or the simulator's close) ends it.
    if (outcome?.kind === 'silence') return;
    if (outcome?.kind === 'status') return writeReply(res, statusPage(outcome.status), null);
    if (outcome?.kind === 'ret') return writeReply(res, retReply(endpoint, outcome.ret), null);
    if (outcome?.kind === 'errorPage') return writeReply(res, echoingErrorPage(outcome.status, `${method} ${req.url ?? '/'}`, req.headers.cookie), null);
    if (outcome?.kind === 'selector') return writeReply(res, scriptReply(encodeSyncCheck({ retcode: 0, selector: outcome.selector })), null);

    const ctx: RouteContext = { world, parker, method, url, headers: req.headers, cookies, rawBody: body.text, json, hold, signal: gone.signal };
    const reply = await HANDLERS[endpoint](ctx);
    if (reply === null || res.destroyed) return void res.destroy();
    writeReply(res, outcome?.kind === 'emptyKey' ? withEmptyKeys(reply) : reply, outcome);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? DEFAULTS.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `http://${host}:${address.port}`;
  world.origin = origin;

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      auto.stop();
      // Parked long polls get their timeout answers; anything else still waiting (a fault's delay) is dropped.
      parker.closeAll();
      for (const controller of [...active]) controller.abort();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Give the flushed long polls a moment to reach their clients, then cut whatever is left.
      await new Promise((resolve) => setTimeout(resolve, 20));
      server.closeAllConnections();
      await done;
    })();
    return closed;
  };

  const stats = (): { parked: number; inFlight: number } => ({ parked: parker.size, inFlight: active.size });
  return { origin, port: address.port, control, world, stats, close };
}
