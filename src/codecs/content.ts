import { decodeHTML } from 'entities';
import type { RawMessage } from './sync.js';

/** Message types of AddMsgList, by name. */
export const MsgType = {
  Text: 1,
  Image: 3,
  Voice: 34,
  FriendRequest: 37,
  PossibleFriend: 40,
  Card: 42,
  Video: 43,
  Emoticon: 47,
  Location: 48,
  App: 49,
  VoipMsg: 50,
  StatusNotify: 51,
  VoipNotify: 52,
  VoipInvite: 53,
  MicroVideo: 62,
  SysNotice: 9999,
  System: 10000,
  Recalled: 10002,
} as const;
export type MsgTypeName = keyof typeof MsgType;
export type KnownMsgType = (typeof MsgType)[MsgTypeName];

/** AppMsgType values of MsgType 49, by name. */
export const AppMsgType = {
  Text: 1,
  Image: 2,
  Audio: 3,
  Video: 4,
  Url: 5,
  Attach: 6,
  Open: 7,
  Emoji: 8,
  VoiceRemind: 9,
  ScanGood: 10,
  Good: 13,
  Emotion: 15,
  CardTicket: 16,
  RealtimeShareLocation: 17,
  Transfers: 2000,
  RedEnvelopes: 2001,
  ReaderType: 100001,
} as const;
export type AppMsgTypeName = keyof typeof AppMsgType;
export type KnownAppMsgType = (typeof AppMsgType)[AppMsgTypeName];

const MSG_TYPE_NAMES: ReadonlyMap<number, MsgTypeName> = new Map(
  (Object.entries(MsgType) as [MsgTypeName, number][]).map(([name, code]) => [code, name]),
);
const APP_MSG_TYPE_NAMES: ReadonlyMap<number, AppMsgTypeName> = new Map(
  (Object.entries(AppMsgType) as [AppMsgTypeName, number][]).map(([name, code]) => [code, name]),
);

export const msgTypeName = (code: number): MsgTypeName | 'Unknown' => MSG_TYPE_NAMES.get(code) ?? 'Unknown';
export const appMsgTypeName = (code: number): AppMsgTypeName | 'Unknown' => APP_MSG_TYPE_NAMES.get(code) ?? 'Unknown';

const EMOJI_SPAN = /<span class="emoji emoji([0-9a-fA-F]{4,10})"\s*><\/span>/g;

/**
 * Code points of a web emoji class: 4–5 hex digits are one code point; 8, 9 and 10 are two
 * (flags are 5+5, e.g. `1f1e81f1f3`); keycaps are an ASCII digit or `#` then U+20E3 (`3020e3`).
 */
export function emojiCodePoints(hex: string): number[] {
  const h = hex.toLowerCase();
  if (h.length <= 5) return [Number.parseInt(h, 16)];
  if (h.length === 6 && h.endsWith('20e3')) return [Number.parseInt(h.slice(0, 2), 16), 0x20e3];
  const firstLen = h.length === 10 ? 5 : h.length === 9 ? (h.startsWith('1') ? 5 : 4) : 4;
  return [Number.parseInt(h.slice(0, firstLen), 16), Number.parseInt(h.slice(firstLen), 16)];
}

function emojiToText(_span: string, hex: string): string {
  const points = emojiCodePoints(hex);
  return points.every((p) => p <= 0x10ffff) ? String.fromCodePoint(...points) : '';
}

/** The entities the server writes when it escapes text and XML, and what they stand for. */
const COMMON_ENTITIES: readonly (readonly [entity: string, text: string])[] = [
  ['&lt;', '<'],
  ['&gt;', '>'],
  ['&amp;', '&'],
  ['&quot;', '"'],
  ['&apos;', "'"],
  ['&#39;', "'"],
];

/** The common entity that starts at `at` (which holds a `&`), or undefined. */
function commonEntityAt(text: string, at: number): readonly [entity: string, text: string] | undefined {
  for (const pair of COMMON_ENTITIES) if (text.startsWith(pair[0], at)) return pair;
  return undefined;
}

/**
 * HTML entities decoded exactly as `entities`' decodeHTML does. The server only ever writes the
 * six entities of escaping, and decodeHTML's general decoder was a third of the per-message cost
 * of a sync page, so text in which every `&` starts one of those six is decoded here in one scan;
 * anything else (another entity, a bare `&`) goes to decodeHTML itself. A property test holds the
 * two to the same output.
 */
export function decodeEntities(text: string): string {
  let at = text.indexOf('&');
  if (at === -1) return text;
  let decoded = '';
  let from = 0;
  while (at !== -1) {
    const pair = commonEntityAt(text, at);
    if (pair === undefined) return decodeHTML(text);
    decoded += text.slice(from, at) + pair[1];
    from = at + pair[0].length;
    at = text.indexOf('&', from);
  }
  return decoded + text.slice(from);
}

const LINE_BREAK = /<br\s*\/?>/g;

/** Content decoding in the protocol's order: emoji spans → characters, `<br/>` → newline, then entities. */
export function decodeContent(raw: string): string {
  // Each pass only when its markup can be there: most texts have neither.
  const emoji = raw.includes('<span') ? raw.replace(EMOJI_SPAN, emojiToText) : raw;
  const lines = emoji.includes('<br') ? emoji.replace(LINE_BREAK, '\n') : emoji;
  return decodeEntities(lines);
}

const GROUP_PREFIX = /^(@[0-9A-Za-z_]{1,128}):<br\/>/;

/** Splits `@member:<br/>text` (a group message sent by someone else) into the member and the rest. */
export function splitGroupSender(raw: string): { readonly sender: string | null; readonly rest: string } {
  const match = GROUP_PREFIX.exec(raw);
  return match ? { sender: match[1]!, rest: raw.slice(match[0].length) } : { sender: null, rest: raw };
}

export const isGroupUserName = (userName: string): boolean => userName.startsWith('@@');

/** A message as the engine delivers it (the CONTRACT's `message` event plus `isSelf`). */
export interface Message {
  readonly MsgId: string;
  readonly MsgType: number;
  readonly AppMsgType?: number;
  readonly FromUserName: string;
  readonly ToUserName: string;
  readonly Content: string;
  readonly CreateTime: number;
  readonly IsGroup: boolean;
  readonly SenderUserName?: string;
  /** Sent by this account (from the phone or another client). */
  readonly isSelf: boolean;
}

/** Normalises a raw AddMsgList entry for delivery: decoded content, group sender split out, own messages marked. */
export function normalizeMessage(raw: RawMessage, selfUserName: string): Message {
  const isGroup = isGroupUserName(raw.FromUserName) || isGroupUserName(raw.ToUserName);
  const isSelf = raw.FromUserName === selfUserName;
  const { sender, rest } = isGroup && !isSelf ? splitGroupSender(raw.Content) : { sender: null, rest: raw.Content };
  // One object per message, its optional fields added in place (a page is 50 of them).
  const message: { -readonly [K in keyof Message]: Message[K] } = {
    MsgId: raw.MsgId,
    MsgType: raw.MsgType,
    FromUserName: raw.FromUserName,
    ToUserName: raw.ToUserName,
    Content: decodeContent(rest),
    CreateTime: raw.CreateTime,
    IsGroup: isGroup,
    isSelf,
  };
  if (raw.AppMsgType !== undefined && raw.AppMsgType !== 0) message.AppMsgType = raw.AppMsgType;
  if (sender !== null) message.SenderUserName = sender;
  return message;
}
