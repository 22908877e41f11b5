/**
 * The console's HTTP side (fastify): the page, its script and style, mermaid from node_modules,
 * the diagram text, the state, the live updates as Server-Sent Events, and two actions (send,
 * logout). It only answers requests addressed to a loopback name (DNS rebinding) and only takes
 * JSON POSTs from its own origin (another site open in the same browser cannot post here).
 */
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import type { ServerResponse } from 'node:http';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { redactSecrets } from '../codecs/redact.js';
import { BROWSER_APP } from './browser-app.js';
import type { ConsoleDiagram } from './diagram-view.js';
import { PAGE_CSS, pageHtml } from './page.js';
import type { ConsoleHub } from './view.js';

export type SendOutcome =
  | { readonly ok: true; readonly clientMsgId: string; readonly msgId: string }
  | { readonly ok: false; readonly reason: string; readonly ret?: number };

export interface ConsoleActions {
  send(to: string, text: string): Promise<SendOutcome>;
  logout(): void;
}

export interface ConsoleServerOptions {
  readonly hub: ConsoleHub;
  readonly diagram: ConsoleDiagram;
  readonly actions: ConsoleActions;
  readonly title?: string;
  /** SSE comment interval that keeps proxies and idle timers from closing the stream. */
  readonly heartbeatMs?: number;
}

export interface ConsoleServer {
  readonly app: FastifyInstance;
  /** Ends every open event stream (pages then show "reconnecting"), then closes the server. */
  close(): Promise<void>;
}

const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const MERMAID_FILE = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
// mermaid's SVG carries inline <style>; its bundle needs no eval. Images are data: URLs only.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The name part of a Host header (`127.0.0.1:8080` → `127.0.0.1`, `[::1]:80` → `[::1]`). */
export function hostName(host: string | undefined): string {
  if (!host) return '';
  const trimmed = host.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(0, trimmed.indexOf(']') + 1);
  return trimmed.split(':')[0] ?? '';
}

const SEND_BODY = {
  type: 'object',
  required: ['to', 'text'],
  additionalProperties: false,
  properties: {
    // A UserName (`@…`, `@@…`) or a special name such as `filehelper`: no spaces, bounded.
    to: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^\\s]+$' },
    text: { type: 'string', minLength: 1, maxLength: 10_000 },
  },
} as const;

function refuse(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send({ code, message });
}

function guardRequest(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (!LOOPBACK_NAMES.has(hostName(request.headers.host))) {
    void refuse(reply, 421, 'badHost', 'this console answers only on 127.0.0.1 or localhost');
    return;
  }
  if (request.method === 'POST') {
    const origin = request.headers.origin;
    // Browsers send Origin on every POST: a page of another origin (even another local port) is refused.
    if (origin !== undefined && origin !== `http://${request.headers.host ?? ''}`) {
      void refuse(reply, 403, 'badOrigin', 'cross-origin requests are refused');
      return;
    }
  }
  done();
}

export function buildConsoleServer(options: ConsoleServerOptions): ConsoleServer {
  const { hub, diagram, actions } = options;
  const title = options.title ?? 'webwx console';
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const streams = new Set<ServerResponse>();
  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    forceCloseConnections: true,
    // fastify's defaults strip unknown fields and coerce types; a malformed send is refused instead.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });

  // Only JSON bodies: a cross-site form (text/plain, urlencoded) gets 415 before any handler.
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', (request, reply, done) => guardRequest(request, reply, done));
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    done(null, payload);
  });
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    const code = error.validation ? 'badRequest' : status === 415 ? 'unsupportedMediaType' : status === 413 ? 'tooLarge' : status >= 500 ? 'internal' : 'badRequest';
    void refuse(reply, status, code, redactSecrets(error.message));
  });
  app.setNotFoundHandler((_request, reply) => {
    void refuse(reply, 404, 'notFound', 'no such page');
  });

  app.get('/', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', CSP).header('cache-control', 'no-store').send(pageHtml(title)),
  );
  app.get('/app.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-store').send(BROWSER_APP));
  app.get('/app.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'no-store').send(PAGE_CSS));
  app.get('/vendor/mermaid.min.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'max-age=3600').send(createReadStream(MERMAID_FILE)),
  );
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).send());
  app.get('/api/diagram', async (_request, reply) => reply.header('cache-control', 'no-store').send(diagram));
  app.get('/api/state', async (_request, reply) => reply.header('cache-control', 'no-store').send(hub.state()));

  app.get('/api/events', (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    const write = (event: string, data: unknown): void => {
      // JSON.stringify escapes line breaks, so one `data:` line always holds the whole payload.
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    // Snapshot and subscription happen in the same tick: no update can fall between them.
    res.write('retry: 1000\n\n');
    write('snapshot', hub.state());
    const unsubscribe = hub.subscribe((update, seq) => write('update', { seq, update }));
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
    streams.add(res);
    const stop = (): void => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    };
    request.raw.on('close', stop);
    res.on('close', stop);
  });

  app.post<{ Body: { to: string; text: string } }>('/api/send', { schema: { body: SEND_BODY } }, async (request, reply) => {
    const outcome = await actions.send(request.body.to, request.body.text);
    if (outcome.ok) return reply.header('cache-control', 'no-store').send(outcome);
    const status = outcome.reason === 'loggedOut' ? 409 : 502;
    return reply
      .code(status)
      .header('cache-control', 'no-store')
      .send({ code: 'sendFailed', message: `not sent: ${outcome.reason}`, ...outcome });
  });

  app.post('/api/logout', async (_request, reply) => {
    actions.logout();
    return reply.code(202).header('cache-control', 'no-store').send({ ok: true });
  });

  return {
    app,
    async close() {
      for (const res of [...streams]) res.end();
      streams.clear();
      await app.close();
    },
  };
}
