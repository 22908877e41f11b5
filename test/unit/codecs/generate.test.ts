/** The deterministic generators of src/simulator/generate.ts give realistic, codec-valid data. */
import { describe, expect, it } from 'vitest';
import {
  Contact,
  decodeBatchGetContact,
  decodeGetContact,
  decodeSync,
  encodeJsonAnswer,
  int,
  Member,
  normalizeMessage,
  okBase,
  RawMessage,
  splitGroupSender,
} from '../../../src/codecs/index.js';
import {
  createRng,
  generateContacts,
  generateGroupMembers,
  generateMsgId,
  generateSyncKey,
  generateUserName,
  isOfficialAccount,
  realisticMessageMix,
} from '../../../src/simulator/generate.js';

const PERSON = /^@[0-9a-f]{64}$/;
const GROUP = /^@@[0-9a-f]{64}$/;

describe('createRng', () => {
  it('is deterministic per seed, differs between seeds, and stays in [0, 1)', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    // Roughly uniform: each tenth of the range gets a fair share.
    const buckets = Array.from({ length: 10 }, (_, i) => xs.filter((x) => Math.floor(x * 10) === i).length);
    expect(Math.min(...buckets)).toBeGreaterThan(60);
  });
});

describe('ids', () => {
  it('user names are @ or @@ plus 64 hex; MsgIds are 19-digit decimal strings', () => {
    const rng = createRng(7);
    for (let i = 0; i < 200; i++) {
      expect(generateUserName(rng)).toMatch(PERSON);
      expect(generateUserName(rng, true)).toMatch(GROUP);
      expect(generateMsgId(rng)).toMatch(/^[1-9]\d{18}$/);
    }
  });

  it('a SyncKey ends with key 1000 and has Count equal to its length', () => {
    const key = generateSyncKey(createRng(3));
    expect(key.Count).toBe(key.List.length);
    expect(key.List.at(-1)?.Key).toBe(1000);
  });
});

describe('generateContacts', () => {
  const contacts = generateContacts(600, 11, { groups: 30, officialAccounts: 12 });

  it('is deterministic from the seed', () => {
    expect(generateContacts(600, 11, { groups: 30, officialAccounts: 12 })).toEqual(contacts);
    expect(generateContacts(600, 12, { groups: 30, officialAccounts: 12 })).not.toEqual(contacts);
  });

  it('gives the asked numbers of people, groups and official accounts with unique user names', () => {
    expect(contacts).toHaveLength(600);
    expect(contacts.filter((c) => GROUP.test(c.UserName))).toHaveLength(30);
    expect(contacts.filter(isOfficialAccount)).toHaveLength(12);
    expect(contacts.filter((c) => PERSON.test(c.UserName))).toHaveLength(570);
    expect(new Set(contacts.map((c) => c.UserName)).size).toBe(600);
  });

  it('every contact is a valid Contact with the ~30 fields of the real answer', () => {
    expect(contacts.every((c) => Contact.is(c))).toBe(true);
    for (const c of contacts) expect(Object.keys(c).length).toBeGreaterThanOrEqual(30);
    expect(contacts.every((c) => c.MemberCount === 0 && c.MemberList.length === 0)).toBe(true);
  });

  it('official accounts carry VerifyFlag 8 or 24 and KeyWord gh_; the first is 微信支付', () => {
    const officials = contacts.filter(isOfficialAccount);
    expect(officials.every((c) => (c.VerifyFlag === 8 || c.VerifyFlag === 24) && c.KeyWord === 'gh_')).toBe(true);
    expect(officials[0]?.NickName).toBe('微信支付');
  });

  it('head image URLs name the contact and leave skey empty', () => {
    for (const c of contacts) {
      expect(c.HeadImgUrl).toMatch(/^\/cgi-bin\/mmwebwx-bin\/webwx(geticon|getheadimg)\?seq=\d+&username=@{1,2}[0-9a-f]{64}&skey=$/);
      expect(c.HeadImgUrl).toContain(c.UserName);
    }
  });

  it('nick names mix Chinese, Latin, emoji spans and entities like the real ones', () => {
    const nicks = contacts.map((c) => c.NickName);
    expect(nicks.some((n) => /[\u4e00-\u9fff]/.test(n))).toBe(true);
    expect(nicks.some((n) => /^[A-Za-z]/.test(n))).toBe(true);
    expect(nicks.some((n) => /<span class="emoji emoji[0-9a-f]+"><\/span>/.test(n))).toBe(true);
    expect(nicks.some((n) => n.includes('&amp;'))).toBe(true);
    expect(contacts.some((c) => c.RemarkName !== '')).toBe(true);
    expect(new Set(contacts.map((c) => c.Sex)).size).toBe(3);
  });

  it('defaults to about one group in twenty and one official account in thirty', () => {
    const many = generateContacts(3000, 5);
    expect(many.filter((c) => GROUP.test(c.UserName))).toHaveLength(150);
    expect(many.filter(isOfficialAccount)).toHaveLength(100);
  });

  it('a getcontact answer made of them decodes to the same contacts', () => {
    const body = encodeJsonAnswer({ BaseResponse: okBase(), MemberCount: int(contacts.length), MemberList: contacts, Seq: int(0) });
    const answer = decodeGetContact(body);
    expect(answer.ok && answer.value.MemberList).toEqual(contacts);
  });
});

describe('generateGroupMembers', () => {
  it('gives valid, unique members, deterministic per seed and different per group', () => {
    const group = generateUserName(createRng(1), true);
    const members = generateGroupMembers(group, 120, 9);
    expect(members).toHaveLength(120);
    expect(members.every((m) => Member.is(m) && PERSON.test(m.UserName))).toBe(true);
    expect(new Set(members.map((m) => m.UserName)).size).toBe(120);
    expect(generateGroupMembers(group, 120, 9)).toEqual(members);
    expect(generateGroupMembers(`${group}x`, 120, 9)[0]).not.toEqual(members[0]);
  });

  it('a batchgetcontact answer with the group and its members decodes', () => {
    const [group] = generateContacts(1, 2, { groups: 1, officialAccounts: 0 });
    const members = generateGroupMembers(group!.UserName, 40, 2);
    const body = encodeJsonAnswer({ BaseResponse: okBase(), Count: int(1), ContactList: [{ ...group!, MemberCount: int(40), MemberList: members }] });
    const answer = decodeBatchGetContact(body);
    expect(answer.ok && answer.value.ContactList[0]?.MemberList).toEqual(members);
  });
});

describe('realisticMessageMix', () => {
  const contacts = generateContacts(200, 21);
  const self = generateUserName(createRng(99));
  const mix = realisticMessageMix(2000, 4, self, contacts);

  it('is deterministic, valid, with unique MsgIds and non-decreasing CreateTime', () => {
    expect(realisticMessageMix(2000, 4, self, contacts)).toEqual(mix);
    expect(mix.every((m) => RawMessage.is(m))).toBe(true);
    expect(new Set(mix.map((m) => m.MsgId)).size).toBe(mix.length);
    expect(mix.every((m, i) => i === 0 || m.CreateTime >= mix[i - 1]!.CreateTime)).toBe(true);
  });

  it('holds every kind: text, own text, group text, emoji, links, files, pay notices, system notes, status notifies', () => {
    const has = (p: (m: (typeof mix)[number]) => boolean): boolean => mix.some(p);
    expect(has((m) => m.MsgType === 1 && m.ToUserName === self && !m.FromUserName.startsWith('@@'))).toBe(true);
    expect(has((m) => m.MsgType === 1 && m.FromUserName === self)).toBe(true);
    expect(has((m) => m.MsgType === 1 && m.FromUserName.startsWith('@@') && splitGroupSender(m.Content).sender !== null)).toBe(true);
    expect(has((m) => m.Content.includes('<span class="emoji emoji'))).toBe(true);
    expect(has((m) => /&(amp|lt|gt|quot|#39|#x[0-9a-f]+);/.test(m.Content))).toBe(true);
    expect(has((m) => m.MsgType === 49 && m.AppMsgType === 5 && m.Content.startsWith('&lt;?xml'))).toBe(true);
    expect(has((m) => m.MsgType === 49 && m.AppMsgType === 6 && m.FileName !== '' && /^\d+$/.test(m.FileSize))).toBe(true);
    expect(has((m) => m.MsgType === 10000)).toBe(true);
    expect(has((m) => m.MsgType === 51 && m.StatusNotifyCode === 4 && m.FromUserName === self)).toBe(true);
    const pay = contacts.find((c) => c.NickName === '微信支付')!;
    expect(has((m) => m.MsgType === 49 && m.FromUserName === pay.UserName && m.Content.includes('微信支付收款'))).toBe(true);
  });

  it('group texts split into a sender and decoded text when normalised', () => {
    const groupTexts = mix.filter((m) => m.MsgType === 1 && m.FromUserName.startsWith('@@'));
    for (const m of groupTexts) {
      const n = normalizeMessage(m, self);
      expect(n.IsGroup).toBe(true);
      expect(n.SenderUserName).toMatch(PERSON);
      expect(n.Content).not.toContain('<br/>');
    }
  });

  it('a webwxsync answer carrying the mix decodes to the same messages', () => {
    const body = encodeJsonAnswer({ BaseResponse: okBase(), AddMsgCount: int(mix.length), AddMsgList: mix, SyncKey: generateSyncKey(createRng(1)) });
    const answer = decodeSync(body);
    expect(answer.ok && answer.value.AddMsgList.map((m) => m.MsgId)).toEqual(mix.map((m) => m.MsgId));
  });

  it('works without any contacts', () => {
    const lonely = realisticMessageMix(50, 1, self, []);
    expect(lonely).toHaveLength(50);
    expect(lonely.every((m) => RawMessage.is(m))).toBe(true);
  });
});
