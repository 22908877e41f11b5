import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { WebwxClient } from '../client.js';
import { decodeContent } from '../codecs/content.js';
import type { WebwxContext } from '../machines/webwx.types.js';
import { createHumanWriter, type NameBook } from './human.js';
import { createNdjsonWriter, parseStdinCommand, type CliEvent } from './ndjson.js';
import { renderQrForTerminal, writeQrPng } from './qr.js';

export interface CliStreams {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdin: Readable;
}

export interface RunClientOptions {
  readonly json: boolean;
  readonly qrPng?: string | undefined;
  /** Ctrl-C stops without webwxlogout, keeping the stored session usable. */
  readonly keepSession?: boolean | undefined;
  /** Read the CONTRACT's stdin commands (only meaningful with --json). */
  readonly readCommands: boolean;
  /** Called once the machine is syncing (the demo drives its script from here). */
  readonly onSyncing?: ((emit: (event: CliEvent) => void) => void) | undefined;
}

/** The CONTRACT's logout reasons that mean "the session ended normally". */
const NORMAL_REASONS: ReadonlySet<string> = new Set(['user', 'remote']);

/** 0 after a logout by the user or the server, 3 after any other end (CONTRACT "Exit codes"). */
export function exitCodeForLogout(reason: string): number {
  return NORMAL_REASONS.has(reason) ? 0 : 3;
}

export interface ContractMessageInput {
  readonly MsgId: string;
  readonly MsgType: number;
  readonly FromUserName: string;
  readonly ToUserName: string;
  readonly Content: string;
  readonly CreateTime: number;
  readonly IsGroup: boolean;
  readonly SenderUserName?: string | undefined;
}

/** The CONTRACT's `message` fields, and only those (no `isSelf`, no `AppMsgType`). */
export function contractMessage(m: ContractMessageInput): Record<string, unknown> {
  const out: Record<string, unknown> = {
    MsgId: m.MsgId,
    MsgType: m.MsgType,
    FromUserName: m.FromUserName,
    ToUserName: m.ToUserName,
    Content: m.Content,
    CreateTime: m.CreateTime,
    IsGroup: m.IsGroup,
  };
  if (m.SenderUserName !== undefined) out['SenderUserName'] = m.SenderUserName;
  return out;
}

/** Names arrive as the server wrote them (entities, emoji spans): shown as a person reads them. */
function readableName(name: string | undefined): string | null {
  if (name === undefined || name === '') return null;
  return decodeContent(name).replace(/\n/g, ' ');
}

/** Names from the running machine's contact book, for the human output. */
function namesFrom(client: WebwxClient): NameBook {
  const context = (): WebwxContext | null => {
    try {
      return client.actor.getSnapshot().context;
    } catch {
      return null;
    }
  };
  return {
    nameOf(userName, group) {
      const contacts = context()?.contacts;
      if (!contacts) return null;
      if (group !== undefined) {
        const member = contacts[group]?.members?.find((m) => m.UserName === userName);
        if (member) return readableName(member.DisplayName || member.NickName);
      }
      const contact = contacts[userName];
      return contact ? readableName(contact.RemarkName || contact.NickName) : null;
    },
    selfUserName: () => context()?.user?.UserName ?? null,
  };
}

/**
 * Runs a client until it logs out and returns the process exit code. Wires the client's events
 * to NDJSON (stdout) or friendly text, stdin commands, the QR drawing and Ctrl-C.
 */
export async function runClient(client: WebwxClient, streams: CliStreams, options: RunClientOptions): Promise<number> {
  const human = options.json ? streams.stderr : streams.stdout;
  const emit = options.json
    ? createNdjsonWriter(streams.stdout)
    : createHumanWriter(streams.stdout, streams.stderr, { names: namesFrom(client), keepSession: options.keepSession === true, commands: false });
  let syncingSeen = false;
  let loggedOut = false;

  client.on('state', ({ state }) => {
    emit({ event: 'state', state });
    if (state === 'syncing' && !syncingSeen) {
      syncingSeen = true;
      options.onSyncing?.(emit);
    }
  });
  client.on('qr', ({ uuid, qrUrl, imageUrl }) => {
    emit({ event: 'qr', uuid, qrUrl, imageUrl });
    // With --json the QR is still drawn for a person watching, on stderr.
    if (options.json) human.write(`Scan this QR code with WeChat on your phone (image: ${imageUrl}):\n${renderQrForTerminal(qrUrl)}\n`);
    if (options.qrPng !== undefined) {
      const file = options.qrPng;
      writeQrPng(file, qrUrl).then(
        () => human.write(`(QR code written to ${file})\n`),
        (err: unknown) => emit({ event: 'error', code: 'qrPng', message: `could not write ${file}: ${err instanceof Error ? err.message : String(err)}` }),
      );
    }
  });
  client.on('scanned', ({ avatar }) => emit({ event: 'scanned', avatar }));
  client.on('login', ({ user }) => emit({ event: 'login', user: { UserName: user.UserName, NickName: user.NickName, Uin: user.Uin } }));
  client.on('contacts', ({ count }) => emit({ event: 'contacts', count }));
  client.on('message', ({ message }) => emit({ event: 'message', message: contractMessage(message) }));
  client.on('sent', ({ to, clientMsgId, msgId }) => emit({ event: 'sent', to, clientMsgId, msgId }));
  client.on('sendFailed', ({ to, clientMsgId, reason, ret }) =>
    emit({
      event: 'error',
      code: 'sendFailed',
      message: `send to ${to} failed: ${reason}${ret === undefined ? '' : ` (Ret ${ret})`}`,
      to,
      clientMsgId,
      reason,
      ...(ret === undefined ? {} : { ret }),
    }),
  );
  client.on('error', ({ code, message }) => emit({ event: 'error', code, message }));

  let finish: (reason: string) => void = () => undefined;
  const finished = new Promise<string>((resolve) => {
    finish = resolve;
  });
  client.on('logout', (info) => {
    if (loggedOut) return;
    loggedOut = true;
    const event: Record<string, unknown> = { event: 'logout', reason: info.reason };
    if (info.retcode !== undefined) event['retcode'] = info.retcode;
    if (info.message !== undefined) event['message'] = info.message;
    emit(event as CliEvent);
    finish(info.reason);
  });
  /**
   * An end the machine did not report itself (it was stopped, or logged out before it started):
   * told the same way, so every run ends with a `logout` line.
   */
  const endQuietly = (reason: string, retcode?: number): void => {
    if (loggedOut) return;
    loggedOut = true;
    emit({ event: 'state', state: 'loggedOut' });
    emit({ event: 'logout', reason, ...(retcode === undefined ? {} : { retcode }) });
    finish(reason);
  };

  const stopCommands = options.readCommands ? readCommands(client, streams.stdin, emit) : () => undefined;
  const signals = handleSignals(client, options.keepSession === true, human);
  try {
    try {
      await client.start();
    } catch (err) {
      // A session file the store refuses (insecure mode, corrupt, unreadable) is told as an event
      // too, so a --json consumer learns why; main maps it to exit 3.
      const code = (err as { code?: unknown } | null)?.code;
      if (typeof code === 'string' && code.startsWith('session')) {
        emit({ event: 'error', code, message: err instanceof Error ? err.message : String(err) });
      }
      throw err;
    }
    // `done` resolves after the `logout` event, or alone when the client was stopped; a stop
    // finishes saving the session first. It rejects only on a bug in the machine (ClientCrash):
    // that is exit code 1, not a hang.
    const ended = client.done.then(async (info) => {
      await signals.stopping();
      endQuietly(info.reason, info.retcode);
      return info.reason;
    });
    return exitCodeForLogout(await Promise.race([finished, ended]));
  } finally {
    stopCommands();
    signals.dispose();
  }
}

function readCommands(client: WebwxClient, stdin: Readable, emit: (event: CliEvent) => void): () => void {
  const lines = createInterface({ input: stdin, crlfDelay: Infinity, terminal: false });
  lines.on('line', (line) => {
    // A blank line is a line that is not valid JSON too (CONTRACT.md): it gets its badCommand.
    const parsed = parseStdinCommand(line);
    if (!parsed.ok) {
      emit({ event: 'error', code: 'badCommand', message: parsed.message });
      return;
    }
    if (parsed.command.cmd === 'logout') {
      void client.logout().catch(() => undefined);
      return;
    }
    // The outcome is reported by the `sent` / `sendFailed` events.
    client.send(parsed.command.to, parsed.command.text).catch(() => undefined);
  });
  // stdin closing is not a command: a pipeline that ends its input leaves the session running.
  lines.on('error', () => undefined);
  return () => lines.close();
}

interface SignalHandling {
  /** Resolves once a stop asked for by a signal has finished (at once when there was none). */
  stopping(): Promise<void>;
  dispose(): void;
}

/**
 * Ctrl-C (or SIGTERM) logs out — or, with --keep-session, stops without webwxlogout once the
 * stored session is saved. A second Ctrl-C does not wait for the server any more.
 */
function handleSignals(client: WebwxClient, keepSession: boolean, human: Writable): SignalHandling {
  let signals = 0;
  let stopping: Promise<void> | null = null;
  const onSignal = (): void => {
    signals++;
    if (signals === 1 && !keepSession) {
      human.write('Logging out… (Ctrl-C again to quit without waiting)\n');
      void client.logout().catch(() => undefined);
      return;
    }
    if (signals === 1) human.write('Stopping; the session is kept for the next run.\n');
    stopping ??= client.stop().then(
      () => undefined,
      () => undefined,
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stopping: () => stopping ?? Promise.resolve(),
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
