/**
 * A loopback HTTP proxy in front of the simulator that turns chosen answers hostile: oversized or
 * compressed-bomb bodies, `__proto__` keys, invalid UTF-8, absurd numbers, XML bombs, odd
 * selectors, answers that never come after the server did its work. Everything else passes
 * through untouched (cookies included), so a real client logs in and syncs through it; the
 * simulator's redirect is pointed at the proxy, which the host rule then trusts as the login origin.
 */
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ProxyRequest {
  readonly method: string;
  /** The endpoint name: the path's last segment (`synccheck`, `webwxsync`, `jslogin`, …). */
  readonly endpoint: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** 1-based count of requests of this endpoint so far, this one included. */
  readonly nth: number;
}

export interface ProxyAnswer {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly body: string | Buffer;
}

/**
 * What to do with one request: nothing (pass through), answer it ourselves (after forwarding it,
 * so the server did its work, when `forward` is set), rewrite the server's answer, or never answer.
 */
export type Decision =
  | undefined
  | { readonly answer: ProxyAnswer; readonly forward?: boolean }
  | { readonly rewrite: (upstream: Required<ProxyAnswer>) => ProxyAnswer }
  | { readonly hang: true; readonly forward?: boolean };

export type Intercept = (req: ProxyRequest) => Decision;

export interface HostileProxy {
  readonly origin: string;
  /** Replaces the intercept (the default passes everything). */
  set(intercept: Intercept): void;
  /** What the proxy answered itself or rewrote, per endpoint. */
  tampered(endpoint?: string): number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host']);

function readAll(stream: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', () => resolve(null));
    stream.on('aborted', () => resolve(null));
  });
}

function endpointOf(pathname: string): string {
  const last = pathname.split('/').filter((p) => p !== '').at(-1) ?? '';
  return pathname.startsWith('/qrcode/') ? 'qrcode' : last;
}

export async function startHostileProxy(upstream: string): Promise<HostileProxy> {
  const target = new URL(upstream);
  let intercept: Intercept = () => undefined;
  const counts = new Map<string, number>();
  const tampered = new Map<string, number>();
  const sockets = new Set<Socket>();

  /** Sends the request on to the simulator; null when its answer never fully arrived (a fault there). */
  function forward(req: IncomingMessage, body: Buffer, gone: AbortSignal): Promise<Required<ProxyAnswer> | null> {
    return new Promise((resolve) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      headers['content-length'] = String(body.length);
      const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, signal: gone }, async (res) => {
        const data = await readAll(res);
        if (data === null || !res.complete) return resolve(null);
        const answerHeaders: Record<string, string | readonly string[]> = {};
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) answerHeaders[name] = value;
        resolve({ status: res.statusCode ?? 502, headers: answerHeaders, body: data });
      });
      out.on('error', () => resolve(null));
      out.end(body);
    });
  }

  function write(res: ServerResponse, answer: ProxyAnswer): void {
    const body = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body;
    res.on('error', () => undefined);
    res.writeHead(answer.status ?? 200, { ...(answer.headers ?? {}), 'content-length': body.length } as Record<string, string | string[] | number>);
    res.end(body);
  }

  const server = createServer((req, res) => {
    void (async () => {
      const gone = new AbortController();
      res.on('close', () => gone.abort());
      const body = (await readAll(req)) ?? Buffer.alloc(0);
      const url = new URL(req.url ?? '/', target);
      const endpoint = endpointOf(url.pathname);
      const nth = (counts.get(endpoint) ?? 0) + 1;
      counts.set(endpoint, nth);
      const decision = url.pathname.startsWith('/__sim/') ? undefined : intercept({ method: req.method ?? 'GET', endpoint, url, headers: req.headers, body, nth });
      if (decision !== undefined) tampered.set(endpoint, (tampered.get(endpoint) ?? 0) + 1);
      const needsUpstream = decision === undefined || 'rewrite' in decision || decision.forward === true;
      const upstreamAnswer = needsUpstream ? await forward(req, body, gone.signal) : null;
      if (gone.signal.aborted) return;
      if (decision !== undefined && 'hang' in decision) return; // the client gives up by itself
      if (decision !== undefined && 'answer' in decision) return write(res, decision.answer);
      if (upstreamAnswer === null) return void res.destroy();
      write(res, decision !== undefined && 'rewrite' in decision ? decision.rewrite(upstreamAnswer) : upstreamAnswer);
    })().catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    set: (next) => {
      intercept = next;
    },
    tampered: (endpoint) => (endpoint === undefined ? [...tampered.values()].reduce((a, b) => a + b, 0) : (tampered.get(endpoint) ?? 0)),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
