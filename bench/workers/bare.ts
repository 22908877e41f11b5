/**
 * The limit: the bare request chain of PROTOCOL.md over node:http with a keep-alive agent, the
 * same calls an engine makes (jslogin, login poll, newloginpage, webwxinit, statusnotify,
 * webwxgetcontact, then synccheck / webwxsync with ContinueFlag) and nothing else: bodies are
 * JSON.parse'd or matched with one regular expression, never validated, there is no machine, no
 * retry, no back-off. No engine can do the same work with less; it is what the others are held to.
 */
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import type { Driver, DriverSession } from './driver.js';

const APPID = 'wx782c26e4c19acffb';
const CGI = '/cgi-bin/mmwebwx-bin/';
const agent = new Agent({ keepAlive: true });

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

interface SyncKeyList {
  readonly Count: number;
  readonly List: readonly { readonly Key: number; readonly Val: number }[];
}

/** One HTTP exchange; the body is read whole as UTF-8. */
function call(method: 'GET' | 'POST', url: URL, cookies: Map<string, string>, body?: string, onSent?: () => void): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (body !== undefined) {
      headers['content-type'] = 'application/json; charset=UTF-8';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const req = request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        for (const line of res.headers['set-cookie'] ?? []) {
          const pair = /^([^=;\s]+)=([^;]*)/.exec(line);
          if (pair) cookies.set(pair[1]!, pair[2]!);
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
    onSent?.();
  });
}

function match(text: string, re: RegExp, what: string): string {
  const m = re.exec(text);
  if (!m) throw new Error(`bare: no ${what} in ${JSON.stringify(text.slice(0, 80))}`);
  return m[1]!;
}

const keyString = (key: SyncKeyList): string => key.List.map((k) => `${k.Key}_${k.Val}`).join('|');

interface Credentials {
  readonly main: string;
  readonly uin: string;
  readonly sid: string;
  skey: string;
  readonly passTicket: string;
  readonly deviceId: string;
}

class BareSession implements DriverSession {
  readonly cookies = new Map<string, string>();
  private creds: Credentials | null = null;
  private syncKey: SyncKeyList = { Count: 0, List: [] };
  private checkKey: SyncKeyList | null = null;
  private stopped = false;
  private ended = false;
  private firstCheckSent: ((at: bigint) => void) | null = null;

  constructor(
    private readonly origin: string,
    private readonly onMessage: (msgType: number) => void,
  ) {}

  get uin(): string {
    return this.creds?.uin ?? '';
  }

  alive(): boolean {
    return !this.ended;
  }

  stop(): void {
    this.stopped = true;
  }

  private url(path: string, query: Record<string, string>): URL {
    const url = new URL(path, this.creds?.main ?? this.origin);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url;
  }

  private baseRequest(): Record<string, unknown> {
    const c = this.creds!;
    return { Uin: Number(c.uin), Sid: c.sid, Skey: c.skey, DeviceID: c.deviceId };
  }

  /** Login up to the first synccheck; resolves with the moment that synccheck was sent. */
  async login(): Promise<bigint> {
    const js = await call('GET', this.url('/jslogin', { appid: APPID, fun: 'new', lang: 'zh_CN', _: String(Date.now()) }), this.cookies);
    const uuid = match(js.body, /uuid = "([^"]+)"/, 'uuid');
    let tip = '1';
    let redirect: string | null = null;
    while (redirect === null) {
      const now = Date.now();
      const poll = await call(
        'GET',
        this.url(`${CGI}login`, { loginicon: 'true', uuid, tip, r: String(~(now / 1579)), _: String(now) }),
        this.cookies,
      );
      const code = match(poll.body, /window\.code=(\d+)/, 'code');
      if (code === '201') tip = '0';
      else if (code === '200') redirect = match(poll.body, /redirect_uri="([^"]+)"/, 'redirect_uri');
      else if (code !== '408') throw new Error(`bare: login poll answered ${code}`);
    }
    const page = await call('GET', new URL(`${redirect}&fun=new&version=v2`), this.cookies);
    const main = new URL(redirect).origin;
    this.creds = {
      main,
      uin: match(page.body, /<wxuin>(\d+)<\/wxuin>/, 'wxuin'),
      sid: match(page.body, /<wxsid>([^<]+)<\/wxsid>/, 'wxsid'),
      skey: match(page.body, /<skey>([^<]+)<\/skey>/, 'skey'),
      passTicket: match(page.body, /<pass_ticket>([^<]+)<\/pass_ticket>/, 'pass_ticket'),
      deviceId: `e${String(Math.random()).slice(2, 17).padEnd(15, '0')}`,
    };
    const c = this.creds;
    const init = JSON.parse(
      (await call('POST', this.url(`${CGI}webwxinit`, { r: String(~Date.now()), lang: 'zh_CN', pass_ticket: c.passTicket }), this.cookies, JSON.stringify({ BaseRequest: this.baseRequest() })))
        .body,
    ) as { SyncKey: SyncKeyList; User: { UserName: string }; SKey?: string };
    this.syncKey = init.SyncKey;
    if (init.SKey) c.skey = init.SKey;
    const self = init.User.UserName;
    JSON.parse(
      (
        await call(
          'POST',
          this.url(`${CGI}webwxstatusnotify`, { lang: 'zh_CN', pass_ticket: c.passTicket }),
          this.cookies,
          JSON.stringify({ BaseRequest: this.baseRequest(), Code: 3, FromUserName: self, ToUserName: self, ClientMsgId: Date.now() }),
        )
      ).body,
    );
    let seq = 0;
    do {
      const page = JSON.parse(
        (await call('GET', this.url(`${CGI}webwxgetcontact`, { lang: 'zh_CN', pass_ticket: c.passTicket, r: String(Date.now()), seq: String(seq), skey: c.skey }), this.cookies))
          .body,
      ) as { Seq: number };
      seq = page.Seq;
    } while (seq !== 0);
    const sent = new Promise<bigint>((resolve) => {
      this.firstCheckSent = resolve;
    });
    void this.loop();
    return sent;
  }

  private async loop(): Promise<void> {
    const c = this.creds!;
    try {
      while (!this.stopped) {
        const now = Date.now();
        const query = {
          r: String(now),
          skey: c.skey,
          sid: c.sid,
          uin: c.uin,
          deviceid: c.deviceId,
          synckey: keyString(this.checkKey ?? this.syncKey),
          _: String(now),
        };
        const check = await call('GET', this.url(`${CGI}synccheck`, query), this.cookies, undefined, () => {
          this.firstCheckSent?.(process.hrtime.bigint());
          this.firstCheckSent = null;
        });
        const retcode = match(check.body, /retcode:"(\d+)"/, 'retcode');
        if (retcode !== '0') break;
        if (match(check.body, /selector:"(\d+)"/, 'selector') === '0') continue;
        let more = true;
        while (more && !this.stopped) more = await this.sync();
      }
    } catch {
      // The bare loop has no recovery: any fault ends the session.
    }
    this.ended = true;
  }

  /** One webwxsync; true when ContinueFlag asks for another at once. */
  private async sync(): Promise<boolean> {
    const c = this.creds!;
    const body = JSON.stringify({ BaseRequest: this.baseRequest(), SyncKey: this.syncKey, rr: ~Math.floor(Date.now() / 1000) });
    const answer = JSON.parse(
      (await call('POST', this.url(`${CGI}webwxsync`, { sid: c.sid, skey: c.skey, lang: 'zh_CN', pass_ticket: c.passTicket }), this.cookies, body)).body,
    ) as { AddMsgList: readonly { MsgType: number }[]; SyncKey: SyncKeyList; SyncCheckKey: SyncKeyList; ContinueFlag: number };
    if (answer.SyncKey.Count > 0) this.syncKey = answer.SyncKey;
    if (answer.SyncCheckKey.Count > 0) this.checkKey = answer.SyncCheckKey;
    for (const msg of answer.AddMsgList) this.onMessage(msg.MsgType);
    return answer.ContinueFlag !== 0;
  }
}

export const bareDriver: Driver = {
  preload: async () => undefined,
  async login(origin, onMessage) {
    const session = new BareSession(origin, onMessage);
    const syncingAt = await session.login();
    return { session, syncingAt, settled: Promise.resolve() };
  },
};
