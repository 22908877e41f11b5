/**
 * The simulator's control side, playing the user's phone and the platform's operators:
 * "the user scans" posts the signed callback XML to the site's configured URL, as a new
 * follower (`subscribe`, `qrscene_` prefix) or an existing one (`SCAN`).
 *
 * HTTP (JSON in, JSON out), under `/__sim/`:
 *   POST /__sim/scan     {sceneId?|ticket?, openid?, follow?: "subscribe"|"SCAN", replays?}
 *   POST /__sim/config   {callbackUrl, callbackToken}
 *   POST /__sim/fault    {endpoint: "token"|"qrcodeCreate", errcode?, status?, count?}
 *   POST /__sim/tokens   {action: "expire"|"revoke"}
 *   GET  /__sim/state    counters and QR codes (no secrets)
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import got from 'got';
import { encodeSceneScanXml, OPENID_PATTERN, SCENE_STR_PATTERN, type FollowKind } from '../../codecs/scene.js';
import { parseJsonObject, readBody, sendJson } from '../../scene/http-kit.js';
import { callbackSignature } from '../../scene/signature.js';
import {
  expireTokens,
  findQrByScene,
  newestQr,
  newOpenid,
  revokeTokens,
  type FaultEndpoint,
  type OfficialWorld,
  type SceneQr,
} from './world.js';

export interface ScanRequest {
  /** The scene_str in the QR; default: the newest QR. */
  readonly sceneId?: string;
  readonly ticket?: string;
  /** Who scans; default: a new user. */
  readonly openid?: string;
  /** Default: `SCAN` for a follower, `subscribe` (and following) for anyone else. */
  readonly follow?: FollowKind;
  /** Deliver the same event this many extra times, as the platform does when a site is slow. */
  readonly replays?: number;
}

export type ScanResult =
  | {
      readonly ok: true;
      readonly openid: string;
      readonly follow: FollowKind;
      readonly sceneId: string;
      /** What the site's callback answered, per delivery. */
      readonly deliveries: readonly { readonly status: number; readonly body: string }[];
    }
  | { readonly ok: false; readonly reason: 'noCallback' | 'noSuchQr' | 'qrExpired' | 'badRequest' | 'callbackUnreachable' };

const CALLBACK_TIMEOUT_MS = 5_000;
const MAX_REPLAYS = 5;

function pickQr(world: OfficialWorld, req: ScanRequest): SceneQr | null {
  if (req.ticket !== undefined) return world.qrcodes.get(req.ticket) ?? null;
  if (req.sceneId !== undefined) return findQrByScene(world, req.sceneId);
  return newestQr(world);
}

/** The user scans a QR: the platform tells the site, signed with the callback token. */
export async function simulateScan(world: OfficialWorld, req: ScanRequest): Promise<ScanResult> {
  const callback = world.callback;
  if (callback === null) return { ok: false, reason: 'noCallback' };
  if (req.openid !== undefined && !OPENID_PATTERN.test(req.openid)) return { ok: false, reason: 'badRequest' };
  const qr = pickQr(world, req);
  if (qr === null) return { ok: false, reason: 'noSuchQr' };
  // The phone shows "二维码已过期" and the platform sends nothing.
  if (qr.expiresAt <= world.now()) return { ok: false, reason: 'qrExpired' };
  const openid = req.openid ?? newOpenid();
  const follow: FollowKind = req.follow ?? (world.followers.has(openid) ? 'SCAN' : 'subscribe');
  world.followers.add(openid);
  const xml = encodeSceneScanXml({
    follow,
    sceneId: qr.sceneStr,
    openid,
    toUserName: world.accountId,
    createTime: Math.floor(world.now() / 1000),
    ticket: qr.ticket,
  });
  const timestamp = String(Math.floor(world.now() / 1000));
  const nonce = String(randomBytes(4).readUInt32BE(0));
  const query = new URLSearchParams({ signature: callbackSignature(callback.token, timestamp, nonce), timestamp, nonce, openid });
  const target = `${callback.url}${callback.url.includes('?') ? '&' : '?'}${query.toString()}`;
  const deliveries: { status: number; body: string }[] = [];
  const times = 1 + Math.min(MAX_REPLAYS, Math.max(0, Math.floor(req.replays ?? 0)));
  for (let i = 0; i < times; i++) {
    try {
      const response = await got.post(target, {
        body: xml,
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        retry: { limit: 0 },
        throwHttpErrors: false,
        followRedirect: false,
        timeout: { request: CALLBACK_TIMEOUT_MS },
      });
      deliveries.push({ status: response.statusCode, body: response.body.slice(0, 200) });
    } catch {
      return { ok: false, reason: 'callbackUnreachable' };
    }
  }
  return { ok: true, openid, follow, sceneId: qr.sceneStr, deliveries };
}

const optionalString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function scanRequestOf(body: Record<string, unknown>): ScanRequest | null {
  const follow = body['follow'];
  if (follow !== undefined && follow !== 'subscribe' && follow !== 'SCAN') return null;
  const sceneId = optionalString(body['sceneId']);
  if (sceneId !== undefined && !SCENE_STR_PATTERN.test(sceneId)) return null;
  const replays = body['replays'];
  return {
    ...(sceneId === undefined ? {} : { sceneId }),
    ...(optionalString(body['ticket']) === undefined ? {} : { ticket: optionalString(body['ticket'])! }),
    ...(optionalString(body['openid']) === undefined ? {} : { openid: optionalString(body['openid'])! }),
    ...(follow === undefined ? {} : { follow }),
    ...(typeof replays === 'number' ? { replays } : {}),
  };
}

function isFaultEndpoint(v: unknown): v is FaultEndpoint {
  return v === 'token' || v === 'qrcodeCreate';
}

/** Handles `/__sim/*`; false when the path is not a control path. */
export async function handleControlRequest(world: OfficialWorld, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (!url.pathname.startsWith('/__sim/')) return false;
  const route = `${req.method ?? 'GET'} ${url.pathname}`;
  if (route === 'GET /__sim/state') {
    sendJson(res, 200, {
      tokenCalls: world.tokenCalls,
      qrcodeCalls: world.qrcodeCalls,
      followers: world.followers.size,
      qrcodes: [...world.qrcodes.values()].map((qr) => ({ sceneId: qr.sceneStr, url: qr.url, expiresAt: qr.expiresAt })),
      callbackUrl: world.callback?.url ?? null,
    });
    return true;
  }
  const raw = await readBody(req);
  const body = raw.ok ? parseJsonObject(raw.text) : null;
  if (req.method !== 'POST' || body === null) {
    sendJson(res, 400, { error: 'badRequest' });
    return true;
  }
  switch (url.pathname) {
    case '/__sim/scan': {
      const scan = scanRequestOf(body);
      const result = scan === null ? ({ ok: false, reason: 'badRequest' } as const) : await simulateScan(world, scan);
      sendJson(res, result.ok ? 200 : result.reason === 'badRequest' ? 400 : 409, result);
      return true;
    }
    case '/__sim/config': {
      const callbackUrl = optionalString(body['callbackUrl']);
      const callbackToken = optionalString(body['callbackToken']);
      if (callbackUrl === undefined || callbackToken === undefined || !/^https?:\/\//.test(callbackUrl)) {
        sendJson(res, 400, { error: 'badRequest' });
        return true;
      }
      world.callback = { url: callbackUrl, token: callbackToken };
      sendJson(res, 200, { ok: true });
      return true;
    }
    case '/__sim/fault': {
      const endpoint = body['endpoint'];
      const count = typeof body['count'] === 'number' && body['count'] > 0 ? Math.floor(body['count']) : 1;
      if (!isFaultEndpoint(endpoint)) {
        sendJson(res, 400, { error: 'badRequest' });
        return true;
      }
      const errcode = typeof body['errcode'] === 'number' ? body['errcode'] : undefined;
      const status = typeof body['status'] === 'number' ? body['status'] : undefined;
      world.faults.push({ endpoint, remaining: count, ...(errcode === undefined ? {} : { errcode }), ...(status === undefined ? {} : { status }) });
      sendJson(res, 200, { ok: true });
      return true;
    }
    case '/__sim/tokens': {
      const action = body['action'];
      if (action === 'expire') expireTokens(world);
      else if (action === 'revoke') revokeTokens(world);
      else {
        sendJson(res, 400, { error: 'badRequest' });
        return true;
      }
      sendJson(res, 200, { ok: true });
      return true;
    }
    default:
      sendJson(res, 404, { error: 'notFound' });
      return true;
  }
}
