/**
 * The simulator's public types: its options, the fault plan, and the plain-data answers of its
 * control API (the same shapes in-process and as JSON under `/__sim/`).
 */

import type { Endpoint } from '../codecs/errors.js';

/** Every WeChat endpoint the simulator answers, named as the codecs name them, plus the QR image. */
export type SimEndpoint = Endpoint | 'qrcode';

export const SIM_ENDPOINTS: readonly SimEndpoint[] = [
  'jslogin',
  'qrcode',
  'login',
  'webwxnewloginpage',
  'webwxpushloginurl',
  'webwxinit',
  'webwxstatusnotify',
  'webwxgetcontact',
  'webwxbatchgetcontact',
  'synccheck',
  'webwxsync',
  'webwxsendmsg',
  'webwxlogout',
];

/** The retcodes with which the server ends a session (PROTOCOL.md "synccheck retcode"). */
export type EndRetcode = 1100 | 1101 | 1102;

/**
 * One fault. Faults are chosen per request, deterministically: a rule counts the requests it
 * matches, skips the first `after`, fires at most `times`, and fires with `probability` drawn from
 * a generator seeded by the plan's seed and the rule's index (so the same traffic gives the same
 * faults on every run).
 *
 * Kinds:
 * - `delay`: wait `delayMs` before handling (combines with any other kind).
 * - `destroy`: destroy the socket; nothing is written. The request is not processed.
 * - `silence`: read the request and never answer (the connection stays open until the client gives
 *   up or the simulator closes): a server or proxy that hangs. The request is not processed.
 * - `status`: answer HTTP `status` (default 500) with an HTML error page. Not processed.
 * - `ret`: answer BaseResponse Ret `ret` (default -1) — or the endpoint's equivalent: login poll
 *   `window.code=500;`, synccheck `retcode`, newloginpage `<ret>`, pushloginurl `ret`. Not processed.
 * - `truncate`: process the request, then write half of the answer and destroy the socket.
 * - `invalidJson`: process the request, then send a well-framed but cut-off body.
 * - `logout`: end the session with `retcode` (default 1101) before handling, so the answer shows it.
 * - `emptyKey`: webwxsync only — a normal answer (messages included) whose SyncKey and SyncCheckKey
 *   are empty (Count 0), as the real servers sometimes send; a client that adopts it loses its place.
 * - `oversize`: process the request, then send the answer padded with spaces to `bytes` (default
 *   17 MiB, above a client's usual cap); still valid JSON or script, so only a size cap stops it.
 * - `errorPage`: answer HTTP `status` (default 502) with an error page that quotes the request
 *   back — its URL with the query and its Cookie header, secrets and all — as a misconfigured
 *   gateway does. Not processed. A client must not pass the page on to its logs.
 * - `selector`: synccheck only — answer at once with retcode 0 and `selector` (default 3, which
 *   the servers send with nothing behind it). Not processed.
 *
 * An answer that was not fully written never commits server state: a truncated webwxsync does not
 * advance the server's key, so a client that retries with its old key loses nothing.
 */
export type FaultKind =
  | 'delay'
  | 'destroy'
  | 'silence'
  | 'status'
  | 'ret'
  | 'truncate'
  | 'invalidJson'
  | 'logout'
  | 'emptyKey'
  | 'oversize'
  | 'errorPage'
  | 'selector';

export interface FaultRule {
  readonly endpoint: SimEndpoint | '*';
  readonly kind: FaultKind;
  /** Only requests of this account (wxuin as decimal text). */
  readonly uin?: string | undefined;
  /** Skip this many matching requests before the rule may fire (default 0). */
  readonly after?: number | undefined;
  /** Fire at most this many times (default: no limit). */
  readonly times?: number | undefined;
  /** Chance to fire on a matching request, 0..1 (default 1). */
  readonly probability?: number | undefined;
  readonly delayMs?: number | undefined;
  readonly status?: number | undefined;
  readonly ret?: number | undefined;
  readonly retcode?: EndRetcode | undefined;
  /** `oversize`: the answer's size in bytes. */
  readonly bytes?: number | undefined;
  /** `selector`: the synccheck selector, 0..99. */
  readonly selector?: number | undefined;
}

export interface FaultPlan {
  /** Seeds the per-rule generators (default: the simulator's seed). */
  readonly seed?: number | undefined;
  readonly rules: readonly FaultRule[];
}

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number | undefined;
  /** Default 127.0.0.1. */
  readonly host?: string | undefined;
  /** How long login polls and synccheck are held, ms (default 25000). */
  readonly hold?: number | undefined;
  /** Scan and confirm every new QR by itself (a fresh account per login). */
  readonly auto?: boolean | undefined;
  /** Pause before the automatic scan, and again (after the client saw the 201) before the confirm, ms (default 300). */
  readonly autoDelay?: number | undefined;
  /** Size of each account's contact list (default 120). */
  readonly contacts?: number | undefined;
  /** webwxgetcontact page size (default 500). */
  readonly pageSize?: number | undefined;
  /** Log entries per webwxsync answer before ContinueFlag is set (default 50). */
  readonly syncPageSize?: number | undefined;
  /** Everything generated (accounts, ids, contacts, faults) follows from it (default 1). */
  readonly seed?: number | undefined;
  /** How long a QR uuid stays valid, ms (default 5 minutes). */
  readonly uuidLifetimeMs?: number | undefined;
  readonly faults?: FaultPlan | undefined;
  /** Most recent requests kept for `/__sim/requests` (default 10000). */
  readonly requestLogLimit?: number | undefined;
}

/** A control call that could not be done, as plain data. */
export interface SimErrorData {
  readonly code: 'notFound' | 'badRequest' | 'conflict';
  readonly message: string;
}

export class SimError extends Error implements SimErrorData {
  constructor(
    readonly code: SimErrorData['code'],
    message: string,
  ) {
    super(message);
    this.name = 'SimError';
  }
  toJSON(): SimErrorData {
    return { code: this.code, message: this.message };
  }
}

export interface AccountInfo {
  readonly uin: string;
  readonly nickName: string;
  readonly webForbidden: boolean;
}

export type UuidStateName = 'pending' | 'scanned' | 'confirmed' | 'consumed' | 'expired';

export interface TipRecord {
  readonly tip: string | null;
  /** What the protocol wants at that moment: 1 until a 201 was delivered, then 0. */
  readonly expected: 0 | 1;
  readonly ok: boolean;
}

export interface UuidInfo {
  readonly uuid: string;
  readonly state: UuidStateName;
  /** `qr` from jslogin, `push` from webwxpushloginurl. */
  readonly origin: 'qr' | 'push';
  readonly uin: string | null;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** Every tip the login poll received for this uuid, in order. */
  readonly tips: readonly TipRecord[];
  /** jslogin asked for the desktop (UOS) redirect. */
  readonly desktop: boolean;
}

export interface SessionInfo {
  readonly uin: string;
  readonly userName: string;
  readonly nickName: string;
  readonly alive: boolean;
  /** The retcode every session call answers once the session has ended. */
  readonly endRetcode: EndRetcode | null;
  /** Log entries (messages, contact changes, phone activity) the session has received. */
  readonly head: number;
  /** The server's key: the position of the last fully written webwxsync answer. */
  readonly syncPos: number;
  readonly contacts: number;
  readonly createdAt: number;
}

export interface SentRecord {
  readonly uin: string;
  readonly msgId: string;
  readonly clientMsgId: string;
  readonly localId: string;
  readonly type: number;
  readonly from: string;
  readonly to: string;
  /** The Msg's Content as the client sent it. */
  readonly content: string;
  /** The same, under the name of the CLI's `send` command's field. */
  readonly text: string;
  readonly time: number;
}

export interface RequestRecord {
  readonly seq: number;
  readonly time: number;
  readonly method: string;
  readonly path: string;
  readonly endpoint: SimEndpoint | null;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON when the body was JSON, the text otherwise, null when empty. */
  readonly body: unknown;
}

export interface InjectMessageInput {
  readonly uin?: string | undefined;
  /** A contact's UserName or NickName; inside a group, a member's. */
  readonly from: string;
  readonly text: string;
  /** A group's UserName or NickName: the message arrives in that group from member `from`. */
  readonly group?: string | undefined;
  /** MsgType, default 1 (text). */
  readonly type?: number | undefined;
}

export interface InjectedMessage {
  readonly uin: string;
  readonly msgId: string;
  readonly from: string;
  readonly to: string;
}

export interface ContactChangeInput {
  readonly uin?: string | undefined;
  /** The contact to change; omitted, a new friend is added. */
  readonly userName?: string | undefined;
  readonly nickName?: string | undefined;
  readonly remarkName?: string | undefined;
}
