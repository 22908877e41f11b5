import { describe, expect, it } from 'vitest';
import type { Message } from '../../../src/codecs/content.js';
import type { ContactSummary } from '../../../src/machines/webwx.types.js';
import { contactLabel, contactOptions, displayContent, incomingEntry, MAX_CONTACT_OPTIONS } from '../../../src/web/labels.js';

const person = (UserName: string, NickName: string, RemarkName = ''): ContactSummary => ({ UserName, NickName, RemarkName, isGroup: false });

describe('contactLabel', () => {
  it('prefers the remark, then the decoded nickname, then a short UserName', () => {
    expect(contactLabel(person('@a', 'Tom &amp; Jerry', '老板'), '@a')).toBe('老板');
    expect(contactLabel(person('@a', 'Tom &amp; Jerry<span class="emoji emoji1f604"></span>'), '@a')).toBe('Tom & Jerry😄');
    expect(contactLabel(person('@0123456789abcdef0123', ''), '@0123456789abcdef0123')).toBe('@0123456789abc…');
    expect(contactLabel(undefined, 'filehelper')).toBe('文件传输助手');
  });
});

describe('contactOptions', () => {
  it('lists people before groups, by name, and stays bounded', () => {
    const contacts: Record<string, ContactSummary> = {
      '@@g': { UserName: '@@g', NickName: 'A group', isGroup: true },
      '@b': person('@b', 'Bob'),
      '@a': person('@a', 'Alice'),
    };
    expect(contactOptions(contacts).map((o) => o.UserName)).toEqual(['@a', '@b', '@@g']);
    const many = Object.fromEntries(Array.from({ length: MAX_CONTACT_OPTIONS + 10 }, (_, i) => [`@p${i}`, person(`@p${i}`, `p${i}`)]));
    expect(contactOptions(many)).toHaveLength(MAX_CONTACT_OPTIONS);
  });
});

describe('displayContent', () => {
  it('leaves text alone', () => {
    expect(displayContent({ MsgType: 1, Content: 'a < b & c' })).toBe('a < b & c');
  });

  it('shows the title and description of an app message (CDATA or escaped text)', () => {
    const xml = '<?xml version="1.0"?>\n<msg><appmsg><title><![CDATA[微信支付收款12.50元]]></title><des>收款金额￥12.50 &amp; more</des></appmsg></msg>';
    expect(displayContent({ MsgType: 49, Content: xml })).toBe('微信支付收款12.50元\n收款金额￥12.50 & more');
  });

  it("shows a recall's own words, or the type's name when the XML says nothing readable", () => {
    expect(displayContent({ MsgType: 10002, Content: '<sysmsg><revokemsg><replacemsg><![CDATA["Bob" 撤回了一条消息]]></replacemsg></revokemsg></sysmsg>' })).toBe('"Bob" 撤回了一条消息');
    expect(displayContent({ MsgType: 51, Content: "<msg>\n<op id='4'>\n<username>@a,@b</username></op></msg>" })).toBe('[StatusNotify]');
  });
});

describe('incomingEntry', () => {
  const contacts: Record<string, ContactSummary> = {
    '@@g': { UserName: '@@g', NickName: '项目组 &amp; 产品', isGroup: true, members: [{ UserName: '@m', NickName: 'Mia', DisplayName: '米娅' }] },
    '@a': person('@a', 'Alice'),
  };
  const base: Message = { MsgId: '1', MsgType: 1, FromUserName: '@a', ToUserName: '@me', Content: 'hi', CreateTime: 10, IsGroup: false, isSelf: false };

  it('names the chat and, in a group, the member', () => {
    expect(incomingEntry(base, contacts)).toMatchObject({ fromLabel: 'Alice', content: 'hi', typeName: 'Text' });
    const group = incomingEntry({ ...base, FromUserName: '@@g', IsGroup: true, SenderUserName: '@m' }, contacts);
    expect(group).toMatchObject({ fromLabel: '项目组 & 产品', senderLabel: '米娅', isGroup: true });
  });

  it('files our own messages under the chat they went to', () => {
    expect(incomingEntry({ ...base, FromUserName: '@me', ToUserName: '@a', isSelf: true }, contacts)).toMatchObject({ from: '@a', fromLabel: 'Alice', isSelf: true });
  });
});
