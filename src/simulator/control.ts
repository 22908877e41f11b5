/**
 * The phone and the rest of the world, in-process (typed) and over HTTP under `/__sim/` exactly as
 * CONTRACT.md fixes it: scan, confirm, message, logout, sent, requests — plus the extras the
 * engine's tests need (accounts, sessions, uuids, expiry, faults, contact changes, phone
 * activity, a foreign redirect origin, the automatic phone).
 */
import type { GeneratedContact } from './generate.js';
import { checkFaultPlan, type FaultInjector } from './faults.js';
import type { RequestLog } from './request-log.js';
import {
  SIM_ENDPOINTS,
  SimError,
  type AccountInfo,
  type ContactChangeInput,
  type EndRetcode,
  type FaultPlan,
  type InjectedMessage,
  type InjectMessageInput,
  type RequestRecord,
  type SentRecord,
  type SessionInfo,
  type SimEndpoint,
  type UuidInfo,
} from './types.js';
import type { Reply } from './wire.js';
import type { World } from './world.js';

export interface RequestFilter {
  readonly endpoint?: SimEndpoint | undefined;
  /** Only records with a larger seq. */
  readonly since?: number | undefined;
}

export interface SimulatorControl {
  /** The phone scans a QR (default: the newest pending), with an account (default: a fresh one). */
  scan(input?: { uuid?: string; uin?: string }): UuidInfo;
  /** The phone confirms (default: the newest scanned, else the newest pending QR). */
  confirm(input?: { uuid?: string; redirectOrigin?: string }): UuidInfo;
  /** A message arrives for a session (default: the most recent login). */
  message(input: InjectMessageInput): InjectedMessage;
  /** Many messages arrive at once, in order (all or, if one is refused, none); one synccheck wake. */
  messages(input: { uin?: string; messages: readonly Omit<InjectMessageInput, 'uin'>[] }): InjectedMessage[];
  /** The server ends a session: its next synccheck answers `retcode`. */
  logout(input: { uin?: string; retcode: EndRetcode }): SessionInfo;
  /** What the account sent with webwxsendmsg, in order. */
  sent(uin?: string): SentRecord[];
  /** The request log (method, path, query, headers, body), oldest first. */
  requests(filter?: RequestFilter): RequestRecord[];
  clearRequests(): void;
  createAccount(input?: { webForbidden?: boolean; nickName?: string }): AccountInfo;
  accounts(): AccountInfo[];
  sessions(): SessionInfo[];
  pendingUuids(): UuidInfo[];
  uuid(uuid: string): UuidInfo | null;
  expireUuid(uuid?: string): UuidInfo;
  setFaults(plan: FaultPlan | null): void;
  /** How many times each rule of the current plan fired. */
  faultsFired(): number[];
  changeContact(input?: ContactChangeInput): GeneratedContact;
  phoneActivity(uin?: string): { msgId: string };
  /** Every later confirm points the redirect at this origin (null: back to the simulator's). */
  setRedirectOrigin(origin: string | null): void;
  setAuto(input: { auto?: boolean; autoDelay?: number }): { auto: boolean; autoDelay: number };
  /** A session's contacts as webwxgetcontact pages them. */
  contacts(uin?: string): readonly GeneratedContact[];
  members(group: string, uin?: string): readonly { UserName: string; NickName: string }[];
  /** A session's secrets, for tests that play a client by hand. In-process only, never served. */
  credentials(uin?: string): ReturnType<World['credentialsOf']>;
}

/**
 * Scans every new QR `autoDelay` after it was issued, and confirms `autoDelay` after the client
 * saw the 201 — so a client always gets to show the avatar first, as with a real phone, however
 * late it polls. A push login is already scanned: it is confirmed after its 201 alike.
 */
export class AutoPhone {
  enabled: boolean;
  delay: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly world: World,
    enabled: boolean,
    delay: number,
  ) {
    this.enabled = enabled;
    this.delay = delay;
    this.unsubscribe = [
      world.onUuidIssued((info) => {
        if (this.enabled && info.origin === 'qr') this.later(() => void this.world.scan({ uuid: info.uuid }));
      }),
      world.onScanSeen((info) => {
        if (this.enabled) this.later(() => void this.world.confirm({ uuid: info.uuid }));
      }),
    ];
  }

  private later(step: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        step();
      } catch (err) {
        // The QR expired or was used meanwhile: the phone simply has nothing to do.
        if (!(err instanceof SimError)) throw err;
      }
    }, this.delay);
    this.timers.add(timer);
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

/** One bulk call's ceiling; its JSON must also fit the control API's body limit (16 MiB). */
export const MAX_BULK_MESSAGES = 100_000;

export function createControl(world: World, faults: FaultInjector, log: RequestLog, auto: AutoPhone, seed: number): SimulatorControl {
  return {
    scan: (input = {}) => world.scan(input),
    confirm: (input = {}) => world.confirm(input),
    message: (input) => world.injectMessage(input),
    messages: (input) => {
      if (input.messages.length > MAX_BULK_MESSAGES) throw new SimError('badRequest', `at most ${MAX_BULK_MESSAGES} messages per call`);
      return world.injectMessages(input.uin, input.messages);
    },
    logout: (input) => world.serverLogout(input.uin, input.retcode),
    sent: (uin) => world.sent(uin),
    requests: (filter = {}) => log.list(filter),
    clearRequests: () => log.clear(),
    createAccount: (input = {}) => world.createAccount(input),
    accounts: () => world.accountList(),
    sessions: () => world.sessions(),
    pendingUuids: () => world.pendingUuids(),
    uuid: (uuid) => world.uuid(uuid),
    expireUuid: (uuid) => world.expireUuid(uuid),
    setFaults: (plan) => faults.setPlan(plan ?? undefined, seed),
    faultsFired: () => faults.firedCounts(),
    changeContact: (input = {}) => world.changeContact(input),
    phoneActivity: (uin) => ({ msgId: world.phoneActivity(uin) }),
    setRedirectOrigin: (origin) => {
      world.redirectOverride = origin;
    },
    setAuto: (input) => {
      if (input.auto !== undefined) auto.enabled = input.auto;
      if (input.autoDelay !== undefined) auto.delay = input.autoDelay;
      return { auto: auto.enabled, autoDelay: auto.delay };
    },
    contacts: (uin) => world.contactsOf(uin),
    members: (group, uin) => world.membersOf(group, uin),
    credentials: (uin) => world.credentialsOf(uin),
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP: /__sim/…

type Body = Record<string, unknown>;

function optString(body: Body, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && name === 'uin') return String(v);
  if (typeof v !== 'string') throw new SimError('badRequest', `"${name}" must be a string`);
  return v;
}

function reqString(body: Body, name: string): string {
  const v = optString(body, name);
  if (v === undefined) throw new SimError('badRequest', `"${name}" is required`);
  return v;
}

function optInt(body: Body, name: string): number | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (!Number.isSafeInteger(v)) throw new SimError('badRequest', `"${name}" must be an integer`);
  return v as number;
}

function optBool(body: Body, name: string): boolean | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new SimError('badRequest', `"${name}" must be true or false`);
  return v;
}

function retcodeOf(body: Body): EndRetcode {
  const v = body['retcode'] ?? 1101;
  const n = typeof v === 'string' ? Number(v) : v;
  if (n !== 1100 && n !== 1101 && n !== 1102) throw new SimError('badRequest', '"retcode" must be 1100, 1101 or 1102');
  return n;
}

const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

type Route = (body: Body, query: URLSearchParams) => unknown;

function routes(control: SimulatorControl): Record<string, Route> {
  return {
    'POST scan': (b) => control.scan(defined({ uuid: optString(b, 'uuid'), uin: optString(b, 'uin') })),
    'POST confirm': (b) => control.confirm(defined({ uuid: optString(b, 'uuid'), redirectOrigin: optString(b, 'redirectOrigin') })),
    'POST message': (b) =>
      control.message(
        defined({ uin: optString(b, 'uin'), from: reqString(b, 'from'), text: reqString(b, 'text'), group: optString(b, 'group'), type: optInt(b, 'type') }),
      ),
    'POST messages': (b) => {
      const list = b['messages'];
      if (!Array.isArray(list)) throw new SimError('badRequest', '"messages" must be an array of {from, text, group?, type?}');
      const messages = list.map((item: unknown, i) => {
        if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new SimError('badRequest', `messages[${i}] must be an object`);
        const m = item as Body;
        try {
          return defined({ from: reqString(m, 'from'), text: reqString(m, 'text'), group: optString(m, 'group'), type: optInt(m, 'type') });
        } catch (err) {
          throw err instanceof SimError ? new SimError(err.code, `messages[${i}]: ${err.message}`) : err;
        }
      });
      const injected = control.messages(defined({ uin: optString(b, 'uin'), messages }));
      return { uin: injected[0]?.uin ?? null, count: injected.length, msgIds: injected.map((m) => m.msgId) };
    },
    'POST logout': (b) => control.logout(defined({ uin: optString(b, 'uin'), retcode: retcodeOf(b) })),
    'GET sent': (_b, query) => control.sent(query.get('uin') ?? undefined),
    'GET requests': (_b, query) => {
      const endpoint = query.get('endpoint');
      if (endpoint !== null && !SIM_ENDPOINTS.includes(endpoint as SimEndpoint)) throw new SimError('badRequest', 'unknown endpoint');
      const since = query.get('since');
      if (since !== null && !/^\d+$/.test(since)) throw new SimError('badRequest', '"since" must be a request seq (a whole number)');
      return control.requests(defined({ endpoint: (endpoint ?? undefined) as SimEndpoint | undefined, since: since === null ? undefined : Number(since) }));
    },
    'DELETE requests': () => (control.clearRequests(), { ok: true }),
    'POST accounts': (b) => control.createAccount(defined({ webForbidden: optBool(b, 'webForbidden'), nickName: optString(b, 'nickName') })),
    'GET accounts': () => control.accounts(),
    'GET sessions': () => control.sessions(),
    'GET uuids': () => control.pendingUuids(),
    'GET uuid': (_b, query) => {
      const info = control.uuid(query.get('uuid') ?? '');
      if (!info) throw new SimError('notFound', 'no such uuid');
      return info;
    },
    'POST expire': (b) => control.expireUuid(optString(b, 'uuid')),
    'POST faults': (b) => {
      const problem = checkFaultPlan(b, SIM_ENDPOINTS);
      if (problem) throw new SimError('badRequest', problem);
      control.setFaults(b as unknown as FaultPlan);
      return { ok: true };
    },
    'DELETE faults': () => (control.setFaults(null), { ok: true }),
    'GET faults': () => ({ fired: control.faultsFired() }),
    'POST contact': (b) =>
      control.changeContact(
        defined({ uin: optString(b, 'uin'), userName: optString(b, 'userName'), nickName: optString(b, 'nickName'), remarkName: optString(b, 'remarkName') }),
      ),
    'POST phone': (b) => control.phoneActivity(optString(b, 'uin')),
    'POST redirect': (b) => {
      const origin = b['origin'] ?? null;
      if (origin !== null && (typeof origin !== 'string' || !/^https?:\/\/[^/]+$/.test(origin))) {
        throw new SimError('badRequest', '"origin" must be an origin such as https://example.com, or null');
      }
      control.setRedirectOrigin(origin);
      return { origin };
    },
    'POST auto': (b) => control.setAuto(defined({ auto: optBool(b, 'auto'), autoDelay: optInt(b, 'autoDelay') })),
    'GET contacts': (_b, query) => control.contacts(query.get('uin') ?? undefined).map((c) => ({ UserName: c.UserName, NickName: c.NickName })),
    'GET members': (_b, query) => control.members(query.get('group') ?? '', query.get('uin') ?? undefined),
    'GET health': () => ({ ok: true }),
  };
}

const STATUS: Record<SimError['code'], number> = { notFound: 404, badRequest: 400, conflict: 409 };

/** Answers one `/__sim/<name>` request. */
export function handleControl(control: SimulatorControl, method: string, name: string, rawBody: string, query: URLSearchParams): Reply {
  const table = routes(control);
  const route = table[`${method} ${name}`];
  const answer = (status: number, value: unknown): Reply => ({ status, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify(value) });
  const fail = (err: SimError): Reply => answer(STATUS[err.code], { error: err.toJSON() });
  if (!route) {
    // A call that exists with another method: 405 and the methods it takes.
    const allowed = Object.keys(table).filter((k) => k.slice(k.indexOf(' ') + 1) === name).map((k) => k.slice(0, k.indexOf(' ')));
    if (allowed.length > 0) {
      const refused = answer(405, { error: { code: 'badRequest', message: `/__sim/${name} takes ${allowed.join(', ')}` } });
      return { ...refused, headers: { ...refused.headers, Allow: allowed.join(', ') } };
    }
    return fail(new SimError('notFound', `no control call ${method} /__sim/${name}`));
  }
  let body: Body = {};
  if (rawBody.trim() !== '') {
    try {
      const parsed = JSON.parse(rawBody) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail(new SimError('badRequest', 'the body must be a JSON object'));
      body = parsed as Body;
    } catch {
      return fail(new SimError('badRequest', 'the body is not JSON'));
    }
  }
  try {
    return answer(200, route(body, query));
  } catch (err) {
    if (err instanceof SimError) return fail(err);
    throw err;
  }
}
