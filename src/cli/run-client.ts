import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { WebwxClient } from '../client.js';
import { createHumanWriter } from './human.js';
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

export function exitCodeForLogout(reason: string): number {
  return NORMAL_REASONS.has(reason) ? 0 : 3;
}

/** The CONTRACT's `message` fields, and only those. */
function contractMessage(m: {
  MsgId: string;
  MsgType: number;
  FromUserName: string;
  ToUserName: string;
  Content: string;
  CreateTime: number;
  IsGroup: boolean;
  SenderUserName?: string | undefined;
}): Record<string, unknown> {
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

/**
 * Runs a client until it logs out and returns the process exit code. Wires the client's events
 * to NDJSON (stdout) or friendly text, stdin commands, the QR drawing and Ctrl-C.
 */
export async function runClient(client: WebwxClient, streams: CliStreams, options: RunClientOptions): Promise<number> {
  const emit = options.json ? createNdjsonWriter(streams.stdout) : createHumanWriter(streams.stdout);
  const human = options.json ? streams.stderr : streams.stdout;
  let syncingSeen = false;

  client.on('state', ({ state }) => {
    emit({ event: 'state', state });
    if (state === 'syncing' && !syncingSeen) {
      syncingSeen = true;
      options.onSyncing?.(emit);
    }
  });
  client.on('qr', ({ uuid, qrUrl, imageUrl }) => {
    emit({ event: 'qr', uuid, qrUrl, imageUrl });
    void renderQrForTerminal(qrUrl).then((drawing) => human.write(`${drawing}\n`), () => undefined);
    if (options.qrPng !== undefined) {
      const file = options.qrPng;
      writeQrPng(file, qrUrl).then(
        () => streams.stderr.write(options.json ? '' : `(QR code written to ${file})\n`),
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
    emit({ event: 'error', code: 'sendFailed', message: `send to ${to} (${clientMsgId}) failed: ${reason}${ret === undefined ? '' : ` (Ret ${ret})`}`, ...(ret === undefined ? {} : { ret }) }),
  );
  client.on('error', ({ code, message }) => emit({ event: 'error', code, message }));

  let finish: (reason: string) => void = () => undefined;
  const finished = new Promise<string>((resolve) => {
    finish = resolve;
  });
  client.on('logout', (info) => {
    const event: Record<string, unknown> = { event: 'logout', reason: info.reason };
    if (info.retcode !== undefined) event['retcode'] = info.retcode;
    if (info.message !== undefined) event['message'] = info.message;
    emit(event as CliEvent);
    finish(info.reason);
  });

  const stopCommands = options.readCommands ? readCommands(client, streams.stdin, emit) : () => undefined;
  const stopSignals = handleSignals(client, options.keepSession === true, emit, finish);
  try {
    await client.start();
    // `done` rejects only on a bug in the machine (ClientCrash): that is exit code 1, not a hang.
    const crashed = client.done.then(
      () => new Promise<never>(() => undefined),
      (err: unknown) => Promise.reject(err),
    );
    return exitCodeForLogout(await Promise.race([finished, crashed]));
  } finally {
    stopCommands();
    stopSignals();
  }
}

function readCommands(client: WebwxClient, stdin: Readable, emit: (event: CliEvent) => void): () => void {
  const lines = createInterface({ input: stdin, crlfDelay: Infinity, terminal: false });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
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

function handleSignals(
  client: WebwxClient,
  keepSession: boolean,
  emit: (event: CliEvent) => void,
  finish: (reason: string) => void,
): () => void {
  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) return;
    interrupted = true;
    if (keepSession) {
      // Stopping aborts every request without webwxlogout: the stored session stays valid.
      void client.stop().catch(() => undefined);
      emit({ event: 'logout', reason: 'user' });
      finish('user');
      return;
    }
    void client.logout().catch(() => undefined);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
