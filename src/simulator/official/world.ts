/**
 * The state of the simulated official-account platform: the app's credentials, the access tokens
 * it issued, the temporary scene QR codes, who follows the account, where the site's callback is,
 * and queued faults. Plain data and small pure-ish functions; the HTTP side is in routes.ts.
 */
import { randomBytes } from 'node:crypto';
import { MAX_EXPIRE_SECONDS } from '../../codecs/scene.js';

export interface IssuedToken {
  readonly expiresAt: number;
}

export interface SceneQr {
  readonly ticket: string;
  readonly sceneStr: string;
  /** What the QR encodes. */
  readonly url: string;
  readonly expiresAt: number;
}

export type FaultEndpoint = 'token' | 'qrcodeCreate';

/** The next calls of an endpoint answer this instead of working. */
export interface Fault {
  readonly endpoint: FaultEndpoint;
  readonly errcode?: number;
  readonly status?: number;
  remaining: number;
}

export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  /** Query parameter names only: the values include the appsecret and the access token. */
  readonly params: readonly string[];
}

export interface OfficialWorld {
  readonly appId: string;
  readonly appSecret: string;
  /** The account's own id (`gh_…`): the ToUserName of every callback. */
  readonly accountId: string;
  readonly tokenTtlSeconds: number;
  readonly now: () => number;
  readonly tokens: Map<string, IssuedToken>;
  readonly qrcodes: Map<string, SceneQr>;
  readonly followers: Set<string>;
  callback: { readonly url: string; readonly token: string } | null;
  readonly faults: Fault[];
  readonly requests: LoggedRequest[];
  tokenCalls: number;
  qrcodeCalls: number;
}

export interface OfficialWorldOptions {
  readonly appId?: string;
  readonly appSecret?: string;
  readonly tokenTtlSeconds?: number;
  readonly callbackUrl?: string;
  readonly callbackToken?: string;
  readonly now?: () => number;
}

/** The platform keeps an old token working for five minutes after a new one is issued. */
export const TOKEN_OVERLAP_MS = 5 * 60_000;

export function createOfficialWorld(options: OfficialWorldOptions = {}): OfficialWorld {
  return {
    appId: options.appId ?? `wx${randomBytes(8).toString('hex')}`,
    appSecret: options.appSecret ?? randomBytes(16).toString('hex'),
    accountId: `gh_${randomBytes(6).toString('hex')}`,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 7200,
    now: options.now ?? Date.now,
    tokens: new Map(),
    qrcodes: new Map(),
    followers: new Set(),
    callback:
      options.callbackUrl !== undefined && options.callbackToken !== undefined
        ? { url: options.callbackUrl, token: options.callbackToken }
        : null,
    faults: [],
    requests: [],
    tokenCalls: 0,
    qrcodeCalls: 0,
  };
}

/** Issues a token; the earlier ones stop working after the overlap. */
export function issueToken(world: OfficialWorld): { accessToken: string; expiresIn: number } {
  const now = world.now();
  for (const [token, issued] of world.tokens) {
    if (issued.expiresAt > now + TOKEN_OVERLAP_MS) world.tokens.set(token, { expiresAt: now + TOKEN_OVERLAP_MS });
  }
  const accessToken = randomBytes(48).toString('base64url');
  world.tokens.set(accessToken, { expiresAt: now + world.tokenTtlSeconds * 1000 });
  return { accessToken, expiresIn: world.tokenTtlSeconds };
}

export type TokenCheck = 'ok' | 'missing' | 'invalid' | 'expired';

export function checkToken(world: OfficialWorld, token: string | null): TokenCheck {
  if (token === null || token === '') return 'missing';
  const issued = world.tokens.get(token);
  if (issued === undefined) return 'invalid';
  return issued.expiresAt > world.now() ? 'ok' : 'expired';
}

/** Makes every issued token expire now (the platform then answers 42001). */
export function expireTokens(world: OfficialWorld): void {
  const now = world.now();
  for (const token of world.tokens.keys()) world.tokens.set(token, { expiresAt: now });
}

/** Forgets every token (the platform then answers 40001, as after an appsecret reset). */
export function revokeTokens(world: OfficialWorld): void {
  world.tokens.clear();
}

export function createSceneQr(world: OfficialWorld, sceneStr: string, expireSeconds: number): SceneQr {
  const seconds = Math.min(expireSeconds, MAX_EXPIRE_SECONDS);
  // Real tickets are standard base64 (with + / =), which is why showqrcode wants them URL-encoded.
  const ticket = `gQ${randomBytes(45).toString('base64')}`;
  const qr: SceneQr = {
    ticket,
    sceneStr,
    url: `http://weixin.qq.com/q/${randomBytes(12).toString('base64url')}`,
    expiresAt: world.now() + seconds * 1000,
  };
  world.qrcodes.set(ticket, qr);
  return qr;
}

/** The newest QR of a scene (a site may ask twice for one scene). */
export function findQrByScene(world: OfficialWorld, sceneStr: string): SceneQr | null {
  let found: SceneQr | null = null;
  for (const qr of world.qrcodes.values()) if (qr.sceneStr === sceneStr) found = qr;
  return found;
}

/** The newest QR of all, for "scan whatever is on screen". */
export function newestQr(world: OfficialWorld): SceneQr | null {
  let found: SceneQr | null = null;
  for (const qr of world.qrcodes.values()) found = qr;
  return found;
}

/** Takes the next queued fault of an endpoint, if any. */
export function takeFault(world: OfficialWorld, endpoint: FaultEndpoint): Fault | null {
  const fault = world.faults.find((f) => f.endpoint === endpoint && f.remaining > 0);
  if (fault === undefined) return null;
  fault.remaining -= 1;
  if (fault.remaining === 0) world.faults.splice(world.faults.indexOf(fault), 1);
  return fault;
}

/** A new openid in the platform's style (28 characters starting with `o`). */
export function newOpenid(): string {
  return `o${randomBytes(21).toString('base64url')}`;
}
