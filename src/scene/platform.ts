/**
 * The official-account platform's two calls the scene login needs: GET /cgi-bin/token and
 * POST /cgi-bin/qrcode/create. Both answer values (`SceneResult`), never reject: transport
 * failures, HTTP statuses, bad bodies and errcode refusals all become `SceneErrorData`.
 *
 * The appsecret and the access token travel in query strings, so no URL, got message or body is
 * ever copied into an error: messages are built from fixed text.
 */
import got, { RequestError, type Got } from 'got';
import {
  decodeQrCodeCreateAnswer,
  decodeTokenAnswer,
  encodeQrCodeCreateRequest,
  isSceneDecodeError,
  showQrCodeUrl,
  type AccessTokenGrant,
  type PlatformAnswer,
  type QrCodeTicket,
  type SceneEndpoint,
} from '../codecs/scene.js';
import type { SceneErrorData, SceneResult } from '../machines/scene-login.types.js';

export const DEFAULT_API_BASE_URL = 'https://api.weixin.qq.com';
export const DEFAULT_SHOW_QR_BASE_URL = 'https://mp.weixin.qq.com';
export const DEFAULT_PLATFORM_TIMEOUT_MS = 10_000;

export interface PlatformConfig {
  readonly appId: string;
  /** Secret: sent to the token endpoint only, never logged, never in an error. */
  readonly appSecret: string;
  /** Where /cgi-bin/token and /cgi-bin/qrcode/create live (the simulator in tests and the demo). */
  readonly apiBaseUrl?: string;
  /** Where /cgi-bin/showqrcode lives. */
  readonly showQrBaseUrl?: string;
  readonly timeoutMs?: number;
}

export interface PlatformClient {
  fetchToken(signal: AbortSignal): Promise<SceneResult<{ readonly grant: AccessTokenGrant }>>;
  createQrCode(
    input: { readonly accessToken: string; readonly sceneId: string; readonly expireSeconds: number },
    signal: AbortSignal,
  ): Promise<SceneResult<{ readonly qr: QrCodeTicket; readonly imageUrl: string }>>;
}

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

/** got's error codes are identifiers (ECONNREFUSED, ERR_…); anything else is not echoed. */
const SAFE_CODE = /^[A-Z][A-Z0-9_]{0,39}$/;

export function platformFailure(err: unknown, endpoint: SceneEndpoint): SceneErrorData {
  if (isSceneDecodeError(err)) return err.toJSON();
  const name = err instanceof Error ? err.name : '';
  if (name === 'AbortError' || name === 'CancelError') return { code: 'aborted', endpoint, message: `${endpoint}: request aborted` };
  if (name === 'TimeoutError') return { code: 'timeout', endpoint, message: `${endpoint}: no answer in time` };
  const code = err instanceof RequestError && typeof err.code === 'string' && SAFE_CODE.test(err.code) ? ` (${err.code})` : '';
  return { code: 'network', endpoint, message: `${endpoint}: network failure${code}` };
}

function refusal(endpoint: SceneEndpoint, answer: PlatformAnswer<unknown> & { ok: false }): SceneErrorData {
  // errmsg is the platform's text; it can quote a request id ("rid: …") but never the secret or token.
  const errmsg = answer.errmsg.slice(0, 200).replace(/[^\x20-\x7e\u4e00-\u9fff]/g, '');
  return { code: 'platform', endpoint, errcode: answer.errcode, message: `${endpoint}: errcode ${answer.errcode} ${errmsg}`.trim() };
}

const utf8 = new TextDecoder('utf-8');

export function createPlatformClient(config: PlatformConfig): PlatformClient {
  const apiBase = trimSlash(config.apiBaseUrl ?? DEFAULT_API_BASE_URL);
  const showBase = trimSlash(config.showQrBaseUrl ?? DEFAULT_SHOW_QR_BASE_URL);
  const http: Got = got.extend({
    // The machine owns retries (the token refresh is its one retry).
    retry: { limit: 0 },
    followRedirect: false,
    throwHttpErrors: false,
    responseType: 'buffer',
    timeout: { request: config.timeoutMs ?? DEFAULT_PLATFORM_TIMEOUT_MS },
  });

  async function call(
    endpoint: SceneEndpoint,
    url: string,
    options: { method: 'GET' | 'POST'; body?: string },
    signal: AbortSignal,
  ): Promise<{ ok: true; body: string } | { ok: false; error: SceneErrorData }> {
    if (signal.aborted) return { ok: false, error: { code: 'aborted', endpoint, message: `${endpoint}: request aborted` } };
    try {
      const response = await http(url, {
        method: options.method,
        responseType: 'buffer',
        signal,
        ...(options.body === undefined ? {} : { body: options.body, headers: { 'content-type': 'application/json; charset=UTF-8' } }),
      });
      const status = response.statusCode;
      if (status < 200 || status > 299) {
        return { ok: false, error: { code: 'httpStatus', endpoint, status, message: `${endpoint}: HTTP status ${status}` } };
      }
      return { ok: true, body: utf8.decode(response.body) };
    } catch (err) {
      return { ok: false, error: platformFailure(err, endpoint) };
    }
  }

  return {
    async fetchToken(signal) {
      const query = new URLSearchParams({ grant_type: 'client_credential', appid: config.appId, secret: config.appSecret });
      const answered = await call('token', `${apiBase}/cgi-bin/token?${query.toString()}`, { method: 'GET' }, signal);
      if (!answered.ok) return answered;
      try {
        const answer = decodeTokenAnswer(answered.body);
        return answer.ok ? { ok: true, grant: answer.value } : { ok: false, error: refusal('token', answer) };
      } catch (err) {
        return { ok: false, error: platformFailure(err, 'token') };
      }
    },

    async createQrCode(input, signal) {
      const url = `${apiBase}/cgi-bin/qrcode/create?access_token=${encodeURIComponent(input.accessToken)}`;
      const body = encodeQrCodeCreateRequest({ expireSeconds: input.expireSeconds, sceneStr: input.sceneId });
      const answered = await call('qrcodeCreate', url, { method: 'POST', body }, signal);
      if (!answered.ok) return answered;
      try {
        const answer = decodeQrCodeCreateAnswer(answered.body);
        if (!answer.ok) return { ok: false, error: refusal('qrcodeCreate', answer) };
        return { ok: true, qr: answer.value, imageUrl: showQrCodeUrl(showBase, answer.value.ticket) };
      } catch (err) {
        return { ok: false, error: platformFailure(err, 'qrcodeCreate') };
      }
    },
  };
}
