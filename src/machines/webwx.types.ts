/**
 * The webwx machine's vocabulary: its input, context, events, emitted events and the outputs of
 * the actors it invokes. Everything is plain data (no class instances, no functions) so that
 * snapshots and the stored session serialise without surprises.
 */
import type { Answer } from '../codecs/common.js';
import type { Message } from '../codecs/content.js';
import type { JsLoginAnswer, LoginPollAnswer, NewLoginPageAnswer, PushLoginAnswer } from '../codecs/login.js';
import type { BatchGetContactBody, GetContactBody, InitBody, StatusNotifyBody, SyncKey } from '../codecs/session.js';
import type { SendMsgBody } from '../codecs/send.js';
import type { SyncBody, SyncCheckAnswer } from '../codecs/sync.js';
import type { Hosts, ServiceErrorCode, SessionCredentials } from '../services/types.js';
import type { SessionUser, StoredSession } from '../session/types.js';

export type { Hosts, SessionCredentials, SessionUser, SyncKey, Message };

/** The top-level states, as the CLI prints them (`loggingOut` is internal and never printed). */
export type WebwxStateName =
  | 'uuid'
  | 'awaitingScan'
  | 'scanned'
  | 'confirmed'
  | 'initialized'
  | 'syncing'
  | 'loggedOut'
  | 'restoring'
  | 'loggingOut';

export type LogoutReason = 'remote' | 'user' | 'qrExpired' | 'webLoginForbidden' | 'untrustedRedirect' | 'tooManyFailures';

/** Why the session ended; `retcode` where the server gave one, `message` where it said something. */
export interface LogoutInfo {
  readonly reason: LogoutReason;
  readonly retcode?: number;
  readonly message?: string;
}

/** Every pause the machine takes, in ms. Tests shrink them; a simulated clock drives them. */
export interface WebwxTiming {
  /** Minimum spacing of login polls (a poll that came back at once waits the rest of it). */
  readonly pollPauseMs: number;
  /** Minimum spacing of synccheck calls that found nothing (and of syncs that brought nothing). */
  readonly checkPauseMs: number;
  /** First back-off after a fault; doubles per consecutive fault up to backoffMaxMs. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** First pause before a send is retried (1205 or a network fault); doubles per attempt. */
  readonly sendRetryBaseMs: number;
  readonly sendRetryMaxMs: number;
}

export const DEFAULT_TIMING: WebwxTiming = {
  pollPauseMs: 1_000,
  checkPauseMs: 1_000,
  backoffBaseMs: 1_000,
  // With the failure budget of 8, a server or network that stays down ends the session after
  // 7 pauses of 1, 2, 4, 8, 10, 10, 10 s (each jittered to 50–100 %): 23–45 s, not minutes.
  backoffMaxMs: 10_000,
  sendRetryBaseMs: 2_000,
  sendRetryMaxMs: 30_000,
};

/** Bounds and knobs, fixed for the life of one machine. */
export interface WebwxSettings {
  readonly loginOrigin: string;
  readonly uos: boolean;
  /** New uuids after an expired QR (400) before giving up with `qrExpired`. */
  readonly maxQrRefreshes: number;
  /** Consecutive faults (of the login steps or the sync loop) before `tooManyFailures`. */
  readonly maxConsecutiveFailures: number;
  /** Attempts of one send (1205 and network faults) before `sendFailed`. */
  readonly maxSendAttempts: number;
  /** Attempts of one batchgetcontact batch before its groups are dropped from the queue. */
  readonly maxMemberAttempts: number;
  /** How many delivered MsgIds are remembered to drop repeats. */
  readonly dedupeWindow: number;
  readonly timing: WebwxTiming;
}

/** The part of a stored session the machine resumes from. */
export type RestoredSession = Pick<StoredSession, 'hosts' | 'credentials' | 'user' | 'syncKey' | 'syncCheckKey' | 'delivered'>;

export interface WebwxInput {
  /** `e` + 15 digits; a stored session's own DeviceID wins (one per session). */
  readonly deviceId: string;
  readonly loginOrigin?: string;
  readonly uos?: boolean;
  readonly maxQrRefreshes?: number;
  readonly maxConsecutiveFailures?: number;
  readonly maxSendAttempts?: number;
  readonly maxMemberAttempts?: number;
  readonly dedupeWindow?: number;
  readonly timing?: Partial<WebwxTiming>;
  /** Seeds the back-off jitter, so a run is reproducible from its input. */
  readonly seed?: number;
  /** A stored session: the machine starts at `restoring` instead of asking for a new scan. */
  readonly stored?: RestoredSession | null;
}

export interface MemberSummary {
  readonly UserName: string;
  readonly NickName: string;
  readonly DisplayName?: string;
}

/** What the machine keeps of a contact; groups carry their members once known. */
export interface ContactSummary {
  readonly UserName: string;
  readonly NickName: string;
  readonly RemarkName?: string;
  readonly isGroup: boolean;
  readonly members?: readonly MemberSummary[];
}

/** A text waiting to be sent; its clientMsgId is the same on every attempt. */
export interface OutboxItem {
  readonly to: string;
  readonly text: string;
  readonly clientMsgId: string;
}

/** A fault as the `error` event shows it: no secrets. */
export type FaultCode = ServiceErrorCode | 'refused' | 'internal';
export interface Fault {
  readonly code: FaultCode;
  readonly message: string;
}

/** The QR login's progress (see the `uuid`, `awaitingScan`, `scanned`, `confirmed` states). */
export interface LoginProgress {
  readonly uuid: string | null;
  /** New uuids taken after a 400 so far. */
  readonly qrRefreshes: number;
  /** Secret: carries the login ticket. */
  readonly redirectUri: string | null;
  /** The wxuin of a dead stored session, for webwxpushloginurl. */
  readonly pushUin: string | null;
}

/** Group member lists being loaded with batchgetcontact. */
export interface MemberLoading {
  /** Groups whose members are unknown, oldest first; batchgetcontact takes them 50 at a time. */
  readonly pending: readonly string[];
  /** The batch batchgetcontact is asked for right now. */
  readonly inFlight: readonly string[];
  readonly attempts: number;
}

export interface FaultTally {
  /** Consecutive faults; any success resets it. */
  readonly consecutive: number;
  readonly last: Fault | null;
}

export interface WebwxContext {
  readonly settings: WebwxSettings;
  readonly deviceId: string;
  readonly login: LoginProgress;
  readonly hosts: Hosts | null;
  /** Secret. Null until newloginpage (or a stored session) gives them. */
  readonly credentials: SessionCredentials | null;
  readonly user: SessionUser | null;
  readonly syncKey: SyncKey | null;
  readonly syncCheckKey: SyncKey | null;
  /** The Seq of the next webwxgetcontact page. */
  readonly contactSeq: number;
  readonly contacts: Readonly<Record<string, ContactSummary>>;
  readonly members: MemberLoading;
  /** The dedupe window: delivered MsgIds, oldest first. */
  readonly delivered: readonly string[];
  readonly outbox: readonly OutboxItem[];
  /** Attempts of the outbox's head so far. */
  readonly sendAttempts: number;
  readonly faults: FaultTally;
  /** The pause the next `resting` state takes. */
  readonly restMs: number;
  /** State of the jitter generator (uint32). */
  readonly seed: number;
  readonly logout: LogoutInfo | null;
}

export type WebwxEvent =
  | { readonly type: 'SEND'; readonly to: string; readonly text: string; readonly clientMsgId: string }
  | { readonly type: 'LOGOUT' };

/** `rejected`: a non-zero Ret (in `ret`); `rateLimited`: 1205 past the attempt budget; else the fault's code. */
export type SendFailReason = 'rejected' | 'rateLimited' | 'loggedOut' | ServiceErrorCode | 'internal';

export type WebwxEmitted =
  | { readonly type: 'qr'; readonly uuid: string; readonly qrUrl: string; readonly imageUrl: string }
  | { readonly type: 'scanned'; readonly avatar: string | null }
  /** newloginpage gave credentials (a session worth storing exists). */
  | { readonly type: 'sessionReady' }
  /** A stored session was found dead while restoring (the store should forget it). */
  | { readonly type: 'sessionExpired'; readonly retcode: number }
  | { readonly type: 'login'; readonly user: SessionUser }
  | { readonly type: 'contacts'; readonly count: number }
  /** The new messages of one webwxsync answer (deduped, in server order; never empty). */
  | { readonly type: 'messages'; readonly messages: readonly Message[] }
  /** The keys after an answer whose messages were all emitted: safe to persist. */
  | {
      readonly type: 'checkpoint';
      readonly syncKey: SyncKey;
      readonly syncCheckKey: SyncKey | null;
      readonly delivered: readonly string[];
    }
  | { readonly type: 'sent'; readonly to: string; readonly clientMsgId: string; readonly msgId: string }
  | {
      readonly type: 'sendFailed';
      readonly to: string;
      readonly clientMsgId: string;
      readonly reason: SendFailReason;
      readonly ret?: number;
    }
  | { readonly type: 'error'; readonly code: FaultCode; readonly message: string }
  | ({ readonly type: 'logout' } & LogoutInfo);

export type WebwxEmittedType = WebwxEmitted['type'];

/** A long poll's answer and how long it took, so the machine can space polls that came back at once. */
export interface Timed<T> {
  readonly answer: T;
  readonly elapsedMs: number;
}

/** What each invoked actor resolves with (the services' answers; long polls timed). */
export interface WebwxActorOutputs {
  getUuid: JsLoginAnswer;
  pollLogin: Timed<LoginPollAnswer>;
  newLoginPage: NewLoginPageAnswer;
  webwxInit: Answer<InitBody>;
  statusNotify: Answer<StatusNotifyBody>;
  getContact: Answer<GetContactBody>;
  batchGetContact: Answer<BatchGetContactBody>;
  syncCheck: Timed<SyncCheckAnswer>;
  webwxSync: Answer<SyncBody>;
  sendText: Answer<SendMsgBody>;
  pushLogin: PushLoginAnswer;
  logout: void;
}

export type WebwxActorName = keyof WebwxActorOutputs;
