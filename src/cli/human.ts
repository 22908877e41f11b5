import type { Writable } from 'node:stream';
import { decodeContent, msgTypeName } from '../codecs/content.js';
import { displaySafe, type CliEvent } from './ndjson.js';
import { renderQrForTerminal } from './qr.js';

/** Long session-scoped ids (`@` + 64 hex) are unreadable; show their head. */
export function shortName(userName: string): string {
  return userName.length > 14 ? `${userName.slice(0, 12)}…` : userName;
}

/**
 * Text from the network printed on a terminal: control characters (escape sequences could move the
 * cursor, retitle the window or hide text) become visible marks; newlines stay where allowed.
 */
export function terminalSafe(text: string, keepNewlines = false): string {
  const controls = keepNewlines ? /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g : /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
  return text.replace(controls, (c) => (c === '\t' ? ' ' : '�'));
}

/** How the human output names people and groups (the CLI asks the running machine). */
export interface NameBook {
  /** A contact's or group's display name; `group` names the group a member spoke in. */
  nameOf(userName: string, group?: string): string | null;
  /** The logged-in user's UserName, once known. */
  selfUserName(): string | null;
}

export const NO_NAMES: NameBook = { nameOf: () => null, selfUserName: () => null };

export interface HumanOptions {
  readonly names?: NameBook;
  /** Ctrl-C keeps the session (said in the hint once logged in). */
  readonly keepSession?: boolean;
  /** stdin takes commands (said in the hint once logged in). */
  readonly commands?: boolean;
}

const STATE_LINES: Readonly<Record<string, string | null>> = {
  uuid: '… Asking the login server for a QR code.',
  // The `qr` event draws the code and says what to do.
  awaitingScan: null,
  // The `scanned` event says it with more to do.
  scanned: null,
  confirmed: '✓ Confirmed on the phone. Fetching the session…',
  initialized: '… Loading your profile, recent chats and contacts.',
  restoring: '… Resuming the stored session (no scan needed if it is still alive).',
  syncing: null,
  // The `logout` event says why.
  loggedOut: null,
};

const RETCODE_MEANING: Readonly<Record<number, string>> = {
  1100: 'logged out from the phone',
  1101: 'logged in elsewhere, or the session expired',
  1102: 'the server ended the session',
};

function logoutLine(event: CliEvent): string {
  const retcode = typeof event['retcode'] === 'number' ? event['retcode'] : undefined;
  const said = typeof event['message'] === 'string' && event['message'] !== '' ? terminalSafe(event['message']) : undefined;
  switch (event['reason']) {
    case 'user':
      return 'Logged out.';
    case 'remote':
      return `Logged out by the server${retcode === undefined ? '' : ` (retcode ${retcode}: ${RETCODE_MEANING[retcode] ?? 'session ended'})`}.`;
    case 'qrExpired':
      return 'The QR code expired too many times without a scan. Run the command again to get a new one.';
    case 'webLoginForbidden':
      return `This account may not use WeChat Web${said ? `: ${said}` : ''}. Desktop mode (--uos) may still work.`;
    case 'untrustedRedirect':
      return 'Refused: the login server sent the session to an unknown host (nothing was sent there).';
    case 'tooManyFailures':
      return `Gave up: the network kept failing${said ? ` (${said})` : ''}. Check the connection and run the command again.`;
    default:
      return `Logged out (${terminalSafe(String(event['reason']))})${said ? `: ${said}` : ''}.`;
  }
}

const STATUS_NOTIFY = 51;

function clock(seconds: unknown): string {
  const date = new Date(Number(seconds) * 1000);
  return Number.isFinite(date.getTime()) ? date.toTimeString().slice(0, 8) : '--:--:--';
}

interface MessageView {
  FromUserName: string;
  ToUserName: string;
  Content: string;
  CreateTime: number;
  IsGroup: boolean;
  SenderUserName?: string;
  MsgType: number;
}

function messageLine(m: MessageView, names: NameBook): string {
  const self = names.selfUserName();
  const label = (userName: string, group?: string): string =>
    userName === self ? 'me' : terminalSafe(names.nameOf(userName, group) ?? names.nameOf(userName) ?? shortName(userName));
  const mine = self !== null && m.FromUserName === self;
  let where: string;
  if (m.IsGroup) {
    const group = m.FromUserName.startsWith('@@') ? m.FromUserName : m.ToUserName;
    const speaker = mine ? 'me' : m.SenderUserName !== undefined ? label(m.SenderUserName, group) : '?';
    where = `[${label(group)}] ${speaker}`;
  } else {
    where = mine ? `me → ${label(m.ToUserName)}` : label(m.FromUserName);
  }
  const body = m.MsgType === 1 ? terminalSafe(m.Content, true).replace(/\n/g, '\n    ') : `(${msgTypeName(m.MsgType)} message, type ${m.MsgType})`;
  return `${clock(m.CreateTime)} ${where}: ${body}`;
}

/** One friendly line (or block) per event, for people at a terminal; null for none. */
export function formatHuman(raw: CliEvent, options: HumanOptions = {}, qrCount = 1): string | null {
  const names = options.names ?? NO_NAMES;
  const event = displaySafe(raw);
  switch (event.event) {
    case 'state': {
      const state = String(event['state']);
      if (state === 'syncing') {
        const commands = options.commands ? ' Type commands as JSON lines, e.g. {"cmd":"send","to":"<UserName>","text":"hi"}.' : '';
        return `✓ Listening for messages. Press Ctrl-C to ${options.keepSession ? 'stop (the session is kept for next time)' : 'log out'}.${commands}`;
      }
      return STATE_LINES[state] ?? (state in STATE_LINES ? null : `· ${terminalSafe(state)}`);
    }
    case 'qr': {
      const intro = qrCount > 1 ? 'The QR code expired; here is a new one.' : 'Scan this QR code with WeChat on your phone (Me → Scan).';
      return `${intro} Image: ${String(event['imageUrl'])}\n${renderQrForTerminal(String(event['qrUrl']))}\n… Waiting for the scan.`;
    }
    case 'scanned':
      return '✓ Scanned. Now confirm the login on your phone.';
    case 'login': {
      const user = event['user'] as { NickName?: unknown } | undefined;
      return `✓ Logged in as ${terminalSafe(decodeContent(String(user?.NickName ?? '?')).replace(/\n/g, ' '))}.`;
    }
    case 'contacts':
      return `✓ ${String(event['count'])} contacts loaded.`;
    case 'message': {
      const message = event['message'] as MessageView;
      // Status notices (the phone opened a chat, the recent-chat list) are protocol noise to a person.
      return message.MsgType === STATUS_NOTIFY ? null : messageLine(message, names);
    }
    case 'sent': {
      const to = String(event['to']);
      return `→ Sent to ${terminalSafe(names.nameOf(to) ?? shortName(to))} (MsgID ${String(event['msgId'])}).`;
    }
    case 'error':
      return `! ${terminalSafe(String(event['code']))}: ${terminalSafe(String(event['message']))}`;
    case 'logout':
      return logoutLine(event);
    default:
      return null;
  }
}

/** Friendly text on `out`; faults (`error` events) on `errors`, so they stand out from the chat. */
export function createHumanWriter(out: Writable, errors: Writable, options: HumanOptions = {}): (event: CliEvent) => void {
  let qrCount = 0;
  return (event) => {
    if (event.event === 'qr') qrCount++;
    const line = formatHuman(event, options, qrCount);
    if (line !== null) (event.event === 'error' ? errors : out).write(`${line}\n`);
  };
}
