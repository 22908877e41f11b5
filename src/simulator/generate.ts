/**
 * Deterministic generators of realistic protocol data: contacts, group members, user names,
 * message ids and message mixes. The simulator, the tests and the benchmarks share them, so the
 * same seed always gives the same world (no Math.random anywhere).
 */
import { asMsgId, asUserName, int, type MsgId, type SafeInt, type UserName } from '../codecs/common.js';
import type { Contact, Member, SyncKey } from '../codecs/session.js';
import type { RawMessage } from '../codecs/sync.js';
import { buildMessage, xmlContent, type MessageParts } from './messages.js';

export type Rng = () => number;

/** mulberry32: a tiny, fast 32-bit PRNG; good enough for test data and fully reproducible. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes a string into a seed (FNV-1a), so e.g. each group gets its own members from one seed. */
export function seedFrom(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** An integer in [lo, hi]. */
export const randInt = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const chance = (rng: Rng, p: number): boolean => rng() < p;

const HEX = '0123456789abcdef';
function hexString(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += HEX[Math.floor(rng() * 16)];
  return out;
}

function digitString(rng: Rng, length: number): string {
  let out = String(randInt(rng, 1, 9));
  for (let i = 1; i < length; i++) out += String(Math.floor(rng() * 10));
  return out;
}

/** `@` + 64 hex for a person or official account, `@@` + 64 hex for a group (changes every login). */
export function generateUserName(rng: Rng, group = false): UserName {
  return asUserName(`${group ? '@@' : '@'}${hexString(rng, 64)}`);
}

/** A MsgId as the server writes it: a 19-digit decimal string (too large for a double). */
export function generateMsgId(rng: Rng): MsgId {
  return asMsgId(digitString(rng, 19));
}

/** A wxuin: up to 10 decimal digits, fits BaseRequest's number. */
export function generateUin(rng: Rng): number {
  return randInt(rng, 100_000_000, 4_294_967_295);
}

/** A SyncKey like webwxinit's: keys 1, 2, 3 and 1000 (sometimes 11, 13, 201, 203 too), values near each other. */
export function generateSyncKey(rng: Rng): SyncKey {
  const base = randInt(rng, 600_000_000, 700_000_000);
  const keys = chance(rng, 0.5) ? [1, 2, 3, 1000] : [1, 2, 3, 11, 13, 201, 203, 1000];
  const List = keys.map((Key) => ({ Key: int(Key), Val: int(Key === 1000 ? 0 : Key > 200 ? randInt(rng, 1_700_000_000, 1_800_000_000) : base + randInt(rng, 0, 5_000)) }));
  return { Count: int(List.length), List };
}

// ---------------------------------------------------------------------------------------------
// Names

/** Chinese characters with their pinyin, so PYInitial/PYQuanPin match the NickName. */
const HANZI: readonly (readonly [string, string])[] = [
  ['张', 'zhang'], ['王', 'wang'], ['李', 'li'], ['赵', 'zhao'], ['刘', 'liu'], ['陈', 'chen'], ['杨', 'yang'],
  ['黄', 'huang'], ['周', 'zhou'], ['吴', 'wu'], ['小', 'xiao'], ['明', 'ming'], ['华', 'hua'], ['伟', 'wei'],
  ['芳', 'fang'], ['静', 'jing'], ['丽', 'li'], ['强', 'qiang'], ['磊', 'lei'], ['洋', 'yang'], ['艳', 'yan'],
  ['勇', 'yong'], ['军', 'jun'], ['杰', 'jie'], ['娟', 'juan'], ['涛', 'tao'], ['超', 'chao'], ['秀', 'xiu'],
  ['霞', 'xia'], ['平', 'ping'], ['刚', 'gang'], ['桂', 'gui'], ['英', 'ying'], ['猫', 'mao'], ['鱼', 'yu'],
  ['风', 'feng'], ['云', 'yun'], ['月', 'yue'], ['星', 'xing'], ['雨', 'yu'], ['阳', 'yang'], ['光', 'guang'],
];
const LATIN_NAMES: readonly string[] = [
  'Urinx', 'Tom', 'Jerry', 'Alice', 'Bob', 'Kevin', 'Lucy', 'Sunny', 'Leo', 'Coco', 'Mia', 'Jack', 'Ivy', 'Max',
];
/** Real nicknames carry emoji as spans of the web client's sprite sheet. */
const EMOJI_SPANS: readonly string[] = [
  '<span class="emoji emoji1f604"></span>', '<span class="emoji emoji1f60a"></span>',
  '<span class="emoji emoji2600"></span>', '<span class="emoji emoji1f431"></span>',
  '<span class="emoji emoji1f338"></span>', '<span class="emoji emoji1f1e81f1f3"></span>',
  '<span class="emoji emoji3020e3"></span>', '<span class="emoji emoji2764"></span>',
];
const PLACES: readonly (readonly [string, string])[] = [
  ['广东', '深圳'], ['广东', '广州'], ['北京', '海淀'], ['北京', '朝阳'], ['上海', '浦东新区'], ['浙江', '杭州'],
  ['四川', '成都'], ['江苏', '南京'], ['湖北', '武汉'], ['', ''], ['', ''], ['', ''],
];
const SIGNATURES: readonly string[] = [
  '', '', '', 'Apt-get install B', '我是二蛋', '生活不止眼前的苟且', 'Stay hungry, stay foolish',
  '每天进步一点点<span class="emoji emoji1f4aa"></span>', 'Tom &amp; Jerry', '&lt;code&gt; is life',
  '做一个温暖的人', '忙，勿扰',
];
const OFFICIAL_ACCOUNTS: readonly (readonly [string, string])[] = [
  ['微信支付', 'weixinzhifu'], ['微信团队', 'weixintuandui'], ['腾讯新闻', 'tengxunxinwen'],
  ['招商银行信用卡', 'zhaoshangyinhangxinyongka'], ['中国移动', 'zhongguoyidong'], ['京东JD.COM', 'jingdongJDCOM'],
  ['人民日报', 'renminribao'], ['顺丰速运', 'shunfengsuyun'],
];
const GROUP_NAMES: readonly string[] = [
  '家人群', '周末羽毛球<span class="emoji emoji1f3f8"></span>', '项目组 &amp; 产品', '大学同学', '小区业主群',
  '技术交流', '', '读书会<span class="emoji emoji1f4da"></span>', '公司年会筹备', '吃货联盟',
];

interface Name {
  readonly nick: string;
  readonly initials: string;
  readonly quanPin: string;
}

function chineseName(rng: Rng): Name {
  const length = randInt(rng, 2, 3);
  let nick = '';
  let initials = '';
  let quanPin = '';
  for (let i = 0; i < length; i++) {
    const [ch, py] = pick(rng, HANZI);
    nick += ch;
    initials += py[0]!.toUpperCase();
    quanPin += py;
  }
  return { nick, initials, quanPin };
}

function latinName(rng: Rng): Name {
  const first = pick(rng, LATIN_NAMES);
  if (chance(rng, 0.25)) {
    const second = pick(rng, LATIN_NAMES);
    // The server writes nicknames HTML-escaped: `Tom & Jerry` arrives as `Tom &amp; Jerry`.
    return { nick: `${first} &amp; ${second}`, initials: `${first}${second}`.toUpperCase(), quanPin: `${first}${second}` };
  }
  return { nick: first, initials: first.toUpperCase(), quanPin: first };
}

function personName(rng: Rng): Name {
  const name = chance(rng, 0.6) ? chineseName(rng) : latinName(rng);
  // Emoji spans are not part of the pinyin.
  return chance(rng, 0.15) ? { ...name, nick: `${name.nick}${pick(rng, EMOJI_SPANS)}` } : name;
}

// ---------------------------------------------------------------------------------------------
// Contacts

/**
 * A contact with every field the real webwxgetcontact answer carries (about 30); the codec
 * validates a subset and passes the rest through.
 */
export interface GeneratedContact extends Contact {
  readonly Uin: SafeInt;
  readonly HeadImgUrl: string;
  readonly ContactFlag: SafeInt;
  readonly MemberCount: SafeInt;
  readonly MemberList: Member[];
  readonly RemarkName: string;
  readonly HideInputBarFlag: number;
  readonly Sex: SafeInt;
  readonly Signature: string;
  readonly VerifyFlag: SafeInt;
  readonly OwnerUin: SafeInt;
  readonly PYInitial: string;
  readonly PYQuanPin: string;
  readonly RemarkPYInitial: string;
  readonly RemarkPYQuanPin: string;
  readonly StarFriend: SafeInt;
  readonly AppAccountFlag: number;
  readonly Statues: number;
  readonly AttrStatus: number;
  readonly Province: string;
  readonly City: string;
  readonly Alias: string;
  readonly SnsFlag: number;
  readonly UniFriend: number;
  readonly DisplayName: string;
  readonly ChatRoomId: number;
  readonly KeyWord: string;
  readonly EncryChatRoomId: string;
  readonly IsOwner: number;
}

export type ContactKind = 'person' | 'group' | 'official';

export interface GenerateContactsOptions {
  /** How many of the contacts are groups (default: one in twenty). */
  readonly groups?: number;
  /** How many are official accounts (default: one in thirty); the first is 微信支付. */
  readonly officialAccounts?: number;
}

function headImgUrl(rng: Rng, userName: string, kind: ContactKind): string {
  const path = kind === 'group' ? 'webwxgetheadimg' : 'webwxgeticon';
  return `/cgi-bin/mmwebwx-bin/${path}?seq=${randInt(rng, 600_000, 700_000_000)}&username=${userName}&skey=`;
}

interface ContactShape {
  readonly userName: UserName;
  readonly name: Name;
  readonly contactFlag: number;
  readonly verifyFlag: number;
  readonly sex: number;
  readonly signature: string;
  readonly keyWord: string;
  readonly alias: string;
  readonly place: readonly [string, string];
  readonly snsFlag: number;
  readonly remark: Name | null;
}

function personShape(rng: Rng): ContactShape {
  const remark = chance(rng, 0.2) ? chineseName(rng) : null;
  return {
    userName: generateUserName(rng),
    name: personName(rng),
    contactFlag: pick(rng, [1, 3, 3, 3, 7, 259, 2051, 65539]),
    verifyFlag: 0,
    sex: pick(rng, [0, 1, 1, 2, 2]),
    signature: pick(rng, SIGNATURES),
    keyWord: '',
    alias: chance(rng, 0.3) ? `${pick(rng, LATIN_NAMES).toLowerCase()}${randInt(rng, 10, 9999)}` : '',
    place: pick(rng, PLACES),
    snsFlag: pick(rng, [0, 1, 17, 49, 177, 257]),
    remark,
  };
}

function groupShape(rng: Rng): ContactShape {
  const title = pick(rng, GROUP_NAMES);
  return {
    userName: generateUserName(rng, true),
    name: { nick: title, initials: '', quanPin: '' },
    contactFlag: pick(rng, [2, 3, 2049, 2051]),
    verifyFlag: 0,
    sex: 0,
    signature: '',
    keyWord: '',
    alias: '',
    place: ['', ''],
    snsFlag: 0,
    remark: null,
  };
}

function officialShape(rng: Rng, index: number): ContactShape {
  const [nick, quanPin] = index < OFFICIAL_ACCOUNTS.length ? OFFICIAL_ACCOUNTS[index]! : pick(rng, OFFICIAL_ACCOUNTS);
  return {
    userName: generateUserName(rng),
    name: { nick, initials: quanPin.slice(0, 6).toUpperCase(), quanPin },
    contactFlag: 3,
    verifyFlag: pick(rng, [8, 24, 24]),
    sex: 0,
    signature: `${nick}官方帐号`,
    keyWord: 'gh_',
    alias: '',
    place: pick(rng, PLACES),
    snsFlag: 0,
    remark: null,
  };
}

function contactFromShape(rng: Rng, shape: ContactShape, kind: ContactKind): GeneratedContact {
  return {
    Uin: int(0),
    UserName: shape.userName,
    NickName: shape.name.nick,
    HeadImgUrl: headImgUrl(rng, shape.userName, kind),
    ContactFlag: int(shape.contactFlag),
    MemberCount: int(0),
    MemberList: [],
    RemarkName: shape.remark?.nick ?? '',
    HideInputBarFlag: 0,
    Sex: int(shape.sex),
    Signature: shape.signature,
    VerifyFlag: int(shape.verifyFlag),
    OwnerUin: int(0),
    PYInitial: shape.name.initials,
    PYQuanPin: shape.name.quanPin,
    RemarkPYInitial: shape.remark?.initials ?? '',
    RemarkPYQuanPin: shape.remark?.quanPin ?? '',
    StarFriend: int(kind === 'person' && chance(rng, 0.05) ? 1 : 0),
    AppAccountFlag: 0,
    Statues: kind === 'group' ? randInt(rng, 0, 1) : 0,
    AttrStatus: kind === 'person' ? randInt(rng, 0, 0x7ffffff) : 0,
    Province: shape.place[0],
    City: shape.place[1],
    Alias: shape.alias,
    SnsFlag: shape.snsFlag,
    UniFriend: 0,
    DisplayName: '',
    ChatRoomId: 0,
    KeyWord: shape.keyWord,
    EncryChatRoomId: '',
    IsOwner: kind === 'group' ? randInt(rng, 0, 1) : 0,
  };
}

function contactKinds(rng: Rng, count: number, groups: number, officials: number): ContactKind[] {
  const g = Math.max(0, Math.min(groups, count));
  const o = Math.max(0, Math.min(officials, count - g));
  const kinds: ContactKind[] = [
    ...Array<ContactKind>(g).fill('group'),
    ...Array<ContactKind>(o).fill('official'),
    ...Array<ContactKind>(count - g - o).fill('person'),
  ];
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  return kinds;
}

/**
 * `count` contacts as webwxgetcontact lists them: people, groups (MemberCount 0, MemberList [] —
 * members come from batchgetcontact) and official accounts (VerifyFlag 8/24, the first is 微信支付).
 * UserNames are unique.
 */
export function generateContacts(count: number, seed: number, options: GenerateContactsOptions = {}): GeneratedContact[] {
  const rng = createRng(seed);
  const kinds = contactKinds(rng, count, options.groups ?? Math.floor(count / 20), options.officialAccounts ?? Math.floor(count / 30));
  const seen = new Set<string>();
  let officialIndex = 0;
  return kinds.map((kind) => {
    for (;;) {
      const shape = kind === 'group' ? groupShape(rng) : kind === 'official' ? officialShape(rng, officialIndex) : personShape(rng);
      if (seen.has(shape.userName)) continue;
      seen.add(shape.userName);
      if (kind === 'official') officialIndex++;
      return contactFromShape(rng, shape, kind);
    }
  });
}

export const isOfficialAccount = (contact: Contact): boolean => ((contact.VerifyFlag ?? 0) & 8) !== 0;

/** A group member as webwxbatchgetcontact lists it in a group's MemberList. */
export interface GeneratedMember extends Member {
  readonly Uin: SafeInt;
  readonly NickName: string;
  readonly AttrStatus: SafeInt;
  readonly PYInitial: string;
  readonly PYQuanPin: string;
  readonly RemarkPYInitial: string;
  readonly RemarkPYQuanPin: string;
  readonly MemberStatus: number;
  readonly DisplayName: string;
  readonly KeyWord: string;
}

/** The members of one group; the group's UserName is mixed into the seed so groups differ. */
export function generateGroupMembers(groupUserName: string, count: number, seed: number): GeneratedMember[] {
  const rng = createRng(seedFrom(seed, groupUserName));
  const seen = new Set<string>();
  const out: GeneratedMember[] = [];
  while (out.length < count) {
    const userName = generateUserName(rng);
    if (seen.has(userName)) continue;
    seen.add(userName);
    const name = personName(rng);
    const display = chance(rng, 0.2) ? chineseName(rng).nick : '';
    out.push({
      Uin: int(0),
      UserName: userName,
      NickName: name.nick,
      AttrStatus: int(randInt(rng, 0, 0x7ffffff)),
      PYInitial: name.initials,
      PYQuanPin: name.quanPin,
      RemarkPYInitial: '',
      RemarkPYQuanPin: '',
      MemberStatus: 0,
      DisplayName: display,
      KeyWord: '',
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Messages

/** AddMsgList's full entry as the server sends it (the codec validates a subset). */
export interface GeneratedMessage extends RawMessage {
  readonly NewMsgId: number;
  readonly Status: SafeInt;
  readonly ImgStatus: SafeInt;
  readonly ImgWidth: SafeInt;
  readonly ImgHeight: SafeInt;
  readonly VoiceLength: SafeInt;
  readonly PlayLength: SafeInt;
  readonly FileName: string;
  readonly FileSize: string;
  readonly MediaId: string;
  readonly Url: string;
  readonly AppMsgType: SafeInt;
  readonly StatusNotifyCode: SafeInt;
  readonly StatusNotifyUserName: string;
  readonly ForwardFlag: SafeInt;
  readonly SubMsgType: SafeInt;
  readonly AppInfo: { AppID: string; Type: SafeInt };
  readonly RecommendInfo: {
    UserName: string;
    NickName: string;
    QQNum: number;
    Province: string;
    City: string;
    Content: string;
    Signature: string;
    Alias: string;
    Scene: SafeInt;
    VerifyFlag: SafeInt;
    AttrStatus: number;
    Sex: SafeInt;
    Ticket: string;
    OpCode: number;
  };
  readonly HasProductId: number;
  readonly Ticket: string;
  readonly EncryFileName: string;
  readonly OriContent: string;
}

export type MessageKind =
  | 'text'
  | 'textFromSelf'
  | 'groupText'
  | 'emojiText'
  | 'appLink'
  | 'appFile'
  | 'payNotice'
  | 'system'
  | 'statusNotify';

const MESSAGE_WEIGHTS: readonly (readonly [MessageKind, number])[] = [
  ['text', 30], ['textFromSelf', 8], ['groupText', 25], ['emojiText', 10], ['appLink', 7], ['appFile', 5],
  ['payNotice', 6], ['system', 5], ['statusNotify', 4],
];

const TEXTS: readonly string[] = [
  '在吗？', '好的', '晚上一起吃饭吗', '收到，谢谢！', 'ok', '明天见', '哈哈哈哈', '这个链接打不开',
  '会议改到下午三点', '到家了吗', 'Where are you?', '第一行<br/>第二行', '价格 &lt; 100 &amp; 包邮',
  '他说：&quot;好&quot;', '1 &gt; 0', "It&#39;s fine", '&#x4f60;&#x597d;',
];

function weightedKind(rng: Rng): MessageKind {
  const total = MESSAGE_WEIGHTS.reduce((sum, [, w]) => sum + w, 0);
  let roll = rng() * total;
  for (const [kind, weight] of MESSAGE_WEIGHTS) {
    roll -= weight;
    if (roll < 0) return kind;
  }
  return 'text';
}

function appMsgXml(type: 5 | 6, title: string, des: string, url: string, extra = ''): string {
  return xmlContent(
    `<?xml version="1.0"?>\n<msg>\n<appmsg appid="" sdkver="0">\n<title>${title}</title>\n<des>${des}</des>\n` +
      `<type>${type}</type>\n<url>${url}</url>\n${extra}</appmsg>\n<fromusername></fromusername>\n</msg>`,
  );
}

interface Cast {
  readonly self: string;
  readonly people: readonly Contact[];
  readonly groups: readonly Contact[];
  readonly officials: readonly Contact[];
  readonly payAccount: string;
}

function castOf(rng: Rng, self: string, contacts: readonly Contact[]): Cast {
  const people = contacts.filter((c) => !c.UserName.startsWith('@@') && !isOfficialAccount(c) && c.UserName !== self);
  const groups = contacts.filter((c) => c.UserName.startsWith('@@'));
  const officials = contacts.filter(isOfficialAccount);
  const pay = officials.find((c) => c.NickName === '微信支付') ?? officials[0];
  return { self, people, groups, officials, payAccount: pay?.UserName ?? generateUserName(rng) };
}

const someone = (rng: Rng, list: readonly Contact[]): string =>
  list.length > 0 ? pick(rng, list).UserName : generateUserName(rng);

function messageParts(rng: Rng, kind: MessageKind, cast: Cast): MessageParts {
  const { self } = cast;
  switch (kind) {
    case 'text':
      return { from: someone(rng, cast.people), to: self, msgType: 1, content: pick(rng, TEXTS) };
    case 'textFromSelf':
      return { from: self, to: someone(rng, cast.people), msgType: 1, content: pick(rng, TEXTS) };
    case 'groupText': {
      const member = chance(rng, 0.7) ? someone(rng, cast.people) : generateUserName(rng);
      return { from: someone(rng, cast.groups), to: self, msgType: 1, content: `${member}:<br/>${pick(rng, TEXTS)}` };
    }
    case 'emojiText':
      return { from: someone(rng, cast.people), to: self, msgType: 1, content: `${pick(rng, TEXTS)}${pick(rng, EMOJI_SPANS)}${pick(rng, EMOJI_SPANS)}` };
    case 'appLink': {
      const url = `https://mp.weixin.qq.com/s?__biz=MzA${hexString(rng, 8)}&mid=${randInt(rng, 1e8, 9e8)}&idx=1&sn=${hexString(rng, 32)}`;
      return {
        from: someone(rng, cast.people), to: self, msgType: 49, appMsgType: 5, url,
        content: appMsgXml(5, '十个提高效率的小技巧', '你一定用得上 & 值得收藏', url.replace(/&/g, '&amp;')),
      };
    }
    case 'appFile': {
      const fileName = pick(rng, ['报价单.xlsx', '会议纪要.docx', 'photo & notes.zip', 'report.pdf']);
      const size = String(randInt(rng, 1_000, 50_000_000));
      return {
        from: someone(rng, cast.people), to: self, msgType: 49, appMsgType: 6, fileName, fileSize: size,
        mediaId: `@crypt_${hexString(rng, 24)}`,
        content: appMsgXml(6, fileName.replace(/&/g, '&amp;'), '', '', `<appattach><totallen>${size}</totallen><fileext>${fileName.split('.').pop()}</fileext></appattach>\n`),
      };
    }
    case 'payNotice': {
      const amount = (randInt(rng, 1, 500_000) / 100).toFixed(2);
      return {
        from: cast.payAccount, to: self, msgType: 49, appMsgType: 5, url: 'https://payapp.weixin.qq.com/',
        content: appMsgXml(5, `微信支付收款${amount}元`, `收款金额￥${amount}\n付款方备注：转账\n汇总：今日第${randInt(rng, 1, 30)}笔收款`, 'https://payapp.weixin.qq.com/'),
      };
    }
    case 'system': {
      const inGroup = cast.groups.length > 0 && chance(rng, 0.5);
      return inGroup
        ? { from: someone(rng, cast.groups), to: self, msgType: 10000, content: `&quot;${chineseName(rng).nick}&quot;邀请&quot;${chineseName(rng).nick}&quot;加入了群聊` }
        : { from: someone(rng, cast.people), to: self, msgType: 10000, content: `你已添加了${chineseName(rng).nick}，现在可以开始聊天了。` };
    }
    case 'statusNotify': {
      const recent = [...cast.groups.slice(0, 2), ...cast.people.slice(0, 3)].map((c) => c.UserName);
      return {
        from: self, to: self, msgType: 51, content: '&lt;msg&gt;<br/>&lt;op id=\'4\'&gt;<br/>&lt;/op&gt;<br/>&lt;/msg&gt;',
        statusNotifyCode: 4, statusNotifyUserName: recent.join(','),
      };
    }
  }
}

/** The first CreateTime of a generated mix (2023-11-14); later messages follow within seconds. */
export const MIX_START_TIME = 1_700_000_000;

/**
 * `count` AddMsgList entries of the kinds a real account sees — text, own text from the phone,
 * group text with the `@member:<br/>` prefix, emoji spans and entities, app messages (links and
 * files, XML-escaped), WeChat Pay notices from the 微信支付 official account, system notes (10000)
 * and status notifies (51) — with unique MsgIds and non-decreasing CreateTime.
 */
export function realisticMessageMix(count: number, seed: number, self: string, contacts: readonly Contact[]): GeneratedMessage[] {
  const rng = createRng(seed);
  const cast = castOf(rng, self, contacts);
  const ids = new Set<string>();
  const out: GeneratedMessage[] = [];
  let time = MIX_START_TIME;
  while (out.length < count) {
    const msgId = generateMsgId(rng);
    if (ids.has(msgId)) continue;
    ids.add(msgId);
    time += randInt(rng, 0, 30);
    out.push(buildMessage(messageParts(rng, weightedKind(rng), cast), msgId, time));
  }
  return out;
}
