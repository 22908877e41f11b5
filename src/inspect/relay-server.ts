import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';

/**
 * The inspector's server: a page that embeds the Stately inspector and feeds it, and a WebSocket
 * relay. What the machine publishes (in-process) or any WebSocket client sends goes to every other
 * connected client; a late client first gets the recent history, so a page opened after the login
 * still shows it. Listens on loopback only: even sanitised, a session's traffic is nobody else's.
 */
export interface RelayServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  /** The Stately inspector page the bridge embeds. */
  readonly inspectorUrl?: string;
  /** How many recent messages a new client gets first (default 1000)… */
  readonly replayCount?: number;
  /** …and at most this many bytes of them (default 16 MiB). */
  readonly replayBytes?: number;
}

export interface RelayServer {
  /** The page to open in a browser. */
  readonly url: string;
  /** The WebSocket endpoint (the same port). */
  readonly wsUrl: string;
  readonly port: number;
  /** Sends one message (a JSON text) to every connected client and keeps it for late ones. */
  publish(message: string): void;
  /** How many WebSocket clients are connected now. */
  clients(): number;
  /** Lets every client receive what was sent, then closes them and the server. */
  close(): Promise<void>;
}

const DEFAULT_INSPECTOR_URL = 'https://stately.ai/inspect';
const CLOSE_GRACE_MS = 500;
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * The page: the inspector in a frame; our WebSocket's messages are posted into the frame once the
 * inspector says it is ready (it announces itself with `@statelyai.connected`), earlier ones wait.
 */
function bridgePage(inspectorUrl: string): string {
  const src = JSON.stringify(inspectorUrl);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>webwx — Stately inspector</title>
<style>html,body{height:100%;margin:0}iframe{border:0;width:100%;height:100%}</style>
</head>
<body>
<iframe id="inspector" title="Stately inspector"></iframe>
<script>
(function () {
  var frame = document.getElementById('inspector');
  frame.src = ${src};
  var ready = false;
  var waiting = [];
  function deliver(data) { frame.contentWindow.postMessage(data, '*'); }
  window.addEventListener('message', function (e) {
    if (e.source !== frame.contentWindow || !e.data || e.data.type !== '@statelyai.connected') return;
    ready = true;
    waiting.splice(0).forEach(deliver);
  });
  var socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host);
  socket.onmessage = function (e) {
    var data;
    try { data = JSON.parse(e.data); } catch (err) { return; }
    if (ready) deliver(data); else waiting.push(data);
  };
})();
</script>
</body>
</html>
`;
}

/** A bounded history: the newest messages, by count and by bytes. */
class History {
  private readonly items: string[] = [];
  private bytes = 0;
  constructor(
    private readonly maxCount: number,
    private readonly maxBytes: number,
  ) {}
  add(message: string): void {
    this.items.push(message);
    this.bytes += message.length;
    while (this.items.length > this.maxCount || (this.bytes > this.maxBytes && this.items.length > 0)) {
      this.bytes -= this.items.shift()!.length;
    }
  }
  all(): readonly string[] {
    return this.items;
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeClient(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, CLOSE_GRACE_MS);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    // close() sends after everything queued, so a receiver gets the last events before the end.
    ws.close(1001, 'inspector stopped');
  });
}

/** Starts the relay; rejects with the listen error (EADDRINUSE, EACCES) when the port cannot be had. */
export async function startRelayServer(options: RelayServerOptions): Promise<RelayServer> {
  const host = options.host ?? '127.0.0.1';
  const page = bridgePage(options.inspectorUrl ?? DEFAULT_INSPECTOR_URL);
  const history = new History(options.replayCount ?? 1000, options.replayBytes ?? MAX_MESSAGE_BYTES);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : page);
  });
  const wss = new WebSocketServer({ server, maxPayload: MAX_MESSAGE_BYTES });

  const broadcast = (message: string, from: WebSocket | null): void => {
    history.add(message);
    for (const client of wss.clients) {
      if (client !== from && client.readyState === WebSocket.OPEN) client.send(message);
    }
  };

  wss.on('connection', (ws) => {
    for (const message of history.all()) ws.send(message);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return;
      broadcast(rawText(data), ws);
    });
    // A client that errs is dropped; it must not take the server (or the CLI) down.
    ws.on('error', () => ws.terminate());
  });
  wss.on('error', () => undefined);

  await listen(server, options.port, host);
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | null = null;

  return {
    url: `http://${shown}:${port}/`,
    wsUrl: `ws://${shown}:${port}`,
    port,
    publish: (message) => broadcast(message, null),
    clients: () => wss.clients.size,
    close() {
      closing ??= (async () => {
        await Promise.all([...wss.clients].map(closeClient));
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}
