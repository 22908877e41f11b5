import { createServer } from 'node:net';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startRelayServer, type RelayServer } from '../../../src/inspect/relay-server.js';

const relays: RelayServer[] = [];
async function relay(options: Partial<Parameters<typeof startRelayServer>[0]> = {}): Promise<RelayServer> {
  const server = await startRelayServer({ port: 0, ...options });
  relays.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.close()));
});

interface Receiver {
  readonly socket: WebSocket;
  readonly messages: string[];
  closed: boolean;
}

function connect(url: string): Promise<Receiver> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const receiver: Receiver = { socket, messages: [], closed: false };
    socket.on('message', (data) => receiver.messages.push(String(data)));
    socket.on('close', () => (receiver.closed = true));
    socket.once('open', () => resolve(receiver));
    socket.once('error', reject);
  });
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
}

describe('startRelayServer', () => {
  it('listens on loopback at a free port and serves the bridge page', async () => {
    const server = await relay();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    expect(server.wsUrl).toBe(`ws://127.0.0.1:${server.port}`);
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('https://stately.ai/inspect');
    expect(html).toContain('@statelyai.connected');
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
  });

  it('sends what is published to every receiver, and the history first to a late one', async () => {
    const server = await relay();
    const early = await connect(server.wsUrl);
    server.publish('{"n":1}');
    server.publish('{"n":2}');
    await until(() => early.messages.length === 2);
    const late = await connect(server.wsUrl);
    server.publish('{"n":3}');
    await until(() => late.messages.length === 3 && early.messages.length === 3);
    expect(early.messages).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(late.messages).toEqual(early.messages);
  });

  it('relays between WebSocket clients (not back to the sender), as the Stately server does', async () => {
    const server = await relay();
    const sender = await connect(server.wsUrl);
    const receiver = await connect(server.wsUrl);
    sender.socket.send('{"type":"@xstate.event"}');
    await until(() => receiver.messages.length === 1);
    expect(receiver.messages).toEqual(['{"type":"@xstate.event"}']);
    expect(sender.messages).toEqual([]);
  });

  it('keeps a bounded history: the newest messages by count', async () => {
    const server = await relay({ replayCount: 3 });
    for (let n = 1; n <= 10; n++) server.publish(`{"n":${n}}`);
    const late = await connect(server.wsUrl);
    await until(() => late.messages.length === 3);
    expect(late.messages).toEqual(['{"n":8}', '{"n":9}', '{"n":10}']);
  });

  it('close() delivers what was published, then closes the receivers and the port', async () => {
    const server = await relay();
    const receiver = await connect(server.wsUrl);
    server.publish('{"last":true}');
    await server.close();
    await until(() => receiver.closed);
    expect(receiver.messages).toEqual(['{"last":true}']);
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it('rejects with the listen error when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startRelayServer({ port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
