/**
 * The contract between the endpoint services and the machine: what each service takes and
 * answers. Services are plain functions `(deps, input, signal) => Promise<Answer>`; the machine
 * invokes them as promise actors bound in `machines/webwx.actors.ts`.
 *
 * Everything here is plain data (no class instances) so that it can live in the machine's
 * context and in snapshots.
 */
import type { DecodeErrorData, Endpoint } from '../codecs/errors.js';
import type { Answer } from '../codecs/common.js';
import type { JsLoginAnswer, LoginPollAnswer, NewLoginPageAnswer, PushLoginAnswer } from '../codecs/login.js';
import type { BatchGetContactBody, GetContactBody, InitBody, StatusNotifyBody, SyncKey } from '../codecs/session.js';
import type { SyncBody, SyncCheckAnswer } from '../codecs/sync.js';
import type { SendMsgBody } from '../codecs/send.js';
import type { Hosts } from './hosts.js';

export type { Hosts };

/** What a logged-in session needs on every call. All of it is secret except deviceId. */
export interface SessionCredentials {
  readonly skey: string;
  readonly wxsid: string;
  /** Decimal text; BaseRequest sends it as a number. */
  readonly wxuin: string;
  /** Exactly the XML's text (still percent-encoded), never decoded. */
  readonly passTicket: string;
  /** `e` + 15 digits, one per session, stored with it. */
  readonly deviceId: string;
}

/** A failed call, as plain data. `badResponse` is the codecs' DecodeErrorData. */
export type ServiceErrorData =
  | { readonly code: 'network'; readonly endpoint: Endpoint; readonly message: string }
  | { readonly code: 'timeout'; readonly endpoint: Endpoint; readonly message: string }
  | { readonly code: 'httpStatus'; readonly endpoint: Endpoint; readonly status: number; readonly message: string }
  | { readonly code: 'tooLarge'; readonly endpoint: Endpoint; readonly message: string }
  | { readonly code: 'aborted'; readonly endpoint: Endpoint; readonly message: string }
  | DecodeErrorData;

export type ServiceErrorCode = ServiceErrorData['code'];

/** The services' inputs, one per endpoint. */
export interface GetUuidInput {
  readonly loginOrigin: string;
  readonly uos: boolean;
}
export interface PollLoginInput {
  readonly loginOrigin: string;
  readonly uuid: string;
  readonly tip: 0 | 1;
}
export interface NewLoginPageInput {
  /** The redirect_uri of the login poll; the service appends `&fun=new&version=v2`. */
  readonly redirectUri: string;
  readonly uos: boolean;
}
export interface SessionInput {
  readonly hosts: Hosts;
  readonly credentials: SessionCredentials;
}
export interface StatusNotifyInput extends SessionInput {
  readonly userName: string;
}
export interface GetContactInput extends SessionInput {
  readonly seq: number;
}
export interface BatchGetContactInput extends SessionInput {
  /** At most 50 per call. */
  readonly userNames: readonly string[];
}
export interface SyncInput extends SessionInput {
  /** The SyncKey for the webwxsync body, or (for synccheck) SyncCheckKey falling back to SyncKey. */
  readonly syncKey: SyncKey;
}
export interface SendTextInput extends SessionInput {
  readonly from: string;
  readonly to: string;
  readonly content: string;
  /** Also used as LocalID; the same on every retry of one send. */
  readonly clientMsgId: string;
}
export interface PushLoginInput {
  readonly hosts: Hosts;
  readonly wxuin: string;
}

/** The answers, one per endpoint (decoded by the codecs). */
export interface ServiceAnswers {
  getUuid: JsLoginAnswer;
  pollLogin: LoginPollAnswer;
  newLoginPage: NewLoginPageAnswer;
  webwxInit: Answer<InitBody>;
  statusNotify: Answer<StatusNotifyBody>;
  getContact: Answer<GetContactBody>;
  batchGetContact: Answer<BatchGetContactBody>;
  syncCheck: SyncCheckAnswer;
  webwxSync: Answer<SyncBody>;
  sendText: Answer<SendMsgBody>;
  pushLogin: PushLoginAnswer;
  logout: void;
}

export interface ServiceInputs {
  getUuid: GetUuidInput;
  pollLogin: PollLoginInput;
  newLoginPage: NewLoginPageInput;
  webwxInit: SessionInput;
  statusNotify: StatusNotifyInput;
  getContact: GetContactInput;
  batchGetContact: BatchGetContactInput;
  syncCheck: SyncInput;
  webwxSync: SyncInput;
  sendText: SendTextInput;
  pushLogin: PushLoginInput;
  logout: SessionInput;
}

export type ServiceName = keyof ServiceAnswers;

/**
 * One service: `deps` are the per-client HTTP clients and cookie jar (never shared between
 * clients), `signal` aborts the request when the invoking state is left.
 */
export type Service<N extends ServiceName, Deps> = (
  deps: Deps,
  input: ServiceInputs[N],
  signal: AbortSignal,
) => Promise<ServiceAnswers[N]>;
