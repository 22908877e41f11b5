/**
 * A bare-hands WeChat client for the simulator's tests: plain fetch, a cookie map, and the
 * protocol steps written out, so every test can say exactly what went over the wire.
 */
import { decodeLoginPoll, decodeNewLoginPage, type Credentials } from '../../../src/codecs/login.js';
import type { Simulator } from '../../../src/simulator/index.js';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export const APPID = 'wx782c26e4c19acffb';

export class SimClient {
  readonly cookies = new Map<string, string>();
  constructor(readonly origin: string) {}

  private cookieHeader(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }

  async request(method: string, path: string, init: { body?: string; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<HttpAnswer> {
    const res = await fetch(path.startsWith('http') ? path : `${this.origin}${path}`, {
      method,
      redirect: 'manual',
      headers: { ...this.cookieHeader(), ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    });
    this.keep(res);
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  get(path: string, init: { headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<HttpAnswer> {
    return this.request('GET', path, init);
  }

  postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    return this.request('POST', path, {
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json; charset=UTF-8', ...headers },
    });
  }
}

export interface LoggedIn {
  readonly client: SimClient;
  readonly creds: Credentials;
  readonly uuid: string;
  readonly deviceId: string;
}

export const baseRequest = (l: LoggedIn): { Uin: number; Sid: string; Skey: string; DeviceID: string } => ({
  Uin: Number(l.creds.wxuin),
  Sid: l.creds.wxsid,
  Skey: l.creds.skey,
  DeviceID: l.deviceId,
});

/** The pass_ticket as the official client sends it: the XML's text, percent-encoded once more. */
export const pt = (l: LoggedIn): string => encodeURIComponent(l.creds.passTicket);

/** jslogin → the phone scans and confirms (control API) → login poll → newloginpage. */
export async function login(sim: Simulator, options: { uin?: string; headers?: Record<string, string> } = {}): Promise<LoggedIn> {
  const client = new SimClient(sim.origin);
  const js = await client.get(`/jslogin?appid=${APPID}&fun=new&lang=zh_CN&_=${Date.now()}`);
  const uuid = /uuid = "([^"]+)"/.exec(js.text)![1]!;
  sim.control.scan({ uuid, ...(options.uin !== undefined ? { uin: options.uin } : {}) });
  const first = decodeLoginPoll((await client.get(`/cgi-bin/mmwebwx-bin/login?loginicon=true&uuid=${uuid}&tip=1&_=1`)).text);
  if (first.code !== 201) throw new Error(`expected 201, got ${first.code}`);
  sim.control.confirm({ uuid });
  const second = decodeLoginPoll((await client.get(`/cgi-bin/mmwebwx-bin/login?loginicon=true&uuid=${uuid}&tip=0&_=2`)).text);
  if (second.code !== 200) throw new Error(`expected 200, got ${second.code}`);
  const page = await client.get(`${second.redirectUri}&fun=new&version=v2`, { headers: options.headers ?? {} });
  const answer = decodeNewLoginPage(page.text);
  if (answer.ret !== 0) throw new Error(`newloginpage ret ${answer.ret}`);
  return { client, creds: answer as Credentials, uuid, deviceId: 'e123456789012345' };
}

export const CGI = '/cgi-bin/mmwebwx-bin';

export function syncCheckPath(l: LoggedIn, synckey: string): string {
  const q = new URLSearchParams({
    r: String(Date.now()),
    skey: l.creds.skey,
    sid: l.creds.wxsid,
    uin: l.creds.wxuin,
    deviceid: l.deviceId,
    synckey,
    _: String(Date.now()),
  });
  return `${CGI}/synccheck?${q}`;
}

export function syncPath(l: LoggedIn): string {
  return `${CGI}/webwxsync?sid=${encodeURIComponent(l.creds.wxsid)}&skey=${encodeURIComponent(l.creds.skey)}&lang=zh_CN&pass_ticket=${pt(l)}`;
}
