/**
 * A loopback HTTP server for the service tests: it records every request (raw URL, headers,
 * body) and answers what the test scripted for its path.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  /** The request target exactly as sent (path and raw, still-encoded query). */
  readonly rawUrl: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Resolves when the client's connection for this request closes. */
  readonly closed: Promise<void>;
}

export type Reply =
  | { readonly kind?: 'answer'; readonly status?: number; readonly headers?: Readonly<Record<string, string | readonly string[]>>; readonly body?: string | Buffer }
  /** Never answers (a held long poll). */
  | { readonly kind: 'hold' }
  /** Destroys the connection without an answer. */
  | { readonly kind: 'destroy' }
  /** Streams `total` bytes of `fill` as a 200. */
  | { readonly kind: 'stream'; readonly total: number; readonly fill?: string; readonly announce?: boolean };

export type Responder = Reply | ((req: RecordedRequest) => Reply);

export interface ScriptedServer {
  readonly origin: string;
  readonly requests: RecordedRequest[];
  /** TCP connections accepted so far (a request may connect and never send). */
  connections(): number;
  route(path: string, responder: Responder): void;
  /** The next request to `path` (one already received counts). */
  nextRequest(path: string): Promise<RecordedRequest>;
  close(): Promise<void>;
}

function send(res: ServerResponse, reply: Reply): void {
  switch (reply.kind) {
    case 'hold':
      return;
    case 'destroy':
      res.socket?.destroy();
      return;
    case 'stream': {
      const chunk = Buffer.alloc(64 * 1024, reply.fill ?? 'x');
      res.writeHead(200, reply.announce === false ? {} : { 'content-length': String(reply.total) });
      let left = reply.total;
      const pump = (): void => {
        while (left > 0) {
          const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
          left -= piece.length;
          if (!res.write(piece)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.on('error', () => undefined);
      pump();
      return;
    }
    default: {
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(reply.headers ?? {})) headers[k] = typeof v === 'string' ? v : [...v];
      res.writeHead(reply.status ?? 200, headers);
      res.end(reply.body ?? '');
    }
  }
}

export async function startScriptedServer(): Promise<ScriptedServer> {
  const routes = new Map<string, Responder>();
  const requests: RecordedRequest[] = [];
  const waiters: { path: string; resolve: (r: RecordedRequest) => void }[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        rawUrl: req.url ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        closed,
      };
      requests.push(recorded);
      for (const w of [...waiters]) {
        if (w.path === recorded.path) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(recorded);
        }
      }
      const responder = routes.get(recorded.path) ?? { status: 404, body: 'no route' };
      send(res, typeof responder === 'function' ? responder(recorded) : responder);
    });
  });
  let accepted = 0;
  server.on('connection', (s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    connections: () => accepted,
    route: (path, responder) => void routes.set(path, responder),
    nextRequest: (path) =>
      new Promise((resolve) => {
        const seen = requests.find((r) => r.path === path);
        if (seen) resolve(seen);
        else waiters.push({ path, resolve });
      }),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const CGI = '/cgi-bin/mmwebwx-bin';
