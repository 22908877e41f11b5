import type { Writable } from 'node:stream';
import { msgTypeName } from '../codecs/content.js';
import type { CliEvent } from './ndjson.js';

/** Long session-scoped ids (`@` + 64 hex) are unreadable; show their head. */
export function shortName(userName: string): string {
  return userName.length > 14 ? `${userName.slice(0, 12)}…` : userName;
}

const STATE_HINTS: Readonly<Record<string, string>> = {
  uuid: 'asking the login server for a QR code',
  awaitingScan: 'waiting for the phone to scan the QR code',
  scanned: 'scanned — waiting for the confirmation on the phone',
  confirmed: 'confirmed — fetching the session credentials',
  initialized: 'initialising: user, recent chats, contacts',
  restoring: 'resuming the stored session',
  syncing: 'logged in and listening for messages',
  loggedOut: 'logged out',
};

function clock(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isFinite(date.getTime()) ? date.toTimeString().slice(0, 8) : '--:--:--';
}

/** One friendly line (or block) per event, for people at a terminal. */
export function formatHuman(event: CliEvent): string | null {
  switch (event.event) {
    case 'state': {
      const state = String(event['state']);
      return `· ${state}: ${STATE_HINTS[state] ?? ''}`;
    }
    case 'qr':
      return `Scan the QR code below with WeChat on your phone (or open ${String(event['imageUrl'])}).`;
    case 'scanned':
      return '✓ Scanned. Confirm the login on your phone.';
    case 'login': {
      const user = event['user'] as { NickName?: string; UserName?: string } | undefined;
      return `✓ Logged in as ${user?.NickName ?? '?'} (${shortName(user?.UserName ?? '')}).`;
    }
    case 'contacts':
      return `✓ ${String(event['count'])} contacts loaded.`;
    case 'message': {
      const m = event['message'] as { FromUserName: string; Content: string; CreateTime: number; IsGroup: boolean; SenderUserName?: string; MsgType: number };
      const where = m.IsGroup ? `[${shortName(m.FromUserName)}] ${shortName(m.SenderUserName ?? m.FromUserName)}` : shortName(m.FromUserName);
      const body = m.MsgType === 1 ? m.Content : `(${msgTypeName(m.MsgType)} message, type ${m.MsgType})`;
      return `${clock(m.CreateTime)} ${where}: ${body}`;
    }
    case 'sent':
      return `→ sent to ${shortName(String(event['to']))} (MsgID ${String(event['msgId'])}).`;
    case 'error':
      return `! ${String(event['code'])}: ${String(event['message'])}`;
    case 'logout': {
      const retcode = event['retcode'] === undefined ? '' : ` retcode ${String(event['retcode'])}`;
      const message = event['message'] === undefined ? '' : ` — ${String(event['message'])}`;
      return `Logged out (${String(event['reason'])}${retcode})${message}.`;
    }
    default:
      return null;
  }
}

export function createHumanWriter(out: Writable): (event: CliEvent) => void {
  return (event) => {
    const line = formatHuman(event);
    if (line !== null) out.write(`${line}\n`);
  };
}
