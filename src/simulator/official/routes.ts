/**
 * The platform endpoints the scene login uses, as the simulator answers them:
 * GET /cgi-bin/token, POST /cgi-bin/qrcode/create, GET /cgi-bin/showqrcode.
 * Errcodes follow the platform: 40013 bad appid, 40125 bad secret, 41001 no token, 40001 unknown
 * token, 42001 expired token, 40097 bad arguments, -1 system busy.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import QRCode from 'qrcode';
import {
  decodeQrCodeCreateRequest,
  encodeErrcodeAnswer,
  encodeQrCodeCreateAnswer,
  encodeTokenAnswer,
} from '../../codecs/scene.js';
import { readBody, sendText } from '../../scene/http-kit.js';
import { checkToken, createSceneQr, issueToken, takeFault, type FaultEndpoint, type OfficialWorld } from './world.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const answer = (res: ServerResponse, body: string, status = 200): void => sendText(res, status, body, JSON_TYPE);
const refuse = (res: ServerResponse, errcode: number, errmsg: string): void => answer(res, encodeErrcodeAnswer(errcode, errmsg));

/** Answers a queued fault for `endpoint`; true when one was answered. */
function faulted(world: OfficialWorld, endpoint: FaultEndpoint, res: ServerResponse): boolean {
  const fault = takeFault(world, endpoint);
  if (fault === null) return false;
  if (fault.status !== undefined) sendText(res, fault.status, 'simulated failure', 'text/plain; charset=utf-8');
  else refuse(res, fault.errcode ?? -1, 'system error');
  return true;
}

function token(world: OfficialWorld, url: URL, res: ServerResponse): void {
  world.tokenCalls += 1;
  if (faulted(world, 'token', res)) return;
  const q = url.searchParams;
  if (q.get('grant_type') !== 'client_credential') return refuse(res, 40002, 'invalid grant_type');
  if (q.get('appid') !== world.appId) return refuse(res, 40013, 'invalid appid');
  if (q.get('secret') !== world.appSecret) return refuse(res, 40125, 'invalid appsecret');
  const grant = issueToken(world);
  answer(res, encodeTokenAnswer({ accessToken: grant.accessToken, expiresIn: grant.expiresIn }));
}

async function qrcodeCreate(world: OfficialWorld, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  world.qrcodeCalls += 1;
  const body = await readBody(req);
  if (faulted(world, 'qrcodeCreate', res)) return;
  switch (checkToken(world, url.searchParams.get('access_token'))) {
    case 'missing':
      return refuse(res, 41001, 'access_token missing');
    case 'invalid':
      return refuse(res, 40001, 'invalid credential, access_token is invalid or not latest');
    case 'expired':
      return refuse(res, 42001, 'access_token expired');
    case 'ok':
      break;
  }
  if (!body.ok) return refuse(res, 40097, 'invalid args');
  let request;
  try {
    request = decodeQrCodeCreateRequest(body.text);
  } catch {
    return refuse(res, 40097, 'invalid args');
  }
  const qr = createSceneQr(world, request.sceneStr, request.expireSeconds);
  answer(res, encodeQrCodeCreateAnswer({ ticket: qr.ticket, url: qr.url, expireSeconds: Math.round((qr.expiresAt - world.now()) / 1000) }));
}

async function showQrCode(world: OfficialWorld, url: URL, res: ServerResponse): Promise<void> {
  const qr = world.qrcodes.get(url.searchParams.get('ticket') ?? '');
  if (qr === undefined || qr.expiresAt <= world.now()) return sendText(res, 404, 'no such ticket', 'text/plain; charset=utf-8');
  // The platform serves a JPEG; a PNG of the same content is what matters to a browser.
  const png = await QRCode.toBuffer(qr.url, { type: 'png', margin: 2, width: 258 });
  sendText(res, 200, png, 'image/png', { 'cache-control': 'no-store' });
}

/** Handles a platform request; false when the path is not one of the platform's. */
export async function handlePlatformRequest(world: OfficialWorld, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const route = `${req.method ?? 'GET'} ${url.pathname}`;
  switch (route) {
    case 'GET /cgi-bin/token':
      token(world, url, res);
      return true;
    case 'POST /cgi-bin/qrcode/create':
      await qrcodeCreate(world, url, req, res);
      return true;
    case 'GET /cgi-bin/showqrcode':
      await showQrCode(world, url, res);
      return true;
    default:
      return false;
  }
}
