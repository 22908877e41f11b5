/**
 * The web console: one webwx client, watched and driven from a browser page on loopback. The
 * client's events and the machine's inspection stream become console updates (view.ts); the
 * page gets them as Server-Sent Events (server.ts).
 */
import type { InspectionEvent, Observer } from 'xstate';
import { createWebwxClient, SendError, type WebwxClient, type WebwxClientOptions } from '../client.js';
import { decodeContent } from '../codecs/content.js';
import { redactSecrets } from '../codecs/redact.js';
import { webwxMachine } from '../machines/webwx.machine.js';
import type { ContactSummary } from '../machines/webwx.types.js';
import { consoleDiagram } from './diagram-view.js';
import { normaliseAvatar, qrImageUrl } from './images.js';
import { contactLabel, contactOptions, incomingEntry } from './labels.js';
import { buildConsoleServer, type ConsoleServer, type SendOutcome } from './server.js';
import { createTransitionTracker } from './transitions.js';
import { createConsoleHub, type ConsoleHub } from './view.js';

export interface WebConsoleOptions {
  /** The client to run (login origin, session store, timings…); its `inspect` is kept and fed too. */
  readonly client?: WebwxClientOptions;
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
  readonly title?: string;
  /** How long a send may take before the page is told it is still pending (default 20 s). */
  readonly sendWaitMs?: number;
  readonly heartbeatMs?: number;
  readonly now?: () => number;
  /** Called with the client before it starts, to attach listeners that must see every event. */
  readonly beforeStart?: (client: WebwxClient) => void;
}

export interface WebConsole {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  readonly client: WebwxClient;
  readonly hub: ConsoleHub;
  /** Stops the HTTP side (open pages see the stream end). Does not log out: see client.logout(). */
  close(): Promise<void>;
}

type InspectOption = WebwxClientOptions['inspect'];

function callInspect(inspect: InspectOption, event: InspectionEvent): void {
  if (!inspect) return;
  if (typeof inspect === 'function') inspect(event);
  else (inspect as Observer<InspectionEvent>).next?.(event);
}

const errorText = (err: unknown): string => redactSecrets(err instanceof Error ? err.message : String(err));

/** Starts the console's server, then the client; resolves once both run. */
export async function startWebConsole(options: WebConsoleOptions = {}): Promise<WebConsole> {
  const now = options.now ?? Date.now;
  const hub = createConsoleHub();
  const diagram = consoleDiagram(webwxMachine);
  const tracker = createTransitionTracker(diagram.machineId, now);
  const userInspect = options.client?.inspect;

  const inspect = (event: InspectionEvent): void => {
    try {
      for (const update of tracker.observe(event)) hub.publish(update);
    } catch (err) {
      hub.publish({ kind: 'error', entry: { at: now(), code: 'console', message: errorText(err) } });
    }
    callInspect(userInspect, event);
  };
  const client = createWebwxClient({ ...options.client, inspect });
  wireClient(client, hub, now);

  const server = buildConsoleServer({
    hub,
    diagram,
    title: options.title ?? 'webwx console',
    ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
    actions: {
      send: (to, text) => sendFromPage(client, hub, to, text, options.sendWaitMs ?? 20_000, now),
      logout: () => {
        void client.logout().catch(() => undefined);
      },
    },
  });
  const address = await server.app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const url = `${new URL(address).origin}/`;
  try {
    options.beforeStart?.(client);
    await client.start();
  } catch (err) {
    await server.close();
    throw err;
  }
  return { url, client, hub, close: () => server.close() };
}

function contactsOf(client: WebwxClient): Readonly<Record<string, ContactSummary>> {
  try {
    return client.actor.getSnapshot().context.contacts;
  } catch {
    return {};
  }
}

/** Client events → console updates. The QR is drawn asynchronously; a scan that beats it wins. */
function wireClient(client: WebwxClient, hub: ConsoleHub, now: () => number): void {
  let qrGeneration = 0;
  client.on('qr', ({ qrUrl }) => {
    const generation = ++qrGeneration;
    qrImageUrl(qrUrl).then(
      (image) => {
        if (generation === qrGeneration) hub.publish({ kind: 'qr', image });
      },
      (err: unknown) => hub.publish({ kind: 'error', entry: { at: now(), code: 'qr', message: errorText(err) } }),
    );
  });
  client.on('scanned', ({ avatar }) => {
    qrGeneration += 1;
    hub.publish({ kind: 'scanned', avatar: normaliseAvatar(avatar) });
  });
  client.on('login', ({ user }) => {
    qrGeneration += 1;
    hub.publish({ kind: 'login', user: { NickName: decodeContent(user.NickName), UserName: user.UserName } });
  });
  client.on('contacts', ({ count }) => hub.publish({ kind: 'contacts', count, list: contactOptions(contactsOf(client)) }));
  client.on('message', ({ message }) => hub.publish({ kind: 'feed', entry: incomingEntry(message, contactsOf(client)) }));
  client.on('error', ({ code, message }) => hub.publish({ kind: 'error', entry: { at: now(), code, message } }));
  client.on('logout', (info) => hub.publish({ kind: 'logout', info: { ...info } }));
}

/**
 * Sends and answers the page with the outcome, or with `stillPending` once `waitMs` passed (the
 * machine keeps retrying: the real outcome lands in the feed when it comes).
 */
async function sendFromPage(client: WebwxClient, hub: ConsoleHub, to: string, text: string, waitMs: number, now: () => number): Promise<SendOutcome> {
  const toLabel = contactLabel(contactsOf(client)[to], to);
  const attempt = client.send(to, text).then(
    ({ clientMsgId, msgId }): SendOutcome => ({ ok: true, clientMsgId, msgId }),
    (err: unknown): SendOutcome =>
      err instanceof SendError
        ? { ok: false, reason: err.reason, ...(err.ret !== undefined ? { ret: err.ret } : {}) }
        : { ok: false, reason: 'internal' },
  );
  void attempt.then((outcome) => {
    const detail = outcome.ok ? outcome.msgId : outcome.reason;
    hub.publish({ kind: 'feed', entry: { dir: 'out', at: now(), to, toLabel, text, ok: outcome.ok, detail } });
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<SendOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: 'stillPending' }), waitMs);
  });
  try {
    return await Promise.race([attempt, late]);
  } finally {
    clearTimeout(timer);
  }
}
