/**
 * AddMsgList entries as the real server writes them: text HTML-escaped with `<br/>` for line
 * breaks and emoji as the web client's sprite spans, the `@member:<br/>` prefix in groups, and the
 * XML of media and app messages escaped once more inside Content.
 */
import { asUserName, int, type MsgId } from '../codecs/common.js';
import type { GeneratedMessage } from './generate.js';

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const isRegionalIndicator = (cp: number): boolean => cp >= 0x1f1e6 && cp <= 0x1f1ff;
/** The blocks the web client draws from its sprite sheet (pictographs, symbols, dingbats, stars). */
const isEmoji = (cp: number): boolean => (cp >= 0x1f000 && cp <= 0x1faff) || (cp >= 0x2600 && cp <= 0x27bf) || cp === 0x2b50 || cp === 0x2b55;
const span = (hex: string): string => `<span class="emoji emoji${hex}"></span>`;

/** Emoji become sprite spans; a flag (two regional indicators) is one span with both code points. */
function emojiToSpans(text: string): string {
  const points = Array.from(text, (ch) => ch.codePointAt(0)!);
  let out = '';
  for (let i = 0; i < points.length; i++) {
    const cp = points[i]!;
    const next = points[i + 1];
    if (cp === 0xfe0f) continue;
    if (isRegionalIndicator(cp) && next !== undefined && isRegionalIndicator(next)) {
      out += span(cp.toString(16) + next.toString(16));
      i++;
    } else if (isEmoji(cp)) {
      out += span(cp.toString(16));
    } else {
      out += escapeHtml(String.fromCodePoint(cp));
    }
  }
  return out;
}

/** Plain text → the server's Content form (entities, `<br/>`, emoji spans). */
export function encodeTextContent(text: string): string {
  return emojiToSpans(text).replace(/\r?\n/g, '<br/>');
}

/** XML inside Content is escaped once more and its line breaks are `<br/>`. */
export const xmlContent = (xml: string): string => escapeHtml(xml).replace(/\n/g, '<br/>');

export interface MessageParts {
  readonly from: string;
  readonly to: string;
  readonly msgType: number;
  readonly content: string;
  readonly appMsgType?: number;
  readonly url?: string;
  readonly fileName?: string;
  readonly fileSize?: string;
  readonly mediaId?: string;
  readonly statusNotifyCode?: number;
  readonly statusNotifyUserName?: string;
  readonly imgWidth?: number;
  readonly imgHeight?: number;
  readonly voiceLength?: number;
  readonly playLength?: number;
  readonly recommendUserName?: string;
  readonly recommendTicket?: string;
}

/** The full entry (every field the real AddMsgList carries). */
export function buildMessage(parts: MessageParts, msgId: MsgId, createTime: number): GeneratedMessage {
  return {
    MsgId: msgId,
    FromUserName: asUserName(parts.from),
    ToUserName: asUserName(parts.to),
    MsgType: int(parts.msgType),
    Content: parts.content,
    Status: int(3),
    ImgStatus: int(parts.msgType === 3 ? 2 : 1),
    CreateTime: int(createTime),
    VoiceLength: int(parts.voiceLength ?? 0),
    PlayLength: int(parts.playLength ?? 0),
    FileName: parts.fileName ?? '',
    FileSize: parts.fileSize ?? '',
    MediaId: parts.mediaId ?? '',
    Url: parts.url ?? '',
    AppMsgType: int(parts.appMsgType ?? 0),
    StatusNotifyCode: int(parts.statusNotifyCode ?? 0),
    StatusNotifyUserName: parts.statusNotifyUserName ?? '',
    RecommendInfo: {
      UserName: parts.recommendUserName ?? '',
      NickName: '',
      QQNum: 0,
      Province: '',
      City: '',
      Content: '',
      Signature: '',
      Alias: '',
      Scene: int(parts.recommendUserName ? 30 : 0),
      VerifyFlag: int(0),
      AttrStatus: 0,
      Sex: int(0),
      Ticket: parts.recommendTicket ?? '',
      OpCode: parts.recommendUserName ? 2 : 0,
    },
    ForwardFlag: int(0),
    AppInfo: { AppID: '', Type: int(0) },
    HasProductId: 0,
    Ticket: '',
    ImgHeight: int(parts.imgHeight ?? 0),
    ImgWidth: int(parts.imgWidth ?? 0),
    SubMsgType: int(0),
    // The server repeats the id as a JSON number; JSON.parse rounds it (that is the point).
    NewMsgId: Number(msgId),
    EncryFileName: '',
    OriContent: '',
  };
}

export interface TypedContentInput {
  readonly type: number;
  readonly text: string;
  /** The sender as the content names it (the member inside a group). */
  readonly sender: string;
  /** For a recall: the id of the message it takes back. */
  readonly recalledMsgId?: string | undefined;
  readonly ticket: string;
}

/** Content and type-specific fields for an injected message of any MsgType. */
export function typedParts(input: TypedContentInput): Omit<MessageParts, 'from' | 'to'> {
  const { type, text, sender } = input;
  switch (type) {
    case 1:
      return { msgType: 1, content: encodeTextContent(text) };
    case 3:
      return {
        msgType: 3,
        imgWidth: 240,
        imgHeight: 180,
        content: xmlContent(
          `<?xml version="1.0"?>\n<msg>\n\t<img aeskey="0" encryver="1" length="12345" md5="0" cdnthumbwidth="240" cdnthumbheight="180" />\n</msg>\n`,
        ),
      };
    case 34:
      return {
        msgType: 34,
        voiceLength: 3000,
        content: xmlContent(`<msg><voicemsg endflag="1" length="4200" voicelength="3000" fromusername="${sender}" /></msg>`),
      };
    case 37:
      return {
        msgType: 37,
        recommendUserName: sender,
        recommendTicket: input.ticket,
        content: xmlContent(`<msg fromusername="${sender}" encryptusername="${sender}" content="${escapeHtml(text)}" scene="30" />`),
      };
    case 49:
      return {
        msgType: 49,
        appMsgType: 5,
        url: 'https://mp.weixin.qq.com/s?__biz=sim',
        content: xmlContent(
          `<?xml version="1.0"?>\n<msg>\n<appmsg appid="" sdkver="0">\n<title>${escapeHtml(text)}</title>\n<des></des>\n<type>5</type>\n` +
            `<url>https://mp.weixin.qq.com/s?__biz=sim</url>\n</appmsg>\n<fromusername>${sender}</fromusername>\n</msg>`,
        ),
      };
    case 10002:
      return {
        msgType: 10002,
        content: xmlContent(
          `<sysmsg type="revokemsg"><revokemsg><session>${sender}</session><oldmsgid>0</oldmsgid>` +
            `<msgid>${input.recalledMsgId ?? '0'}</msgid><replacemsg><![CDATA[${text}]]></replacemsg></revokemsg></sysmsg>`,
        ),
      };
    default:
      return { msgType: type, content: encodeTextContent(text) };
  }
}
