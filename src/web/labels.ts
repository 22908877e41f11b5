/**
 * Names people recognise, from what the machine knows of the contacts: the remark name, else the
 * nickname, else a shortened UserName (UserNames change every login and mean nothing to a person).
 */
import { decodeHTML } from 'entities';
import { decodeContent, msgTypeName, type Message } from '../codecs/content.js';
import type { ContactSummary } from '../machines/webwx.types.js';
import type { ContactOption, IncomingEntry } from './view.js';

/** The select on the page stays usable; the UserName field reaches anyone beyond it. */
export const MAX_CONTACT_OPTIONS = 2_000;

const shortName = (userName: string): string => (userName.length > 14 ? `${userName.slice(0, 14)}…` : userName);

export function contactLabel(contact: ContactSummary | undefined, userName: string): string {
  if (!contact) return userName === 'filehelper' ? '文件传输助手' : shortName(userName);
  const remark = contact.RemarkName ? decodeContent(contact.RemarkName).trim() : '';
  const nick = decodeContent(contact.NickName).trim();
  return remark || nick || shortName(userName);
}

/** People first, then groups, each by name; bounded. */
export function contactOptions(contacts: Readonly<Record<string, ContactSummary>>): ContactOption[] {
  const options = Object.values(contacts).map((c) => ({ UserName: c.UserName, label: contactLabel(c, c.UserName), isGroup: c.isGroup }));
  options.sort((a, b) => Number(a.isGroup) - Number(b.isGroup) || a.label.localeCompare(b.label, 'zh-Hans-CN') || a.UserName.localeCompare(b.UserName));
  return options.slice(0, MAX_CONTACT_OPTIONS);
}

function memberLabel(group: ContactSummary | undefined, userName: string): string {
  const member = group?.members?.find((m) => m.UserName === userName);
  if (!member) return shortName(userName);
  const display = member.DisplayName ? decodeContent(member.DisplayName).trim() : '';
  return display || decodeContent(member.NickName).trim() || shortName(userName);
}

/** The text of the first `<tag>` of an XML content (CDATA or escaped text), or ''. */
function tagText(xml: string, tag: string): string {
  const match = new RegExp(`<${tag}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${tag}>`).exec(xml);
  if (!match) return '';
  return (match[1] ?? decodeHTML(match[2] ?? '')).trim();
}

/**
 * What a person reads of a message: text as it is; for the XML contents (app messages, status
 * notifies, recalls) the title and description, or the notice's own words, or the type's name.
 */
export function displayContent(message: Pick<Message, 'MsgType' | 'Content'>): string {
  const content = message.Content;
  if (!content.trimStart().startsWith('<')) return content;
  const title = tagText(content, 'title');
  const des = tagText(content, 'des');
  if (title) return des ? `${title}\n${des}` : title;
  const notice = tagText(content, 'replacemsg');
  return notice || `[${msgTypeName(message.MsgType)}]`;
}

/** A delivered message as the page lists it: with the names of the chat and of the group member. */
export function incomingEntry(message: Message, contacts: Readonly<Record<string, ContactSummary>>): IncomingEntry {
  // Our own messages (sent from the phone) belong to the chat they went to.
  const chat = message.isSelf ? message.ToUserName : message.FromUserName;
  const base: IncomingEntry = {
    dir: 'in',
    MsgId: message.MsgId,
    time: message.CreateTime,
    from: chat,
    fromLabel: contactLabel(contacts[chat], chat),
    type: message.MsgType,
    typeName: msgTypeName(message.MsgType),
    content: displayContent(message),
    isSelf: message.isSelf,
    isGroup: message.IsGroup,
  };
  return message.SenderUserName !== undefined ? { ...base, senderLabel: memberLabel(contacts[chat], message.SenderUserName) } : base;
}
