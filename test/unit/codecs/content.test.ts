import { describe, expect, it } from 'vitest';
import {
  appMsgTypeName,
  asMsgId,
  asUserName,
  decodeContent,
  emojiCodePoints,
  int,
  isGroupUserName,
  msgTypeName,
  normalizeMessage,
  splitGroupSender,
  type RawMessage,
} from '../../../src/codecs/index.js';

const span = (hex: string): string => `<span class="emoji emoji${hex}"></span>`;

describe('emoji spans', () => {
  it.each([
    ['4 hex: one code point', '2600', '☀'],
    ['4 hex upper case', '263A', '☺'],
    ['5 hex: one code point', '1f604', '😄'],
    ['8 hex: two code points of 4', '2764fe0f', '❤️'],
    ['9 hex starting with 1: 5 then 4', '1f441fe0f', '👁️'],
    ['10 hex: two code points of 5 (a flag)', '1f1e81f1f3', '🇨🇳'],
    ['6 hex keycap: ASCII digit then U+20E3', '3020e3', '0⃣'],
  ])('%s', (_what, hex, expected) => {
    expect(decodeContent(span(hex))).toBe(expected);
  });

  it('code points of each class length', () => {
    expect(emojiCodePoints('1f604')).toEqual([0x1f604]);
    expect(emojiCodePoints('2764fe0f')).toEqual([0x2764, 0xfe0f]);
    expect(emojiCodePoints('1f1e81f1f3')).toEqual([0x1f1e8, 0x1f1f3]);
    expect(emojiCodePoints('2320e3')).toEqual([0x23, 0x20e3]);
  });

  it('a span with white space before > and text around it', () => {
    expect(decodeContent(`a<span class="emoji emoji1f604" ></span>b`)).toBe('a😄b');
  });

  it('a class of 3 or 11 hex digits is not an emoji span and stays as it was', () => {
    expect(decodeContent(`x${span('fff')}y`)).toBe(`x${span('fff')}y`);
    expect(decodeContent(span('1f1e81f1f3a'))).toBe(span('1f1e81f1f3a'));
  });

  it('an escaped span is text, not an emoji', () => {
    expect(decodeContent('&lt;span class="emoji emoji1f604"&gt;&lt;/span&gt;')).toBe('<span class="emoji emoji1f604"></span>');
  });
});

describe('line breaks and entities', () => {
  it('<br/> (and <br>, <br />) become \\n', () => {
    expect(decodeContent('a<br/>b<br>c<br />d')).toBe('a\nb\nc\nd');
  });

  it('full HTML entities are unescaped after the markup is handled', () => {
    expect(decodeContent('&lt;b&gt; &amp; &quot;q&quot; &#39;s&#39; &#x4f60;&#22909; &nbsp;&copy;')).toBe('<b> & "q" \'s\' 你好 \u00a0©');
  });

  it('an escaped <br/> stays text', () => {
    expect(decodeContent('&lt;br/&gt;')).toBe('<br/>');
  });

  it('an app message XML escaped in Content comes back as XML', () => {
    expect(decodeContent('&lt;msg&gt;<br/>&lt;appmsg&gt;&lt;title&gt;A &amp;amp; B&lt;/title&gt;&lt;/appmsg&gt;<br/>&lt;/msg&gt;')).toBe(
      '<msg>\n<appmsg><title>A &amp; B</title></appmsg>\n</msg>',
    );
  });
});

describe('group sender prefix', () => {
  const member = '@0d4f8a2c6e1b9d3f7a0c5e8b2d6f1a9c3e7b0d4f8a2c6e1b9d3f7a0c5e8b2d6f';

  it('splits @member:<br/> off the text', () => {
    expect(splitGroupSender(`${member}:<br/>hello<br/>world`)).toEqual({ sender: member, rest: 'hello<br/>world' });
  });

  it('leaves text without the prefix alone', () => {
    expect(splitGroupSender('hello')).toEqual({ sender: null, rest: 'hello' });
    expect(splitGroupSender('@not a name:<br/>x')).toEqual({ sender: null, rest: '@not a name:<br/>x' });
    expect(splitGroupSender(`x${member}:<br/>y`)).toEqual({ sender: null, rest: `x${member}:<br/>y` });
  });

  it('isGroupUserName tells @@ from @', () => {
    expect(isGroupUserName('@@abc')).toBe(true);
    expect(isGroupUserName('@abc')).toBe(false);
    expect(isGroupUserName('filehelper')).toBe(false);
  });
});

describe('normalizeMessage', () => {
  const self = '@self';
  const raw = (over: Partial<Record<keyof RawMessage, unknown>>): RawMessage =>
    ({
      MsgId: asMsgId('5730475309481239901'),
      FromUserName: asUserName('@alice'),
      ToUserName: asUserName(self),
      MsgType: int(1),
      Content: 'hi',
      CreateTime: int(1527846331),
      ...over,
    }) as RawMessage;

  it('a person to us: not group, not self, content decoded', () => {
    expect(normalizeMessage(raw({ Content: 'a &amp; b<br/>c' }), self)).toEqual({
      MsgId: '5730475309481239901',
      MsgType: 1,
      FromUserName: '@alice',
      ToUserName: self,
      Content: 'a & b\nc',
      CreateTime: 1527846331,
      IsGroup: false,
      isSelf: false,
    });
  });

  it('a group message from a member: IsGroup, SenderUserName split off, Content without prefix', () => {
    const m = normalizeMessage(raw({ FromUserName: '@@group', Content: '@bob:<br/>hi &lt;3' }), self);
    expect(m).toMatchObject({ IsGroup: true, isSelf: false, SenderUserName: '@bob', Content: 'hi <3' });
  });

  it('our own message to a group (sent from the phone): IsGroup, isSelf, no sender split', () => {
    const m = normalizeMessage(raw({ FromUserName: self, ToUserName: '@@group', Content: '@x:<br/>literal' }), self);
    expect(m).toMatchObject({ IsGroup: true, isSelf: true, Content: '@x:\nliteral' });
    expect(m).not.toHaveProperty('SenderUserName');
  });

  it('a group system note without a prefix has no SenderUserName', () => {
    const m = normalizeMessage(raw({ FromUserName: '@@group', MsgType: int(10000), Content: '&quot;A&quot;邀请&quot;B&quot;加入了群聊' }), self);
    expect(m).toMatchObject({ IsGroup: true, Content: '"A"邀请"B"加入了群聊' });
    expect(m).not.toHaveProperty('SenderUserName');
  });

  it('AppMsgType is carried when non-zero and dropped when 0', () => {
    expect(normalizeMessage(raw({ MsgType: int(49), AppMsgType: int(6) }), self).AppMsgType).toBe(6);
    expect(normalizeMessage(raw({ AppMsgType: int(0) }), self)).not.toHaveProperty('AppMsgType');
  });
});

describe('type names', () => {
  it.each([
    [1, 'Text'],
    [3, 'Image'],
    [34, 'Voice'],
    [37, 'FriendRequest'],
    [49, 'App'],
    [51, 'StatusNotify'],
    [10000, 'System'],
    [10002, 'Recalled'],
    [4242, 'Unknown'],
  ])('MsgType %d is %s', (code, name) => {
    expect(msgTypeName(code)).toBe(name);
  });

  it.each([
    [5, 'Url'],
    [6, 'Attach'],
    [8, 'Emoji'],
    [17, 'RealtimeShareLocation'],
    [2000, 'Transfers'],
    [2001, 'RedEnvelopes'],
    [0, 'Unknown'],
  ])('AppMsgType %d is %s', (code, name) => {
    expect(appMsgTypeName(code)).toBe(name);
  });
});
