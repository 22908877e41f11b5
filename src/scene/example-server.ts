/**
 * The example web app of the scene login, on plain node:http:
 *
 *   GET  /                          the login page (QR, 2 s poll, phone binding)
 *   GET  /login/scene               → {sceneId, qrUrl, expiresAt, qrSvgUrl}
 *   GET  /login/scene/:id           → {status, openid?, userId?, bindError?, error?}
 *   GET  /login/scene/:id/qr.svg    the QR drawn from what it encodes
 *   POST /login/scene/:id/bind      {phone}
 *   GET|POST /wechat/callback       the platform's verification and events
 *   POST /demo/scan                 (demo only) the simulator's "user scans"
 *
 * Several instances may run behind a load balancer on one Redis: nothing here keeps per-process
 * state about scenes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import QRCode from 'qrcode';
import { createCallbackHandler, type CallbackNote } from './callback.js';
import type { ReplayGuard } from './replay-guard.js';
import { listen, parseJsonObject, readBody, sendJson, sendText, type Listening } from './http-kit.js';
import { renderLoginPage } from './page.js';
import { isValidSceneId, type SceneLoginService, type SceneStatusView } from './scene-service.js';
import type { FollowKind } from '../codecs/scene.js';

/** The simulator's scan, when the example runs against it. */
export type DemoScan = (req: { sceneId: string; openid?: string; follow?: FollowKind }) => Promise<{ ok: boolean; openid?: string; reason?: string }>;

export interface SceneExampleOptions {
  readonly service: SceneLoginService;
  /** The callback token configured on the platform. Secret. */
  readonly callbackToken: string;
  readonly demoScan?: DemoScan;
  /** Which callback signatures were seen; several instances share one (`storeReplayGuard`). Default: this process's. */
  readonly replays?: ReplayGuard;
  /** See `CallbackHandlerOptions.maxSkewSeconds` (default 300). */
  readonly maxSkewSeconds?: number;
  /** One line per notable event (no secrets, no phone numbers). */
  readonly log?: (line: string) => void;
}

const SCENE_PATH = /^\/login\/scene\/([^/]+)(\/qr\.svg|\/bind)?$/;
const PAGE_HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'self'",
  'referrer-policy': 'no-referrer',
};

/** What the poll answers: the status and, once known, who scanned. */
export function pollBody(view: SceneStatusView): Record<string, unknown> {
  return {
    status: view.status,
    ...(view.openid === null ? {} : { openid: view.openid }),
    ...(view.userId === null ? {} : { userId: view.userId }),
    ...(view.bindError === null ? {} : { bindError: view.bindError }),
    ...(view.error === null ? {} : { error: view.error }),
    expiresAt: view.expiresAt,
  };
}

function describe(note: CallbackNote): string {
  switch (note.kind) {
    case 'scan':
      return `callback: ${note.follow} of scene ${note.sceneId} → ${note.outcome}`;
    case 'rejected':
      return `callback: rejected (${note.reason})`;
    case 'badBody':
      return `callback: bad body at ${note.path}`;
    case 'ignored':
      return `callback: ignored ${note.msgType}${note.event === null ? '' : `/${note.event}`}`;
    case 'failed':
      return `callback: failed (${note.code}), the platform will retry`;
    case 'verified':
      return 'callback: URL verified';
  }
}

export function createSceneExampleHandler(options: SceneExampleOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { service } = options;
  const log = options.log ?? (() => undefined);
  const callback = createCallbackHandler({
    token: options.callbackToken,
    service,
    onNote: (n) => log(describe(n)),
    ...(options.replays === undefined ? {} : { replays: options.replays }),
    ...(options.maxSkewSeconds === undefined ? {} : { maxSkewSeconds: options.maxSkewSeconds }),
  });
  const page = renderLoginPage({ demo: options.demoScan !== undefined });

  async function createScene(res: ServerResponse): Promise<void> {
    const created = await service.create();
    if (!created.ok) {
      log(`scene: creation failed (${created.error.code})`);
      return sendJson(res, 502, { error: { code: created.error.code, message: created.error.message } });
    }
    const { sceneId, qrUrl, expiresAt } = created.scene;
    log(`scene: ${sceneId} created`);
    sendJson(res, 200, { sceneId, qrUrl, expiresAt, qrSvgUrl: `/login/scene/${sceneId}/qr.svg` });
  }

  async function sceneRoute(req: IncomingMessage, res: ServerResponse, sceneId: string, tail: string | undefined): Promise<void> {
    if (!isValidSceneId(sceneId)) return sendJson(res, 404, { status: 'unknown' });
    if (tail === '/bind') {
      if (req.method !== 'POST') return sendJson(res, 405, { error: { code: 'method', message: 'POST only' } }, { allow: 'POST' });
      const raw = await readBody(req, 4096);
      const body = raw.ok ? parseJsonObject(raw.text) : null;
      const phone = body?.['phone'];
      if (typeof phone !== 'string') return sendJson(res, 400, { error: { code: 'badRequest', message: 'send {"phone": "…"}' } });
      const bound = await service.bind(sceneId, phone.trim());
      if (!bound.ok) return sendJson(res, 503, { error: { code: bound.error.code, message: bound.error.message } });
      if (bound.result.outcome === 'unknown') return sendJson(res, 404, { status: 'unknown' });
      const view = bound.result.view;
      if (view.status === 'loggedIn') log(`scene: ${sceneId} bound and logged in`);
      const status = view.status === 'loggedIn' ? 200 : view.bindError?.code === 'badPhone' ? 400 : 409;
      return sendJson(res, status, { ...pollBody(view), ...(view.bindError === null ? {} : { error: view.bindError }) });
    }
    if (req.method !== 'GET') return sendJson(res, 405, { error: { code: 'method', message: 'GET only' } }, { allow: 'GET' });
    const read = await service.status(sceneId);
    if (!read.ok) return sendJson(res, 503, { error: { code: read.error.code, message: read.error.message } });
    const view = read.view;
    if (view === null) return sendJson(res, 404, { status: 'unknown' });
    if (tail === '/qr.svg') {
      if (view.qrContent === null) return sendJson(res, 404, { status: 'unknown' });
      const svg = await QRCode.toString(view.qrContent, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
      return sendText(res, 200, svg, 'image/svg+xml; charset=utf-8', { 'cache-control': 'private, max-age=300' });
    }
    sendJson(res, 200, pollBody(view));
  }

  async function demoScanRoute(req: IncomingMessage, res: ServerResponse, demoScan: DemoScan): Promise<void> {
    const raw = await readBody(req, 4096);
    const body = raw.ok ? parseJsonObject(raw.text) : null;
    const sceneId = body?.['sceneId'];
    const openid = body?.['openid'];
    if (typeof sceneId !== 'string' || !isValidSceneId(sceneId) || (openid !== undefined && typeof openid !== 'string')) {
      return sendJson(res, 400, { ok: false, reason: 'badRequest' });
    }
    const result = await demoScan({ sceneId, ...(typeof openid === 'string' ? { openid } : {}) });
    sendJson(res, result.ok ? 200 : 409, result);
  }

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://example.invalid');
    const path = url.pathname;
    if (path === '/wechat/callback') {
      const raw = req.method === 'POST' ? await readBody(req) : { ok: true as const, text: '' };
      if (!raw.ok) return sendText(res, raw.status, 'bad request', 'text/plain; charset=utf-8');
      const answer = await callback({ method: req.method ?? 'GET', query: url.searchParams, body: raw.text });
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
      return;
    }
    if (path === '/' && req.method === 'GET') return sendText(res, 200, page, 'text/html; charset=utf-8', PAGE_HEADERS);
    if (path === '/login/scene' && req.method === 'GET') return createScene(res);
    const match = SCENE_PATH.exec(path);
    // Scene ids are [0-9A-Za-z_-]: anything percent-encoded is not one, so no decoding is needed.
    if (match) return sceneRoute(req, res, match[1] ?? '', match[2]);
    if (path === '/demo/scan' && req.method === 'POST' && options.demoScan) return demoScanRoute(req, res, options.demoScan);
    sendJson(res, 404, { error: { code: 'notFound', message: 'no such route' } });
  };
}

export type SceneExampleServer = Listening;

export async function startSceneExampleServer(
  options: SceneExampleOptions & { readonly port?: number; readonly host?: string },
): Promise<SceneExampleServer> {
  return listen(createSceneExampleHandler(options), {
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
  });
}
