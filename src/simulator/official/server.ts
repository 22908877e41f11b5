/**
 * The official-account platform simulator as a real HTTP server on loopback: the platform's
 * endpoints (routes.ts) and the phone/operator controls (control.ts) on one origin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen, sendJson } from '../../scene/http-kit.js';
import { handleControlRequest, simulateScan, type ScanRequest, type ScanResult } from './control.js';
import { handlePlatformRequest } from './routes.js';
import { createOfficialWorld, type OfficialWorld, type OfficialWorldOptions } from './world.js';

export interface OfficialSimulatorOptions extends OfficialWorldOptions {
  readonly port?: number;
  readonly host?: string;
}

export interface OfficialSimulator {
  /** Use as `apiBaseUrl` and `showQrBaseUrl`. */
  readonly origin: string;
  readonly world: OfficialWorld;
  /** The same as `POST /__sim/scan`, in process. */
  scan(req?: ScanRequest): Promise<ScanResult>;
  /** Points the platform at the site's callback (as configuring it in the admin console). */
  configureCallback(url: string, token: string): void;
  close(): Promise<void>;
}

export async function startOfficialSimulator(options: OfficialSimulatorOptions = {}): Promise<OfficialSimulator> {
  const world = createOfficialWorld(options);
  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    // Only names are logged: the values carry the appsecret and the access token.
    world.requests.push({ method: req.method ?? 'GET', path: url.pathname, params: [...url.searchParams.keys()] });
    if (await handleControlRequest(world, req, res, url)) return;
    if (await handlePlatformRequest(world, req, res, url)) return;
    sendJson(res, 404, { errcode: 404, errmsg: 'not found' });
  };
  const listening = await listen(handler, { ...(options.port === undefined ? {} : { port: options.port }), ...(options.host === undefined ? {} : { host: options.host }) });
  return {
    origin: listening.origin,
    world,
    scan: (req = {}) => simulateScan(world, req),
    configureCallback(url, token) {
      world.callback = { url, token };
    },
    close: () => listening.close(),
  };
}
