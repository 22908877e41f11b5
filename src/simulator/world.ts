/**
 * The simulated WeChat side as plain logic, without HTTP: accounts, QR uuids and their phone
 * states, sessions with their credentials, message logs and sync keys, and what clients sent.
 * Every id and secret comes from one generator seeded by the simulator's seed; time comes from an
 * injectable clock. Long polls are not waited here: the HTTP layer asks "is there an answer?"
 * and parks on `watch()` until `notify()` says something changed.
 */
import { int, okBase, type BaseResponse, type SafeInt } from '../codecs/common.js';
import type { LoginPollAnswer } from '../codecs/login.js';
import type { SyncKey, User } from '../codecs/session.js';
import type { SyncCheckAnswer } from '../codecs/sync.js';
import { ContactBook, SPECIAL_USERNAMES } from './contact-book.js';
import {
  makeAuthTicket,
  makeAvatar,
  makeDataTicket,
  makePassTicket,
  makeSid,
  makeSkey,
  makeTicket,
  makeUuid,
  makeUvid,
  hexOf,
} from './credentials.js';
import {
  createRng,
  generateMsgId,
  generateUin,
  generateUserName,
  pick,
  seedFrom,
  type GeneratedContact,
  type GeneratedMessage,
  type Rng,
} from './generate.js';
import { buildMessage, typedParts } from './messages.js';
import { createKeyBase, initSyncKey, positionOfKey, syncCheckKey, syncSyncKey, type KeyBase } from './synckeys.js';
import {
  SimError,
  type AccountInfo,
  type ContactChangeInput,
  type EndRetcode,
  type InjectedMessage,
  type InjectMessageInput,
  type SentRecord,
  type SessionInfo,
  type TipRecord,
  type UuidInfo,
  type UuidStateName,
} from './types.js';

export interface WorldOptions {
  readonly seed: number;
  readonly contacts: number;
  readonly pageSize: number;
  readonly syncPageSize: number;
  readonly uuidLifetimeMs: number;
  readonly now?: () => number;
}

export const WEB_FORBIDDEN_MESSAGE =
  '为了你的帐号安全，此微信号不能登录网页微信。你可以使用Windows微信或Mac微信在电脑端登录。Windows微信下载地址：https://pc.weixin.qq.com  Mac微信下载地址：https://mac.weixin.qq.com';

interface Account {
  readonly uin: string;
  readonly nickName: string;
  readonly webForbidden: boolean;
  /** Lets push login find the account again (the webwx_auth_ticket cookie). */
  readonly authTicket: string;
  readonly avatar: string;
  logins: number;
}

interface UuidRecord {
  readonly uuid: string;
  readonly origin: 'qr' | 'push';
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly desktop: boolean;
  state: UuidStateName;
  account: Account | null;
  /** A 201 reached the client (its write finished): from then on the poll waits for the confirm. */
  scanDelivered: boolean;
  ticket: string | null;
  redirectOrigin: string | null;
  readonly tips: TipRecord[];
}

type LogEntry =
  | { readonly kind: 'msg'; readonly msg: GeneratedMessage; readonly time: number }
  | { readonly kind: 'phone'; readonly msg: GeneratedMessage; readonly time: number }
  | { readonly kind: 'contact'; readonly contact: GeneratedContact; readonly time: number };

export interface Session {
  readonly account: Account;
  readonly sid: string;
  readonly skey: string;
  readonly passTicket: string;
  readonly dataTicket: string;
  readonly uvid: string;
  readonly user: User & Record<string, unknown>;
  readonly base: KeyBase;
  readonly createdAt: number;
  readonly book: ContactBook;
  readonly log: LogEntry[];
  syncPos: number;
  endRetcode: EndRetcode | null;
  notifiedInit: boolean;
  readonly sent: SentRecord[];
  readonly byClientMsgId: Map<string, SentRecord>;
}

/** What the login poll answers now, or that it should wait (until `wakeAt` at the latest). */
export type PollOutcome =
  | { readonly kind: 'answer'; readonly answer: LoginPollAnswer; readonly onWritten?: () => void }
  | { readonly kind: 'wait'; readonly wakeAt: number };

export type NewLoginOutcome =
  | { readonly ok: true; readonly session: Session }
  | { readonly ok: false; readonly ret: number; readonly message: string };

export type AuthOutcome = { readonly ok: true; readonly session: Session } | { readonly ok: false; readonly ret: number };

/** Credentials as one request presented them; null where absent. */
export interface Presented {
  readonly base: { readonly Uin: unknown; readonly Sid: unknown; readonly Skey: unknown } | null;
  readonly querySid: string | null;
  readonly queryUin: string | null;
  readonly querySkey: string | null;
  /** The query value after one decode, as URLSearchParams gives it. */
  readonly passTicket: string | null;
  readonly cookieUin: string | null;
  readonly cookieSid: string | null;
}

export type Need = 'required' | 'optional';

/** Which credentials an endpoint checks; anything presented that is not listed here is still compared. */
export interface AuthRules {
  readonly base: boolean;
  readonly passTicket: Need;
  readonly cookies: Need;
  readonly querySid?: Need;
  readonly queryUin?: Need;
  readonly querySkey?: Need;
}

export interface SyncAnswer {
  readonly body: Record<string, unknown> & { BaseResponse: BaseResponse; SyncKey: SyncKey };
  /** Advances the server's key; call only once the answer was written in full. */
  readonly commit: () => void;
}

const JSON_LIST_LIMIT = 50;
const SELF_NICKNAMES: readonly string[] = ['模拟用户', 'Sim 小明', '测试号<span class="emoji emoji1f916"></span>', '张三丰', 'Alice &amp; Bob'];

const sameUin = (presented: unknown, uin: string): boolean =>
  (typeof presented === 'number' && String(presented) === uin) || (typeof presented === 'string' && presented === uin);

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/**
 * The real servers accept the pass_ticket both as the XML's text (sent encoded once more, as the
 * official client does) and as received (sent raw, so decoded once on arrival).
 */
export const passTicketMatches = (presented: string, passTicket: string): boolean =>
  presented === passTicket || presented === safeDecode(passTicket);

export class World {
  readonly options: WorldOptions;
  /** The simulator's origin; the login redirect points here unless told otherwise. */
  origin = 'http://127.0.0.1';
  /** Where every confirm points the redirect from now on (null: the origin). */
  redirectOverride: string | null = null;

  private readonly rng: Rng;
  private readonly now: () => number;
  private readonly accounts = new Map<string, Account>();
  private readonly uuids = new Map<string, UuidRecord>();
  private readonly sessionsBySid = new Map<string, Session>();
  private readonly latestByUin = new Map<string, Session>();
  private readonly sessionOrder: Session[] = [];
  private readonly watchers = new Map<string, Set<() => void>>();
  private readonly uuidListeners = new Set<(info: UuidInfo) => void>();
  private readonly scanSeenListeners = new Set<(info: UuidInfo) => void>();

  constructor(options: WorldOptions) {
    this.options = options;
    this.rng = createRng(seedFrom(options.seed, 'world'));
    this.now = options.now ?? Date.now;
  }

  // -------------------------------------------------------------------------------------------
  // Change notification (the HTTP layer parks long polls on these keys)

  watch(key: string, listener: () => void): () => void {
    let set = this.watchers.get(key);
    if (!set) {
      set = new Set();
      this.watchers.set(key, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.watchers.delete(key);
    };
  }

  private notify(key: string): void {
    const set = this.watchers.get(key);
    if (!set) return;
    for (const listener of [...set]) listener();
  }

  /** Called for every new uuid (jslogin and push login); the automatic phone listens here. */
  onUuidIssued(listener: (info: UuidInfo) => void): () => void {
    this.uuidListeners.add(listener);
    return () => this.uuidListeners.delete(listener);
  }

  /** Called once per uuid when a 201 reached the client: the automatic phone confirms after that. */
  onScanSeen(listener: (info: UuidInfo) => void): () => void {
    this.scanSeenListeners.add(listener);
    return () => this.scanSeenListeners.delete(listener);
  }

  static uuidKey = (uuid: string): string => `uuid:${uuid}`;
  static sessionKey = (session: Session): string => `session:${session.sid}`;

  // -------------------------------------------------------------------------------------------
  // Accounts

  createAccount(input: { webForbidden?: boolean | undefined; nickName?: string | undefined } = {}): AccountInfo {
    return this.accountInfo(this.newAccount(input));
  }

  private newAccount(input: { webForbidden?: boolean | undefined; nickName?: string | undefined }): Account {
    let uin: string;
    do uin = String(generateUin(this.rng));
    while (this.accounts.has(uin));
    const account: Account = {
      uin,
      nickName: input.nickName ?? pick(this.rng, SELF_NICKNAMES),
      webForbidden: input.webForbidden ?? false,
      authTicket: makeAuthTicket(this.rng),
      avatar: makeAvatar(this.rng),
      logins: 0,
    };
    this.accounts.set(uin, account);
    return account;
  }

  private accountInfo(a: Account): AccountInfo {
    return { uin: a.uin, nickName: a.nickName, webForbidden: a.webForbidden };
  }

  accountList(): AccountInfo[] {
    return [...this.accounts.values()].map((a) => this.accountInfo(a));
  }

  // -------------------------------------------------------------------------------------------
  // Login: uuids and the phone

  issueUuid(input: { desktop?: boolean } = {}): UuidInfo {
    return this.addUuid('qr', null, input.desktop ?? false);
  }

  private addUuid(origin: 'qr' | 'push', account: Account | null, desktop: boolean): UuidInfo {
    let uuid: string;
    do uuid = makeUuid(this.rng);
    while (this.uuids.has(uuid));
    const now = this.now();
    const record: UuidRecord = {
      uuid,
      origin,
      createdAt: now,
      expiresAt: now + this.options.uuidLifetimeMs,
      desktop,
      // A push login skips the scan: the phone already shows the confirm prompt.
      state: origin === 'push' ? 'scanned' : 'pending',
      account,
      scanDelivered: false,
      ticket: null,
      redirectOrigin: null,
      tips: [],
    };
    this.uuids.set(uuid, record);
    const info = this.uuidInfo(record);
    for (const listener of [...this.uuidListeners]) listener(info);
    return info;
  }

  private uuidInfo(r: UuidRecord): UuidInfo {
    this.expireIfDue(r);
    return {
      uuid: r.uuid,
      state: r.state,
      origin: r.origin,
      uin: r.account?.uin ?? null,
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
      tips: [...r.tips],
      desktop: r.desktop,
    };
  }

  uuid(uuid: string): UuidInfo | null {
    const r = this.uuids.get(uuid);
    return r ? this.uuidInfo(r) : null;
  }

  /** QR codes still waiting for the phone (pending or scanned), oldest first. */
  pendingUuids(): UuidInfo[] {
    return [...this.uuids.values()]
      .filter((r) => (this.expireIfDue(r), r.state === 'pending' || r.state === 'scanned'))
      .map((r) => this.uuidInfo(r));
  }

  private expireIfDue(r: UuidRecord): void {
    if ((r.state === 'pending' || r.state === 'scanned') && this.now() >= r.expiresAt) r.state = 'expired';
  }

  private pickUuid(uuid: string | undefined, states: readonly UuidStateName[]): UuidRecord {
    if (uuid !== undefined) {
      const r = this.uuids.get(uuid);
      if (!r) throw new SimError('notFound', `no such uuid: ${uuid}`);
      this.expireIfDue(r);
      if (!states.includes(r.state)) throw new SimError('conflict', `uuid ${uuid} is ${r.state}`);
      return r;
    }
    const candidates = [...this.uuids.values()].filter((r) => (this.expireIfDue(r), states.includes(r.state)));
    const newest = candidates[candidates.length - 1];
    if (!newest) throw new SimError('notFound', `no uuid is ${states.join(' or ')}`);
    return newest;
  }

  /** The tip the client sent, checked against what the protocol wants at this moment. */
  recordTip(uuid: string, tip: string | null): void {
    const r = this.uuids.get(uuid);
    if (!r) return;
    const expected: 0 | 1 = r.scanDelivered ? 0 : 1;
    r.tips.push({ tip, expected, ok: tip === String(expected) });
  }

  /** The login poll's answer if it has one now; otherwise when to look again (expiry or hold). */
  pollLogin(uuid: string, tip: string | null): PollOutcome {
    const r = this.uuids.get(uuid);
    if (!r) return { kind: 'answer', answer: { code: 400 } };
    this.expireIfDue(r);
    switch (r.state) {
      case 'expired':
      case 'consumed':
        return { kind: 'answer', answer: { code: 400 } };
      case 'confirmed':
        return { kind: 'answer', answer: { code: 200, redirectUri: this.redirectUri(r) } };
      case 'scanned':
        // A client that has not seen the 201 yet (still sending tip=1, or whose 201 was lost) gets it now.
        if (!r.scanDelivered || tip === '1') {
          return {
            kind: 'answer',
            answer: { code: 201, avatar: r.account?.avatar ?? null },
            onWritten: () => {
              if (r.scanDelivered) return;
              r.scanDelivered = true;
              const info = this.uuidInfo(r);
              for (const listener of [...this.scanSeenListeners]) listener(info);
            },
          };
        }
        return { kind: 'wait', wakeAt: r.expiresAt };
      case 'pending':
        return { kind: 'wait', wakeAt: r.expiresAt };
    }
  }

  private redirectUri(r: UuidRecord): string {
    const origin = r.redirectOrigin ?? this.origin;
    const scan = Math.floor(r.createdAt / 1000);
    return `${origin}/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=${r.ticket}&uuid=${r.uuid}&lang=zh_CN&scan=${scan}`;
  }

  /** The phone scans a QR (default: the newest pending one) with an account (default: a fresh one). */
  scan(input: { uuid?: string | undefined; uin?: string | undefined } = {}): UuidInfo {
    const r = this.pickUuid(input.uuid, ['pending']);
    let account: Account;
    if (input.uin !== undefined) {
      const found = this.accounts.get(input.uin);
      if (!found) throw new SimError('notFound', `no such account: ${input.uin}`);
      account = found;
    } else {
      account = this.newAccount({});
    }
    r.account = account;
    r.state = 'scanned';
    this.notify(World.uuidKey(r.uuid));
    return this.uuidInfo(r);
  }

  /**
   * The phone confirms (default: the newest scanned QR, else the newest pending one, which is
   * then scanned first). `redirectOrigin` makes this one redirect point elsewhere.
   */
  confirm(input: { uuid?: string | undefined; redirectOrigin?: string | undefined } = {}): UuidInfo {
    let r: UuidRecord;
    if (input.uuid !== undefined) r = this.pickUuid(input.uuid, ['scanned', 'pending']);
    else {
      try {
        r = this.pickUuid(undefined, ['scanned']);
      } catch {
        r = this.pickUuid(undefined, ['pending']);
      }
    }
    if (r.state === 'pending') {
      r.account = this.newAccount({});
    }
    r.state = 'confirmed';
    r.ticket = makeTicket(this.rng);
    r.redirectOrigin = input.redirectOrigin ?? this.redirectOverride;
    this.notify(World.uuidKey(r.uuid));
    return this.uuidInfo(r);
  }

  /** Ends a QR's life now (default: the newest pending or scanned one): the poll answers 400. */
  expireUuid(uuid?: string): UuidInfo {
    const r = this.pickUuid(uuid, ['pending', 'scanned']);
    r.state = 'expired';
    this.notify(World.uuidKey(r.uuid));
    return this.uuidInfo(r);
  }

  /**
   * webwxnewloginpage: the redirect's ticket is single-use. A web-forbidden account gets 1203
   * unless the request is the desktop (UOS) client's, which is what that mode exists for.
   */
  newLoginPage(input: { ticket: string | null; uuid: string | null; desktopHeaders: boolean }): NewLoginOutcome {
    const r = input.uuid === null ? undefined : this.uuids.get(input.uuid);
    if (!r || r.state !== 'confirmed' || r.ticket === null || r.ticket !== input.ticket || !r.account) {
      return { ok: false, ret: 1, message: '' };
    }
    const account = r.account;
    if (account.webForbidden && !input.desktopHeaders) {
      r.state = 'consumed';
      return { ok: false, ret: 1203, message: WEB_FORBIDDEN_MESSAGE };
    }
    r.state = 'consumed';
    return { ok: true, session: this.openSession(account) };
  }

  private openSession(account: Account): Session {
    const previous = this.latestByUin.get(account.uin);
    // Logging in again ends the account's other web session ("logged in elsewhere").
    if (previous && previous.endRetcode === null) this.endSession(previous, 1101);
    account.logins++;
    const sessionSeed = seedFrom(this.options.seed, `session:${account.uin}:${account.logins}`);
    const userName = `@${hexOf(this.rng, 32)}`;
    const sid = makeSid(this.rng);
    const skey = makeSkey(this.rng);
    const now = this.now();
    const session: Session = {
      account,
      sid,
      skey,
      passTicket: makePassTicket(this.rng),
      dataTicket: makeDataTicket(this.rng),
      uvid: makeUvid(this.rng),
      user: {
        Uin: int(Number(account.uin)),
        UserName: userName as User['UserName'],
        NickName: account.nickName,
        HeadImgUrl: `/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1264610125&username=${userName}&skey=${skey}`,
        RemarkName: '',
        PYInitial: '',
        PYQuanPin: '',
        RemarkPYInitial: '',
        RemarkPYQuanPin: '',
        HideInputBarFlag: 0,
        StarFriend: 0,
        Sex: int(1),
        Signature: '',
        AppAccountFlag: 0,
        VerifyFlag: 0,
        ContactFlag: 0,
        WebWxPluginSwitch: 0,
        HeadImgFlag: 1,
        SnsFlag: 17,
      },
      base: createKeyBase(this.rng, now),
      createdAt: now,
      book: new ContactBook(this.options.contacts, sessionSeed),
      log: [],
      syncPos: 0,
      endRetcode: null,
      notifiedInit: false,
      sent: [],
      byClientMsgId: new Map(),
    };
    this.sessionsBySid.set(sid, session);
    this.latestByUin.set(account.uin, session);
    this.sessionOrder.push(session);
    return session;
  }

  /** webwxpushloginurl: the stored cookies name the account; the phone gets a confirm prompt. */
  pushLogin(input: { uin: string | null; cookieUin: string | null; authTicket: string | null }): UuidInfo | null {
    if (input.uin === null || input.cookieUin !== input.uin) return null;
    const account = this.accounts.get(input.uin);
    if (!account || input.authTicket !== account.authTicket) return null;
    return this.addUuid('push', account, false);
  }

  // -------------------------------------------------------------------------------------------
  // Sessions: credentials

  sessionBySid(sid: string): Session | undefined {
    return this.sessionsBySid.get(sid);
  }

  /**
   * Checks what a request presented against the session it names. Wrong or missing credentials
   * answer 1101; cookies that are missing where needed, or that name someone else, answer 1102
   * (the real servers' cookie/host mismatch); an ended session answers the retcode it ended with.
   */
  authenticate(p: Presented, rules: AuthRules): AuthOutcome {
    const sid = typeof p.base?.Sid === 'string' ? p.base.Sid : (p.querySid ?? p.cookieSid);
    const session = sid === null ? undefined : this.sessionsBySid.get(sid);
    if (!session) return { ok: false, ret: 1101 };
    const { uin } = session.account;
    // A BaseRequest is compared wherever one was sent, and must be sent where the endpoint needs it.
    if (rules.base || p.base !== null) {
      if (p.base === null) return { ok: false, ret: 1101 };
      if (!sameUin(p.base.Uin, uin) || p.base.Sid !== session.sid || p.base.Skey !== session.skey) return { ok: false, ret: 1101 };
    }
    const checks: [string | null, Need | undefined, (v: string) => boolean][] = [
      [p.querySid, rules.querySid, (v) => v === session.sid],
      [p.queryUin, rules.queryUin, (v) => v === uin],
      [p.querySkey, rules.querySkey, (v) => v === session.skey],
      [p.passTicket, rules.passTicket, (v) => passTicketMatches(v, session.passTicket)],
    ];
    for (const [value, need, ok] of checks) {
      if (value === null) {
        if (need === 'required') return { ok: false, ret: 1101 };
      } else if (!ok(value)) return { ok: false, ret: 1101 };
    }
    const cookiesPresent = p.cookieUin !== null || p.cookieSid !== null;
    if (rules.cookies === 'required' || cookiesPresent) {
      if (p.cookieUin !== uin || p.cookieSid !== session.sid) return { ok: false, ret: 1102 };
    }
    if (session.endRetcode !== null) return { ok: false, ret: session.endRetcode };
    return { ok: true, session };
  }

  // -------------------------------------------------------------------------------------------
  // Sessions: the endpoints

  init(session: Session): Record<string, unknown> {
    const book = session.book;
    const groups = book.groups().slice(0, 2).map((g) => {
      // webwxinit lists recent groups with members known but their names blank (as captured).
      const full = book.groupWithMembers(g);
      return { ...full, MemberList: full.MemberList.map((m) => ({ ...m, NickName: '', PYInitial: '', PYQuanPin: '', DisplayName: '' })) };
    });
    const people = book.people().slice(0, 5);
    const recent: GeneratedContact[] = [...(book.get('filehelper') ? [book.get('filehelper')!] : []), ...groups, ...people];
    return {
      BaseResponse: okBase(),
      Count: int(recent.length),
      ContactList: recent,
      SyncKey: initSyncKey(session.base, session.syncPos),
      User: session.user,
      ChatSet: `${recent.map((c) => c.UserName).join(',')},`,
      SKey: session.skey,
      ClientVersion: int(385876258),
      SystemTime: int(Math.floor(this.now() / 1000)),
      GrayScale: int(1),
      InviteStartCount: int(40),
      MPSubscribeMsgCount: int(0),
      MPSubscribeMsgList: [],
      ClickReportInterval: int(600000),
    };
  }

  /** Code 3 (inited) makes the phone sync the chat list: one status-notify message per session. */
  statusNotify(session: Session, body: Record<string, unknown>): { ret: number; msgId: string } {
    const self = session.user.UserName;
    const code = body['Code'];
    if (!Number.isSafeInteger(code) || typeof body['FromUserName'] !== 'string' || typeof body['ToUserName'] !== 'string') {
      return { ret: 1, msgId: '' };
    }
    if (body['FromUserName'] !== self) return { ret: 1, msgId: '' };
    if (code === 3 && !session.notifiedInit) {
      session.notifiedInit = true;
      const recent = [...session.book.groups().slice(0, 2), ...session.book.people().slice(0, 5)].map((c) => c.UserName);
      const msg = buildMessage(
        {
          from: self,
          to: self,
          msgType: 51,
          content: '&lt;msg&gt;<br/>&lt;op id=\'4\'&gt;<br/>&lt;username&gt;' + recent.join(',') + '&lt;/username&gt;<br/>&lt;/op&gt;<br/>&lt;/msg&gt;',
          statusNotifyCode: 4,
          statusNotifyUserName: recent.join(','),
        },
        generateMsgId(this.rng),
        Math.floor(this.now() / 1000),
      );
      this.append(session, { kind: 'msg', msg, time: this.now() });
    }
    return { ret: 0, msgId: generateMsgId(this.rng) };
  }

  /** webwxgetcontact: `seq` is where the page starts (0 first); the answer's Seq is the next start or 0. */
  contactPage(session: Session, seq: number): { MemberCount: SafeInt; MemberList: GeneratedContact[]; Seq: SafeInt } {
    const all = session.book.all();
    const start = Math.min(Math.max(0, seq), all.length);
    const page = all.slice(start, start + this.options.pageSize);
    const next = start + page.length;
    return { MemberCount: int(page.length), MemberList: page, Seq: int(next < all.length ? next : 0) };
  }

  /** webwxbatchgetcontact: groups with their members, people, and group members met in a loaded group. */
  batchGetContact(session: Session, list: readonly unknown[]): { ret: number; contacts: GeneratedContact[] } {
    if (list.length > JSON_LIST_LIMIT) return { ret: 1, contacts: [] };
    const out: GeneratedContact[] = [];
    for (const item of list) {
      const userName = typeof item === 'object' && item !== null ? (item as { UserName?: unknown }).UserName : undefined;
      if (typeof userName !== 'string') return { ret: 1, contacts: [] };
      const contact = session.book.get(userName);
      if (contact) {
        out.push(contact.UserName.startsWith('@@') ? session.book.groupWithMembers(contact) : contact);
        continue;
      }
      const member = session.book.memberAnywhere(userName);
      if (member) {
        out.push({ ...memberAsContact(member) });
      }
    }
    return { ret: 0, contacts: out };
  }

  /** synccheck: an answer when something waits after the presented key, otherwise null (park). */
  syncCheck(session: Session, keyList: readonly { Key: number; Val: number }[] | null): SyncCheckAnswer | null {
    if (session.endRetcode !== null) return { retcode: session.endRetcode, selector: 0 };
    const pos = this.clampPos(session, keyList === null ? null : positionOfKey(session.base, keyList));
    const pending = session.log.slice(pos);
    if (pending.length === 0) return null;
    const kinds = new Set(pending.map((e) => e.kind));
    return { retcode: 0, selector: kinds.has('msg') ? 2 : kinds.has('contact') ? 4 : 7 };
  }

  private clampPos(session: Session, pos: number | null): number {
    // A key the server cannot place falls back to the server's own key.
    if (pos === null) return session.syncPos;
    return Math.min(Math.max(0, pos), session.log.length);
  }

  /** webwxsync: up to a page of entries after the presented key; ContinueFlag when more wait. */
  sync(session: Session, keyList: readonly { Key: unknown; Val: unknown }[]): SyncAnswer {
    const pos = this.clampPos(session, positionOfKey(session.base, keyList));
    const entries = session.log.slice(pos, pos + this.options.syncPageSize);
    const newPos = pos + entries.length;
    const messages = entries.filter((e) => e.kind !== 'contact').map((e) => (e as { msg: GeneratedMessage }).msg);
    const contacts = entries.filter((e) => e.kind === 'contact').map((e) => (e as { contact: GeneratedContact }).contact);
    const last = entries[entries.length - 1];
    const lastSec = last ? Math.floor(last.time / 1000) : session.base.t0;
    const body = {
      BaseResponse: okBase(),
      AddMsgCount: int(messages.length),
      AddMsgList: messages,
      ModContactCount: int(contacts.length),
      ModContactList: contacts,
      DelContactCount: int(0),
      DelContactList: [],
      ModChatRoomMemberCount: int(0),
      ModChatRoomMemberList: [],
      Profile: {
        BitFlag: 0,
        UserName: { Buff: '' },
        NickName: { Buff: '' },
        BindUin: 0,
        BindEmail: { Buff: '' },
        BindMobile: { Buff: '' },
        Status: 0,
        Sex: 0,
        PersonalCard: 0,
        Alias: '',
        HeadImgUpdateFlag: 0,
        HeadImgUrl: '',
        Signature: '',
      },
      ContinueFlag: int(newPos < session.log.length ? 1 : 0),
      SyncKey: syncSyncKey(session.base, newPos, lastSec),
      SKey: '',
      SyncCheckKey: syncCheckKey(session.base, newPos, lastSec),
    };
    return {
      body,
      commit: () => {
        if (newPos > session.syncPos) session.syncPos = newPos;
      },
    };
  }

  /** webwxsendmsg: stored once per ClientMsgId; a repeat answers the MsgID of the first. */
  sendMsg(session: Session, msg: unknown): { ret: number; record: SentRecord | null } {
    if (typeof msg !== 'object' || msg === null) return { ret: 1, record: null };
    const m = msg as Record<string, unknown>;
    const type = m['Type'];
    const clientMsgId = idText(m['ClientMsgId']);
    const localId = idText(m['LocalID']) ?? clientMsgId;
    if (!Number.isSafeInteger(type) || clientMsgId === null || localId === null) return { ret: 1, record: null };
    if (typeof m['FromUserName'] !== 'string' || typeof m['ToUserName'] !== 'string') return { ret: 1, record: null };
    if (type === 1 && typeof m['Content'] !== 'string') return { ret: 1, record: null };
    const previous = session.byClientMsgId.get(clientMsgId);
    if (previous) return { ret: 0, record: previous };
    if (m['FromUserName'] !== session.user.UserName) return { ret: 1, record: null };
    const to = m['ToUserName'];
    if (!this.canReceive(session, to)) return { ret: 1204, record: null };
    const content = typeof m['Content'] === 'string' ? m['Content'] : '';
    const record: SentRecord = {
      uin: session.account.uin,
      msgId: generateMsgId(this.rng),
      clientMsgId,
      localId,
      type: type as number,
      from: session.user.UserName,
      to,
      content,
      text: content,
      time: this.now(),
    };
    session.sent.push(record);
    session.byClientMsgId.set(clientMsgId, record);
    return { ret: 0, record };
  }

  private canReceive(session: Session, to: string): boolean {
    return (
      to === session.user.UserName ||
      SPECIAL_USERNAMES.has(to) ||
      session.book.get(to) !== undefined ||
      session.book.memberAnywhere(to) !== undefined
    );
  }

  /** webwxlogout from the client: the session is over. */
  logout(session: Session): void {
    if (session.endRetcode === null) this.endSession(session, 1101);
  }

  // -------------------------------------------------------------------------------------------
  // The phone and the rest of the world

  /** The session a control call means: the account's latest, or the latest login overall. */
  resolveSession(uin?: string): Session {
    if (uin !== undefined && uin !== '') {
      const s = this.latestByUin.get(uin);
      if (!s) throw new SimError('notFound', `no session for uin ${uin}`);
      return s;
    }
    const last = this.sessionOrder[this.sessionOrder.length - 1];
    if (!last) throw new SimError('notFound', 'no session yet');
    return last;
  }

  private endSession(session: Session, retcode: EndRetcode): void {
    session.endRetcode = retcode;
    this.notify(World.sessionKey(session));
  }

  /** The server ends a session: every session call answers `retcode` from now on. */
  serverLogout(uin: string | undefined, retcode: EndRetcode): SessionInfo {
    const session = this.resolveSession(uin);
    this.endSession(session, retcode);
    return this.sessionInfo(session);
  }

  private append(session: Session, entry: LogEntry): void {
    session.log.push(entry);
    this.notify(World.sessionKey(session));
  }

  /** A message arrives: from a contact, or inside a group from one of its members. */
  injectMessage(input: InjectMessageInput): InjectedMessage {
    return this.inject(input.uin, [input], false)[0]!;
  }

  /**
   * Messages arrive together, in order: all of them or, when one is refused (unknown contact or
   * group, bad type), none. A parked synccheck wakes once, and its webwxsync finds them all.
   */
  injectMessages(uin: string | undefined, inputs: readonly InjectMessageInput[]): InjectedMessage[] {
    return this.inject(uin, inputs, true);
  }

  /** `indexed`: a refusal names the message (`messages[3]: …`). */
  private inject(uin: string | undefined, inputs: readonly InjectMessageInput[], indexed: boolean): InjectedMessage[] {
    const session = this.resolveSession(uin);
    if (session.endRetcode !== null) throw new SimError('conflict', `the session of ${session.account.uin} has ended`);
    const time = this.now();
    let lastMsgId = lastMessageIdOf(session.log);
    const built: LogEntry[] = [];
    const injected: InjectedMessage[] = [];
    for (const [i, input] of inputs.entries()) {
      let msg: GeneratedMessage;
      try {
        msg = this.buildInjected(session, input, lastMsgId, time);
      } catch (err) {
        throw indexed && err instanceof SimError ? new SimError(err.code, `messages[${i}]: ${err.message}`) : err;
      }
      lastMsgId = msg.MsgId;
      built.push({ kind: 'msg', msg, time });
      injected.push({ uin: session.account.uin, msgId: msg.MsgId, from: msg.FromUserName, to: msg.ToUserName });
    }
    if (built.length === 0) return injected;
    for (const entry of built) session.log.push(entry);
    this.notify(World.sessionKey(session));
    return injected;
  }

  private buildInjected(session: Session, input: InjectMessageInput, lastMsgId: string | undefined, time: number): GeneratedMessage {
    const self = session.user.UserName;
    const type = input.type ?? 1;
    if (!Number.isSafeInteger(type) || type <= 0) throw new SimError('badRequest', '"type" must be a positive integer');
    let from: string;
    let sender: string;
    if (input.group !== undefined) {
      const group = session.book.find(input.group, 'group');
      if (!group) throw new SimError('notFound', `no such group: ${input.group}`);
      const member = session.book.findMember(group, input.from);
      sender = member?.UserName ?? this.strangerName(input.from);
      from = group.UserName;
    } else {
      const contact = session.book.find(input.from);
      sender = contact?.UserName ?? this.strangerName(input.from);
      from = sender;
    }
    const parts = typedParts({
      type,
      text: input.text,
      sender,
      recalledMsgId: lastMsgId,
      ticket: hexOf(this.rng, 24),
    });
    // Inside a group, content from someone else carries the member before a `<br/>`.
    const content = input.group !== undefined && type !== 10000 && type !== 10002 ? `${sender}:<br/>${parts.content}` : parts.content;
    return buildMessage({ ...parts, from, to: self, content }, generateMsgId(this.rng), Math.floor(time / 1000));
  }

  private strangerName(name: string): string {
    if (name.startsWith('@')) return name;
    throw new SimError('notFound', `no such contact: ${name}`);
  }

  /** A contact changes (or, without userName, a new friend appears): synccheck answers selector 4. */
  changeContact(input: ContactChangeInput): GeneratedContact {
    const session = this.resolveSession(input.uin);
    let contact: GeneratedContact;
    if (input.userName !== undefined) {
      const found = session.book.find(input.userName);
      if (!found) throw new SimError('notFound', `no such contact: ${input.userName}`);
      contact = { ...found, NickName: input.nickName ?? found.NickName, RemarkName: input.remarkName ?? found.RemarkName };
      session.book.replace(contact);
    } else {
      const template = session.book.people()[0] ?? session.book.all()[0];
      const userName = generateUserName(this.rng);
      contact = {
        ...(template ?? session.book.all()[0]!),
        UserName: userName,
        NickName: input.nickName ?? '新朋友',
        RemarkName: input.remarkName ?? '',
        HeadImgUrl: `/cgi-bin/mmwebwx-bin/webwxgeticon?seq=1&username=${userName}&skey=`,
      };
      session.book.add(contact);
    }
    this.append(session, { kind: 'contact', contact, time: this.now() });
    return contact;
  }

  /** The user does something on the phone (opens a chat): synccheck answers selector 7. */
  phoneActivity(uin?: string): string {
    const session = this.resolveSession(uin);
    const self = session.user.UserName;
    const chat = session.book.people()[0]?.UserName ?? 'filehelper';
    const msgId = generateMsgId(this.rng);
    const msg = buildMessage(
      { from: self, to: chat, msgType: 51, content: '', statusNotifyCode: 2, statusNotifyUserName: chat },
      msgId,
      Math.floor(this.now() / 1000),
    );
    this.append(session, { kind: 'phone', msg, time: this.now() });
    return msgId;
  }

  sent(uin?: string): SentRecord[] {
    const session = this.resolveSession(uin);
    return this.sessionOrder.filter((s) => s.account === session.account).flatMap((s) => s.sent);
  }

  sessionInfo(s: Session): SessionInfo {
    return {
      uin: s.account.uin,
      userName: s.user.UserName,
      nickName: s.account.nickName,
      alive: s.endRetcode === null,
      endRetcode: s.endRetcode,
      head: s.log.length,
      syncPos: s.syncPos,
      contacts: s.book.size,
      createdAt: s.createdAt,
    };
  }

  sessions(): SessionInfo[] {
    return this.sessionOrder.map((s) => this.sessionInfo(s));
  }

  /** Contacts of a session, for tests and tools (the generated data, as getcontact pages it). */
  contactsOf(uin?: string): readonly GeneratedContact[] {
    return this.resolveSession(uin).book.all();
  }

  /** Members of a group in a session. */
  membersOf(groupUserName: string, uin?: string): readonly { UserName: string; NickName: string }[] {
    const session = this.resolveSession(uin);
    const group = session.book.find(groupUserName, 'group');
    if (!group) throw new SimError('notFound', `no such group: ${groupUserName}`);
    return session.book.membersOf(group);
  }

  /** The session's secrets, for tests that play a client by hand. Never printed. */
  credentialsOf(uin?: string): { uin: string; sid: string; skey: string; passTicket: string; dataTicket: string; authTicket: string; userName: string } {
    const s = this.resolveSession(uin);
    return {
      uin: s.account.uin,
      sid: s.sid,
      skey: s.skey,
      passTicket: s.passTicket,
      dataTicket: s.dataTicket,
      authTicket: s.account.authTicket,
      userName: s.user.UserName,
    };
  }

  authTicketOf(session: Session): string {
    return session.account.authTicket;
  }
}

/** The newest injected message (what a recall refers to), read from the end: logs grow long. */
function lastMessageIdOf(log: readonly LogEntry[]): string | undefined {
  for (let i = log.length - 1; i >= 0; i--) {
    const entry = log[i]!;
    if (entry.kind === 'msg') return entry.msg.MsgId;
  }
  return undefined;
}

function idText(value: unknown): string | null {
  if (typeof value === 'string' && /^\d{1,32}$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return null;
}

function memberAsContact(m: { UserName: string; NickName: string; AttrStatus: number; PYInitial: string; PYQuanPin: string; DisplayName: string; KeyWord: string }): GeneratedContact {
  return {
    Uin: int(0),
    UserName: m.UserName as GeneratedContact['UserName'],
    NickName: m.NickName,
    HeadImgUrl: `/cgi-bin/mmwebwx-bin/webwxgeticon?seq=0&username=${m.UserName}&skey=`,
    ContactFlag: int(0),
    MemberCount: int(0),
    MemberList: [],
    RemarkName: '',
    HideInputBarFlag: 0,
    Sex: int(0),
    Signature: '',
    VerifyFlag: int(0),
    OwnerUin: int(0),
    PYInitial: m.PYInitial,
    PYQuanPin: m.PYQuanPin,
    RemarkPYInitial: '',
    RemarkPYQuanPin: '',
    StarFriend: int(0),
    AppAccountFlag: 0,
    Statues: 0,
    AttrStatus: m.AttrStatus,
    Province: '',
    City: '',
    Alias: '',
    SnsFlag: 0,
    UniFriend: 0,
    DisplayName: m.DisplayName,
    ChatRoomId: 0,
    KeyWord: m.KeyWord,
    EncryChatRoomId: '',
    IsOwner: 0,
  };
}
