import { closeSync, openSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import type { InspectionEvent, Observer } from 'xstate';
import { createInspector, createWebSocketInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { createInspectorServer } from '@statelyai/inspect/server';
import { sanitizeForDisplay } from './sanitize.js';

/** Every inspection event leaves through this: the whole event is sanitised, not only the context. */
const serialize = (event: StatelyInspectionEvent): StatelyInspectionEvent => sanitizeForDisplay(event) as StatelyInspectionEvent;

export interface InspectionSink {
  readonly inspect: Observer<InspectionEvent>;
  /** Lets pending (idle-deferred) events go out, then releases files and sockets. */
  stop(): Promise<void>;
}

/** Lets the inspector's idle-deferred sends run before we close what they write to. */
const drain = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

/** The inspector's adapter shape (not exported by @statelyai/inspect). */
interface Adapter {
  send(event: StatelyInspectionEvent): void;
}

class JsonLinesAdapter implements Adapter {
  constructor(private readonly fd: number) {}
  send(event: StatelyInspectionEvent): void {
    writeSync(this.fd, `${JSON.stringify(event)}\n`);
  }
}

/** `--record FILE`: every inspection event as a JSON line, secrets removed. */
export function recordInspection(file: string): InspectionSink {
  const fd = openSync(file, 'w', 0o600);
  const inspector = createInspector(new JsonLinesAdapter(fd), { serialize });
  return {
    inspect: inspector.inspect,
    async stop() {
      await drain();
      closeSync(fd);
    },
  };
}

/** Fails fast (instead of crashing later in a listener we cannot reach) when the port is taken. */
async function ensurePortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

export interface LiveInspector extends InspectionSink {
  /** The page to open: it embeds the Stately inspector and bridges our WebSocket to it. */
  readonly url: string;
}

/**
 * `--inspect[=PORT]`: @statelyai/inspect's inspector server (a bridge page + WebSocket relay)
 * and its WebSocket inspector. Note: @xstate/inspect works only with xstate v4.
 */
export async function startLiveInspector(port: number): Promise<LiveInspector> {
  await ensurePortFree(port);
  const server = createInspectorServer({ port, autoOpen: false });
  const inspector = createWebSocketInspector({ url: `ws://127.0.0.1:${port}`, serialize });
  return {
    url: `http://localhost:${port}`,
    inspect: inspector.inspect,
    async stop() {
      await drain();
      inspector.stop();
      server.stop();
    },
  };
}

/** Fans one inspection stream out to several sinks. */
export function combineInspection(sinks: readonly InspectionSink[]): InspectionSink | null {
  if (sinks.length === 0) return null;
  return {
    inspect: { next: (event) => sinks.forEach((sink) => sink.inspect.next?.(event)) },
    async stop() {
      await Promise.all(sinks.map((sink) => sink.stop()));
    },
  };
}
