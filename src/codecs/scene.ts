/**
 * What the official-account platform answers (seed 004): the access token, `qrcode/create`, the
 * `errcode` answers every API can give, and the event XML the platform POSTs to the site's
 * callback URL. Decoders validate; encoders write the same shapes (for the simulator and tests).
 *
 * These endpoints are not the Web protocol's, so they carry their own error type rather than
 * widening `Endpoint` in errors.ts; the shape of the error data is the same.
 */
import * as t from 'io-ts';
import { plainXmlParser } from './xml.js';
import { isLeft } from 'fp-ts/lib/Either.js';
import { excerptOf, pathOfErrors, reasonOfErrors } from './errors.js';
import { redactSecrets } from './redact.js';
import { SafeInt } from './common.js';

export type SceneEndpoint = 'token' | 'qrcodeCreate' | 'qrcodeCreateRequest' | 'callback';

export interface SceneDecodeErrorData {
  readonly code: 'badResponse';
  readonly endpoint: SceneEndpoint;
  /** Where the answer was wrong, e.g. `access_token` or `xml.EventKey`, or `(body)`. */
  readonly path: string;
  /** A short excerpt of the body with tokens, secrets and tickets masked. */
  readonly excerpt: string;
  readonly message: string;
}

const SCENE_SECRET_JSON = /"(access_token|secret|appsecret|ticket)"\s*:\s*"(?:[^"\\]|\\.){0,4096}"/gi;
const SCENE_SECRET_QUERY = /\b(access_token|secret|appsecret|ticket|signature|echostr|nonce)=[^&\s"';]*/gi;

/** Masks the platform's secrets (access token, appsecret, QR tickets) as well as the Web protocol's. */
export function redactSceneSecrets(text: string): string {
  return redactSecrets(text).replace(SCENE_SECRET_JSON, '"$1":"***"').replace(SCENE_SECRET_QUERY, '$1=***');
}

const REDACT_HEAD_CHARS = 16_384;

/** Thrown by the decoders below; it never carries the body, only a redacted excerpt. */
export class SceneDecodeError extends Error implements SceneDecodeErrorData {
  readonly code = 'badResponse' as const;
  readonly endpoint: SceneEndpoint;
  readonly path: string;
  readonly excerpt: string;

  constructor(endpoint: SceneEndpoint, path: string, reason: string, body = '') {
    super(`${endpoint}: bad response at ${path}: ${reason}`);
    this.name = 'SceneDecodeError';
    this.endpoint = endpoint;
    this.path = path;
    this.excerpt = excerptOf(redactSceneSecrets(body.slice(0, REDACT_HEAD_CHARS)));
  }

  toJSON(): SceneDecodeErrorData {
    return { code: this.code, endpoint: this.endpoint, path: this.path, excerpt: this.excerpt, message: this.message };
  }
}

export function isSceneDecodeError(value: unknown): value is SceneDecodeError {
  return value instanceof SceneDecodeError;
}

/** Platform answers are small; anything larger is broken or hostile. */
export const MAX_PLATFORM_BODY_CHARS = 64 * 1024;

function check<A, O>(endpoint: SceneEndpoint, codec: t.Type<A, O, unknown>, value: unknown, body: string): A {
  const result = codec.decode(value);
  if (isLeft(result)) throw new SceneDecodeError(endpoint, pathOfErrors(result.left), reasonOfErrors(result.left), body);
  return result.right;
}

function parsePlatformJson(endpoint: SceneEndpoint, body: string): unknown {
  if (body.length > MAX_PLATFORM_BODY_CHARS) throw new SceneDecodeError(endpoint, '(body)', 'too large');
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new SceneDecodeError(endpoint, '(body)', 'not JSON', body);
  }
}

// ---------------------------------------------------------------------------------------------
// errcode answers

/** What a platform API answered: its payload, or the platform's refusal (`errcode` ≠ 0). */
export type PlatformAnswer<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errcode: number; readonly errmsg: string };

/** The platform's codes for an access token it no longer accepts: refresh it once and retry. */
export const TOKEN_REJECTED_CODES: readonly number[] = [40001, 40014, 42001];

export function isTokenRejected(errcode: number): boolean {
  return TOKEN_REJECTED_CODES.includes(errcode);
}

const ErrcodeJson = t.partial({ errcode: SafeInt, errmsg: t.string });

/**
 * Decodes an answer that is either the payload or `{errcode, errmsg}`. Some APIs add
 * `errcode: 0` to a success, so only a non-zero errcode is a refusal.
 */
export function decodePlatformAnswer<A, O>(endpoint: SceneEndpoint, codec: t.Type<A, O, unknown>, body: string): PlatformAnswer<A> {
  const json = parsePlatformJson(endpoint, body);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new SceneDecodeError(endpoint, '(body)', 'expected an object', body);
  const err = check(endpoint, ErrcodeJson, json, body);
  if (err.errcode !== undefined && err.errcode !== 0) return { ok: false, errcode: err.errcode, errmsg: err.errmsg ?? '' };
  return { ok: true, value: check(endpoint, codec, json, body) };
}

export function encodeErrcodeAnswer(errcode: number, errmsg: string): string {
  return JSON.stringify({ errcode, errmsg });
}

// ---------------------------------------------------------------------------------------------
// GET /cgi-bin/token

const NonEmpty = (max: number, name: string): t.Type<string, string, unknown> =>
  t.refinement(t.string, (s) => s.length > 0 && s.length <= max && !/\s/.test(s), name);

const PositiveInt = t.refinement(SafeInt, (n) => n > 0, 'PositiveInt');

const TokenJson = t.type({ access_token: NonEmpty(1024, 'AccessToken'), expires_in: PositiveInt });

export interface AccessTokenGrant {
  readonly accessToken: string;
  /** Seconds the token stays valid, counted from when it was issued. */
  readonly expiresIn: number;
}

/** `{"access_token":"ACCESS_TOKEN","expires_in":7200}` or `{"errcode":40013,"errmsg":"invalid appid"}` */
export function decodeTokenAnswer(body: string): PlatformAnswer<AccessTokenGrant> {
  const answer = decodePlatformAnswer('token', TokenJson, body);
  return answer.ok ? { ok: true, value: { accessToken: answer.value.access_token, expiresIn: answer.value.expires_in } } : answer;
}

export function encodeTokenAnswer(grant: AccessTokenGrant): string {
  return JSON.stringify({ access_token: grant.accessToken, expires_in: grant.expiresIn });
}

// ---------------------------------------------------------------------------------------------
// POST /cgi-bin/qrcode/create

/** scene_str: the platform allows 1 to 64 characters; the callback sends it back verbatim. */
export const SCENE_STR_PATTERN = /^[0-9A-Za-z_-]{1,64}$/;
export const SceneStr = t.refinement(t.string, (s) => SCENE_STR_PATTERN.test(s), 'SceneStr');

/** Temporary QR codes live between 60 seconds and 30 days on the platform. */
export const MIN_EXPIRE_SECONDS = 60;
export const MAX_EXPIRE_SECONDS = 2_592_000;

export interface QrCodeCreateRequest {
  readonly expireSeconds: number;
  readonly sceneStr: string;
}

/** The request body: a temporary QR with a string scene (QR_STR_SCENE). */
export function encodeQrCodeCreateRequest(req: QrCodeCreateRequest): string {
  return JSON.stringify({
    expire_seconds: req.expireSeconds,
    action_name: 'QR_STR_SCENE',
    action_info: { scene: { scene_str: req.sceneStr } },
  });
}

const ExpireSeconds = t.refinement(SafeInt, (n) => n >= MIN_EXPIRE_SECONDS && n <= MAX_EXPIRE_SECONDS, 'ExpireSeconds');
const QrCreateRequestJson = t.type({
  expire_seconds: ExpireSeconds,
  action_name: t.literal('QR_STR_SCENE'),
  action_info: t.type({ scene: t.type({ scene_str: SceneStr }) }),
});

/** Reads the request body (the simulator's side); only QR_STR_SCENE temporary codes are accepted. */
export function decodeQrCodeCreateRequest(body: string): QrCodeCreateRequest {
  const json = check('qrcodeCreateRequest', QrCreateRequestJson, parsePlatformJson('qrcodeCreateRequest', body), body);
  return { expireSeconds: json.expire_seconds, sceneStr: json.action_info.scene.scene_str };
}

const QrCreateJson = t.intersection([
  t.type({ ticket: NonEmpty(1024, 'Ticket'), url: NonEmpty(2048, 'QrContent') }),
  t.partial({ expire_seconds: PositiveInt }),
]);

export interface QrCodeTicket {
  readonly ticket: string;
  /** What the QR image encodes (`http://weixin.qq.com/q/…`). */
  readonly url: string;
  /** Absent for permanent codes; the request's value then applies. */
  readonly expireSeconds: number | null;
}

/** `{"ticket":"gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xL2taZ2Z3TVRtNzJXV1Brb3ZhYmJJAAIEZ23sUwMEmm3sUw==","expire_seconds":60,"url":"http://weixin.qq.com/q/kZgfwMTm72WWPkovabbI"}` */
export function decodeQrCodeCreateAnswer(body: string): PlatformAnswer<QrCodeTicket> {
  const answer = decodePlatformAnswer('qrcodeCreate', QrCreateJson, body);
  if (!answer.ok) return answer;
  const { ticket, url, expire_seconds } = answer.value;
  return { ok: true, value: { ticket, url, expireSeconds: expire_seconds ?? null } };
}

export function encodeQrCodeCreateAnswer(answer: QrCodeTicket): string {
  return JSON.stringify(
    answer.expireSeconds === null
      ? { ticket: answer.ticket, url: answer.url }
      : { ticket: answer.ticket, expire_seconds: answer.expireSeconds, url: answer.url },
  );
}

/** The image of a ticket: `showqrcode?ticket=<urlencoded ticket>` on the mp host. */
export function showQrCodeUrl(showQrBaseUrl: string, ticket: string): string {
  return `${showQrBaseUrl.replace(/\/+$/, '')}/cgi-bin/showqrcode?ticket=${encodeURIComponent(ticket)}`;
}

// ---------------------------------------------------------------------------------------------
// The callback XML (plain-text mode)

/** A follower scanned a scene QR: `subscribe` when they followed just now, `SCAN` when they already did. */
export type FollowKind = 'subscribe' | 'SCAN';

/** What the platform says about one scan of a scene QR. */
export interface SceneScan {
  readonly follow: FollowKind;
  readonly sceneId: string;
  readonly openid: string;
  /** The official account's own id (`gh_…`). */
  readonly toUserName: string;
  /** Seconds since the epoch. */
  readonly createTime: number;
  readonly ticket: string | null;
}

export type CallbackEvent =
  | ({ readonly type: 'sceneScan' } & SceneScan)
  | {
      /** Anything else the platform sends (plain follows, unfollows, messages): answered, not acted on. */
      readonly type: 'other';
      readonly msgType: string;
      readonly event: string | null;
      readonly openid: string;
    };

export const OPENID_PATTERN = /^[0-9A-Za-z_-]{1,64}$/;
/** The prefix the platform puts before the scene in a `subscribe` event's EventKey. */
export const QRSCENE_PREFIX = 'qrscene_';
export const MAX_CALLBACK_XML_CHARS = 16 * 1024;

const callbackParser = plainXmlParser({ entities: true });

const XmlText = t.union([t.string, t.number]);
const CallbackXml = t.type({
  xml: t.intersection([
    t.type({ ToUserName: XmlText, FromUserName: XmlText, CreateTime: XmlText, MsgType: XmlText }),
    t.partial({ Event: XmlText, EventKey: XmlText, Ticket: XmlText }),
  ]),
});

function parseCallbackXml(body: string): unknown {
  if (body.length > MAX_CALLBACK_XML_CHARS) throw new SceneDecodeError('callback', '(body)', 'XML too large');
  // Entity declarations are how XML bombs and external-entity reads start; the platform never sends them.
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) throw new SceneDecodeError('callback', '(body)', 'DOCTYPE or ENTITY refused', body);
  try {
    return callbackParser.parse(body, true) as unknown;
  } catch {
    throw new SceneDecodeError('callback', '(body)', 'not XML', body);
  }
}

const textOf = (v: string | number | undefined): string | null => (v === undefined ? null : String(v));

/** Decodes the event XML; a scan of a scene QR becomes `sceneScan`, everything else `other`. */
export function decodeCallbackXml(body: string): CallbackEvent {
  const xml = check('callback', CallbackXml, parseCallbackXml(body), body).xml;
  const openid = String(xml.FromUserName);
  if (!OPENID_PATTERN.test(openid)) throw new SceneDecodeError('callback', 'xml.FromUserName', 'not an openid', body);
  const createTimeText = String(xml.CreateTime);
  if (!/^\d{1,12}$/.test(createTimeText)) throw new SceneDecodeError('callback', 'xml.CreateTime', 'expected seconds', body);
  const msgType = String(xml.MsgType);
  const event = textOf(xml.Event);
  const other: CallbackEvent = { type: 'other', msgType, event, openid };
  if (msgType !== 'event' || (event !== 'subscribe' && event !== 'SCAN')) return other;
  const key = textOf(xml.EventKey) ?? '';
  // A plain follow (not from a QR) is a subscribe with an empty EventKey.
  const sceneId = event === 'subscribe' ? (key.startsWith(QRSCENE_PREFIX) ? key.slice(QRSCENE_PREFIX.length) : null) : key;
  if (sceneId === null || sceneId === '') return other;
  if (!SCENE_STR_PATTERN.test(sceneId)) throw new SceneDecodeError('callback', 'xml.EventKey', 'not a scene string', body);
  const ticket = textOf(xml.Ticket);
  return {
    type: 'sceneScan',
    follow: event,
    sceneId,
    openid,
    toUserName: String(xml.ToUserName),
    createTime: Number(createTimeText),
    ticket: ticket === null || ticket === '' ? null : ticket,
  };
}

export interface CallbackXmlFields {
  readonly toUserName: string;
  readonly fromUserName: string;
  readonly createTime: number;
  readonly msgType: string;
  readonly event?: string;
  readonly eventKey?: string;
  readonly ticket?: string;
}

const cdata = (s: string): string => `<![CDATA[${s.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

/** Writes the event XML the way the platform does (CDATA text, CreateTime as a number). */
export function encodeCallbackXml(f: CallbackXmlFields): string {
  const parts = [
    `<ToUserName>${cdata(f.toUserName)}</ToUserName>`,
    `<FromUserName>${cdata(f.fromUserName)}</FromUserName>`,
    `<CreateTime>${Math.floor(f.createTime)}</CreateTime>`,
    `<MsgType>${cdata(f.msgType)}</MsgType>`,
  ];
  if (f.event !== undefined) parts.push(`<Event>${cdata(f.event)}</Event>`);
  if (f.eventKey !== undefined) parts.push(`<EventKey>${cdata(f.eventKey)}</EventKey>`);
  if (f.ticket !== undefined) parts.push(`<Ticket>${cdata(f.ticket)}</Ticket>`);
  return `<xml>${parts.join('')}</xml>`;
}

/** The event XML of a scene scan: `qrscene_<scene>` for a new follower, the bare scene for SCAN. */
export function encodeSceneScanXml(scan: SceneScan): string {
  return encodeCallbackXml({
    toUserName: scan.toUserName,
    fromUserName: scan.openid,
    createTime: scan.createTime,
    msgType: 'event',
    event: scan.follow,
    eventKey: scan.follow === 'subscribe' ? `${QRSCENE_PREFIX}${scan.sceneId}` : scan.sceneId,
    ...(scan.ticket === null ? {} : { ticket: scan.ticket }),
  });
}
