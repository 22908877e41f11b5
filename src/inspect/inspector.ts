import { closeSync, openSync, writeSync } from 'node:fs';
import type { InspectionEvent, Observer } from 'xstate';
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { startRelayServer, type RelayServer } from './relay-server.js';
import { sanitizeForDisplay } from './sanitize.js';

/** Every inspection event leaves through this: the whole event is sanitised, not only the context. */
const serialize = (event: StatelyInspectionEvent): StatelyInspectionEvent => sanitizeForDisplay(event) as StatelyInspectionEvent;

export interface InspectionSink {
  readonly inspect: Observer<InspectionEvent>;
  /** Lets pending (deferred) events go out, then releases files and sockets. */
  stop(): Promise<void>;
}

/**
 * @statelyai/inspect converts each event on a later tick (setTimeout 0); this lets those run
 * before we close what they write to.
 */
const drain = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

/** The inspector's adapter shape (not exported by @statelyai/inspect). */
interface Adapter {
  send(event: StatelyInspectionEvent): void;
}

class JsonLinesAdapter implements Adapter {
  private open = true;
  constructor(private readonly fd: number) {}
  send(event: StatelyInspectionEvent): void {
    if (!this.open) return;
    try {
      writeSync(this.fd, `${JSON.stringify(event)}\n`);
    } catch {
      // A full disk or a revoked file ends the recording, not the session it records.
      this.close();
    }
  }
  close(): void {
    if (!this.open) return;
    this.open = false;
    try {
      closeSync(this.fd);
    } catch {
      // Already unusable: nothing more to release.
    }
  }
}

/** `--record FILE`: every inspection event as a JSON line, secrets removed. The file is 0600. */
export function recordInspection(file: string): InspectionSink {
  const adapter = new JsonLinesAdapter(openSync(file, 'w', 0o600));
  const inspector = createInspector(adapter, { serialize });
  return {
    inspect: inspector.inspect,
    async stop() {
      await drain();
      adapter.close();
    },
  };
}

class RelayAdapter implements Adapter {
  constructor(private readonly relay: RelayServer) {}
  send(event: StatelyInspectionEvent): void {
    this.relay.publish(JSON.stringify(event));
  }
}

export interface LiveInspector extends InspectionSink {
  /** The page to open: it embeds the Stately inspector and feeds it from our WebSocket. */
  readonly url: string;
  /** The WebSocket that carries the (sanitised) inspection events, for other tools. */
  readonly wsUrl: string;
  readonly port: number;
}

/**
 * `--inspect[=PORT]`: a loopback server with the Stately inspector's bridge page and a WebSocket
 * that carries every inspection event (the same messages @statelyai/inspect's WebSocket inspector
 * sends). The machine publishes in-process, so nothing is lost to a reconnecting client socket.
 * Rejects with the listen error when the port is taken. Note: @xstate/inspect is xstate v4 only.
 */
export async function startLiveInspector(port: number): Promise<LiveInspector> {
  const relay = await startRelayServer({ port });
  const inspector = createInspector(new RelayAdapter(relay), { serialize });
  return {
    url: relay.url,
    wsUrl: relay.wsUrl,
    port: relay.port,
    inspect: inspector.inspect,
    async stop() {
      await drain();
      await relay.close();
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
