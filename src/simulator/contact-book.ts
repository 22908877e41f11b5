/**
 * One session's contacts: generated lazily (a thousand parked sessions should not each hold
 * thousands of contacts until someone asks), with fresh UserNames per login as on the real
 * server, group members generated per group on first need, and lookups by UserName or NickName.
 */
import { decodeContent } from '../codecs/content.js';
import { asUserName, int } from '../codecs/common.js';
import {
  createRng,
  generateContacts,
  generateGroupMembers,
  randInt,
  seedFrom,
  type GeneratedContact,
  type GeneratedMember,
} from './generate.js';

/** Accounts every real contact list has; UserNames without `@`. */
function specialContact(userName: string, nickName: string, quanPin: string): GeneratedContact {
  return {
    Uin: int(0),
    UserName: asUserName(userName),
    NickName: nickName,
    HeadImgUrl: `/cgi-bin/mmwebwx-bin/webwxgeticon?seq=620310295&username=${userName}&skey=`,
    ContactFlag: int(3),
    MemberCount: int(0),
    MemberList: [],
    RemarkName: '',
    HideInputBarFlag: 0,
    Sex: int(0),
    Signature: '',
    VerifyFlag: int(0),
    OwnerUin: int(0),
    PYInitial: quanPin.slice(0, 6).toUpperCase(),
    PYQuanPin: quanPin,
    RemarkPYInitial: '',
    RemarkPYQuanPin: '',
    StarFriend: int(0),
    AppAccountFlag: 0,
    Statues: 0,
    AttrStatus: 0,
    Province: '',
    City: '',
    Alias: '',
    SnsFlag: 0,
    UniFriend: 0,
    DisplayName: '',
    ChatRoomId: 0,
    KeyWord: userName === 'filehelper' ? 'fil' : 'wei',
    EncryChatRoomId: '',
    IsOwner: 0,
  };
}

/** Names a client may send to even though they are not `@` UserNames. */
export const SPECIAL_USERNAMES: ReadonlySet<string> = new Set(['filehelper', 'weixin', 'newsapp', 'fmessage']);

export class ContactBook {
  private list: GeneratedContact[] | null = null;
  private byName: Map<string, GeneratedContact> | null = null;
  private readonly members = new Map<string, GeneratedMember[]>();
  private readonly added: GeneratedContact[] = [];

  constructor(
    private readonly count: number,
    private readonly seed: number,
  ) {}

  /** Every contact in webwxgetcontact order: 文件传输助手 first, then the generated ones. */
  all(): readonly GeneratedContact[] {
    if (this.list === null) {
      const generated = this.count > 1 ? generateContacts(this.count - 1, this.seed) : [];
      this.list = this.count > 0 ? [specialContact('filehelper', '文件传输助手', 'wenjianchuanshuzhushou'), ...generated] : [];
      this.list.push(...this.added);
      this.byName = new Map(this.list.map((c) => [c.UserName, c]));
    }
    return this.list;
  }

  get size(): number {
    return this.all().length;
  }

  get(userName: string): GeneratedContact | undefined {
    this.all();
    return this.byName!.get(userName);
  }

  groups(): GeneratedContact[] {
    return this.all().filter((c) => c.UserName.startsWith('@@'));
  }

  people(): GeneratedContact[] {
    return this.all().filter((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@') && (c.VerifyFlag & 8) === 0);
  }

  /** A contact by UserName, or by NickName/RemarkName as written or as displayed (entities, emoji decoded). */
  find(name: string, kind: 'group' | 'person' | 'any' = 'any'): GeneratedContact | undefined {
    const wanted = (c: GeneratedContact): boolean =>
      kind === 'any' || (kind === 'group') === c.UserName.startsWith('@@');
    const direct = this.get(name);
    if (direct && wanted(direct)) return direct;
    return this.all().find(
      (c) =>
        wanted(c) &&
        (c.NickName === name || decodeContent(c.NickName) === name || (c.RemarkName !== '' && (c.RemarkName === name || decodeContent(c.RemarkName) === name))),
    );
  }

  /** A group's members (3 to 40, fixed per group and seed). */
  membersOf(group: GeneratedContact): GeneratedMember[] {
    let list = this.members.get(group.UserName);
    if (!list) {
      const count = randInt(createRng(seedFrom(this.seed, `size:${group.UserName}`)), 3, 40);
      list = generateGroupMembers(group.UserName, count, this.seed);
      this.members.set(group.UserName, list);
    }
    return list;
  }

  findMember(group: GeneratedContact, name: string): GeneratedMember | undefined {
    const members = this.membersOf(group);
    return members.find((m) => m.UserName === name) ?? members.find((m) => m.NickName === name || decodeContent(m.NickName) === name);
  }

  /** Which loaded group lists this UserName as a member (only groups whose members exist already). */
  memberAnywhere(userName: string): GeneratedMember | undefined {
    for (const list of this.members.values()) {
      const m = list.find((x) => x.UserName === userName);
      if (m) return m;
    }
    return undefined;
  }

  /** A group as batchgetcontact answers it: members listed, MemberCount set, EncryChatRoomId filled. */
  groupWithMembers(group: GeneratedContact): GeneratedContact {
    const members = this.membersOf(group);
    const encry = `@${seedFrom(this.seed, `encry:${group.UserName}`).toString(16).padStart(8, '0')}${'0'.repeat(24)}`;
    return { ...group, MemberList: members, MemberCount: int(members.length), EncryChatRoomId: encry };
  }

  add(contact: GeneratedContact): void {
    if (this.list === null) this.added.push(contact);
    else {
      this.list.push(contact);
      this.byName!.set(contact.UserName, contact);
    }
  }

  replace(contact: GeneratedContact): void {
    this.all();
    const list = this.list!;
    const i = list.findIndex((c) => c.UserName === contact.UserName);
    if (i >= 0) list[i] = contact;
    this.byName!.set(contact.UserName, contact);
  }
}
