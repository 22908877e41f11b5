/**
 * The WeChat endpoints (PROTOCOL.md), one handler each, answering as the real servers do. Bodies
 * are written with the codecs' encoders so the simulator and the engine cannot drift apart
 * silently; the checks stay the server's own (wrong credentials → 1101, a missing BaseRequest →
 * Ret 1, an unparsable JSON body → an empty answer, as seed 001 reports of the real servers).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { encodeJsLogin, encodeLoginPoll, encodeNewLoginPage, encodePushLogin } from '../codecs/login.js';
import { encodeSyncCheck } from '../codecs/sync.js';
import { asUuid } from '../codecs/common.js';
import { renderQrJpeg } from './qr.js';
import type { Parker } from './park.js';
import type { SimEndpoint } from './types.js';
import { CONTENT_TYPE, htmlReply, jsonReply, scriptReply, type JsonBody, type Reply } from './wire.js';
import { parseSyncKeyParam } from './synckeys.js';
import { World, type AuthRules, type Presented, type Session } from './world.js';

export const WEB_APPID = 'wx782c26e4c19acffb';
const CGI = '/cgi-bin/mmwebwx-bin/';

export interface RouteContext {
  readonly world: World;
  readonly parker: Parker;
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly cookies: ReadonlyMap<string, string>;
  readonly rawBody: string;
  readonly json: JsonBody;
  /** Long-poll hold, ms. */
  readonly hold: number;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
}

/** A handler answers, or gives null when the client left while it was parked. */
export type Handler = (ctx: RouteContext) => Promise<Reply | null>;

/** Which endpoint a path names (null: not a WeChat endpoint). */
export function endpointOf(pathname: string): SimEndpoint | null {
  if (pathname === '/jslogin') return 'jslogin';
  if (pathname.startsWith('/qrcode/')) return 'qrcode';
  if (!pathname.startsWith(CGI)) return null;
  const name = pathname.slice(CGI.length);
  switch (name) {
    case 'login':
    case 'webwxnewloginpage':
    case 'webwxpushloginurl':
    case 'webwxinit':
    case 'webwxstatusnotify':
    case 'webwxgetcontact':
    case 'webwxbatchgetcontact':
    case 'synccheck':
    case 'webwxsync':
    case 'webwxsendmsg':
    case 'webwxlogout':
      return name;
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const q = (ctx: RouteContext, name: string): string | null => ctx.url.searchParams.get(name);
const baseResponse = (ret: number): { BaseResponse: { Ret: number; ErrMsg: string } } => ({ BaseResponse: { Ret: ret, ErrMsg: '' } });

function jsonObject(json: JsonBody): Record<string, unknown> | null {
  return json.kind === 'ok' && typeof json.value === 'object' && json.value !== null && !Array.isArray(json.value)
    ? (json.value as Record<string, unknown>)
    : null;
}

function baseRequestOf(body: Record<string, unknown> | null): Presented['base'] {
  const base = body?.['BaseRequest'];
  return typeof base === 'object' && base !== null ? (base as { Uin: unknown; Sid: unknown; Skey: unknown }) : null;
}

function presented(ctx: RouteContext, body: Record<string, unknown> | null, overrides: Partial<Presented> = {}): Presented {
  return {
    base: baseRequestOf(body),
    querySid: q(ctx, 'sid'),
    queryUin: q(ctx, 'uin'),
    querySkey: q(ctx, 'skey'),
    passTicket: q(ctx, 'pass_ticket'),
    cookieUin: ctx.cookies.get('wxuin') ?? null,
    cookieSid: ctx.cookies.get('wxsid') ?? null,
    ...overrides,
  };
}

/** The empty answer the real servers give to a POST whose body they cannot read. */
const EMPTY_ANSWER: Reply = { status: 200, headers: { 'Content-Type': CONTENT_TYPE.json }, body: '' };

type JsonSession = { readonly ok: true; readonly session: Session; readonly body: Record<string, unknown> } | { readonly ok: false; readonly reply: Reply };

/** The common start of every JSON POST: a readable body with a BaseRequest, then the credentials. */
function jsonSession(ctx: RouteContext, rules: AuthRules, failure: (ret: number) => unknown = baseResponse): JsonSession {
  if (ctx.json.kind === 'bad') return { ok: false, reply: EMPTY_ANSWER };
  const body = jsonObject(ctx.json);
  if (body === null || baseRequestOf(body) === null) return { ok: false, reply: jsonReply(failure(1)) };
  const auth = ctx.world.authenticate(presented(ctx, body), rules);
  if (!auth.ok) return { ok: false, reply: jsonReply(failure(auth.ret)) };
  return { ok: true, session: auth.session, body };
}

// ---------------------------------------------------------------------------------------------
// Login host

const jslogin: Handler = async (ctx) => {
  if (q(ctx, 'appid') !== WEB_APPID) return scriptReply(encodeJsLogin({ code: 400 }));
  const desktop = (q(ctx, 'redirect_uri') ?? '').includes('mod=desktop');
  const info = ctx.world.issueUuid({ desktop });
  return scriptReply(encodeJsLogin({ code: 200, uuid: asUuid(info.uuid) }));
};

const qrcode: Handler = async (ctx) => {
  const uuid = decodeURIComponent(ctx.url.pathname.slice('/qrcode/'.length));
  if (ctx.world.uuid(uuid) === null) return htmlReply(404, '<html><body>not found</body></html>');
  return { status: 200, headers: { 'Content-Type': CONTENT_TYPE.jpeg, 'Cache-Control': 'no-cache' }, body: renderQrJpeg(uuid) };
};

const loginPoll: Handler = async (ctx) => {
  const uuid = q(ctx, 'uuid') ?? '';
  const tip = q(ctx, 'tip');
  const withAvatar = q(ctx, 'loginicon') === 'true';
  ctx.world.recordTip(uuid, tip);
  const started = Date.now();
  let wakeAt = started + ctx.hold;
  const evaluate = (): Reply | null => {
    const outcome = ctx.world.pollLogin(uuid, tip);
    if (outcome.kind === 'wait') {
      wakeAt = Math.min(started + ctx.hold, outcome.wakeAt);
      return null;
    }
    const answer = outcome.answer.code === 201 && !withAvatar ? { code: 201 as const, avatar: null } : outcome.answer;
    return { ...scriptReply(encodeLoginPoll(answer)), onWritten: outcome.onWritten };
  };
  const first = evaluate();
  if (first) return first;
  return ctx.parker.wait({
    key: World.uuidKey(uuid),
    evaluate,
    deadline: wakeAt,
    // At the deadline the QR may have expired (400); otherwise nothing happened within the hold (408).
    onTimeout: () => evaluate() ?? scriptReply(encodeLoginPoll({ code: 408 })),
    signal: ctx.signal,
  });
};

function cookieHeaders(session: Session, world: World, now: number): string[] {
  const expires = new Date(now + 12 * 3600_000).toUTCString();
  const longExpires = new Date(now + 10 * 365 * 86400_000).toUTCString();
  const cookie = (name: string, value: string, exp = expires): string => `${name}=${value}; Path=/; Expires=${exp}`;
  return [
    cookie('wxuin', session.account.uin),
    cookie('wxsid', session.sid),
    cookie('wxloadtime', String(Math.floor(now / 1000))),
    cookie('mm_lang', 'zh_CN'),
    cookie('webwx_data_ticket', session.dataTicket),
    cookie('webwxuvid', session.uvid, longExpires),
    cookie('webwx_auth_ticket', world.authTicketOf(session), longExpires),
  ];
}

/** The current servers answer newloginpage with status 301 and no Location (the XML is the body). */
const newLoginPage: Handler = async (ctx): Promise<Reply> => {
  const desktopHeaders = typeof ctx.headers['extspam'] === 'string' && typeof ctx.headers['client-version'] === 'string';
  const outcome = ctx.world.newLoginPage({ ticket: q(ctx, 'ticket'), uuid: q(ctx, 'uuid'), desktopHeaders });
  if (!outcome.ok) {
    return { status: 301, headers: { 'Content-Type': CONTENT_TYPE.xml }, body: encodeNewLoginPage({ ret: outcome.ret, message: outcome.message }) };
  }
  const s = outcome.session;
  const xml = encodeNewLoginPage({ ret: 0, message: '', skey: s.skey, wxsid: s.sid, wxuin: s.account.uin, passTicket: s.passTicket, isgrayscale: 1 });
  return { status: 301, headers: { 'Content-Type': CONTENT_TYPE.xml, 'Set-Cookie': cookieHeaders(s, ctx.world, Date.now()) }, body: xml };
};

const pushLoginUrl: Handler = async (ctx) => {
  const info = ctx.world.pushLogin({
    uin: q(ctx, 'uin'),
    cookieUin: ctx.cookies.get('wxuin') ?? null,
    authTicket: ctx.cookies.get('webwx_auth_ticket') ?? null,
  });
  const body = info ? encodePushLogin({ ok: true, uuid: asUuid(info.uuid) }) : encodePushLogin({ ok: false, ret: '1', msg: 'auth fail' });
  return { status: 200, headers: { 'Content-Type': CONTENT_TYPE.json }, body };
};

// ---------------------------------------------------------------------------------------------
// Main host

const init: Handler = async (ctx) => {
  const r = jsonSession(ctx, { base: true, passTicket: 'required', cookies: 'optional' });
  if (!r.ok) return r.reply;
  return jsonReply(ctx.world.init(r.session));
};

const statusNotify: Handler = async (ctx) => {
  const r = jsonSession(ctx, { base: true, passTicket: 'required', cookies: 'optional' });
  if (!r.ok) return r.reply;
  const { ret, msgId } = ctx.world.statusNotify(r.session, r.body);
  return jsonReply({ ...baseResponse(ret), MsgID: msgId });
};

/** GET with `seq` and `skey` (the official client), or an older client's POST; the cookies name the session. */
const getContact: Handler = async (ctx) => {
  if (ctx.json.kind === 'bad') return EMPTY_ANSWER;
  const body = jsonObject(ctx.json);
  const auth = ctx.world.authenticate(presented(ctx, body), { base: false, passTicket: 'optional', cookies: 'required', querySkey: 'optional' });
  if (!auth.ok) return jsonReply({ ...baseResponse(auth.ret), MemberCount: 0, MemberList: [], Seq: 0 });
  const seqText = q(ctx, 'seq') ?? '0';
  if (!/^\d{1,10}$/.test(seqText)) return jsonReply({ ...baseResponse(1), MemberCount: 0, MemberList: [], Seq: 0 });
  return jsonReply({ ...baseResponse(0), ...ctx.world.contactPage(auth.session, Number(seqText)) });
};

const batchGetContact: Handler = async (ctx) => {
  const r = jsonSession(ctx, { base: true, passTicket: 'required', cookies: 'optional' });
  if (!r.ok) return r.reply;
  const list = r.body['List'];
  if (!Array.isArray(list)) return jsonReply({ ...baseResponse(1), Count: 0, ContactList: [] });
  const { ret, contacts } = ctx.world.batchGetContact(r.session, list);
  return jsonReply({ ...baseResponse(ret), Count: contacts.length, ContactList: contacts });
};

const syncCheck: Handler = async (ctx) => {
  const auth = ctx.world.authenticate(presented(ctx, null), {
    base: false,
    passTicket: 'optional',
    cookies: 'required',
    querySid: 'required',
    queryUin: 'required',
    querySkey: 'required',
  });
  if (!auth.ok) return scriptReply(encodeSyncCheck({ retcode: auth.ret, selector: 0 }));
  const session = auth.session;
  const keyList = parseSyncKeyParam(q(ctx, 'synckey') ?? '');
  const evaluate = (): Reply | null => {
    const answer = ctx.world.syncCheck(session, keyList);
    return answer ? scriptReply(encodeSyncCheck(answer)) : null;
  };
  return ctx.parker.wait({
    key: World.sessionKey(session),
    evaluate,
    deadline: Date.now() + ctx.hold,
    onTimeout: () => scriptReply(encodeSyncCheck({ retcode: 0, selector: 0 })),
    signal: ctx.signal,
  });
};

/** A refused webwxsync still carries the zeroed fields, including the empty key clients must not adopt. */
const syncFailure = (ret: number): unknown => ({
  ...baseResponse(ret),
  AddMsgCount: 0,
  AddMsgList: [],
  ModContactCount: 0,
  ModContactList: [],
  DelContactCount: 0,
  DelContactList: [],
  ModChatRoomMemberCount: 0,
  ModChatRoomMemberList: [],
  ContinueFlag: 0,
  SyncKey: { Count: 0, List: [] },
  SKey: '',
  SyncCheckKey: { Count: 0, List: [] },
});

const sync: Handler = async (ctx) => {
  const r = jsonSession(
    ctx,
    { base: true, passTicket: 'optional', cookies: 'required', querySid: 'required', querySkey: 'required' },
    syncFailure,
  );
  if (!r.ok) return r.reply;
  const key = r.body['SyncKey'];
  const list = typeof key === 'object' && key !== null ? (key as { List?: unknown }).List : undefined;
  if (!Array.isArray(list) || !list.every((k) => typeof k === 'object' && k !== null)) return jsonReply(syncFailure(1));
  const answer = ctx.world.sync(r.session, list as { Key: unknown; Val: unknown }[]);
  return jsonReply(answer.body, answer.commit);
};

const sendMsg: Handler = async (ctx) => {
  const r = jsonSession(ctx, { base: true, passTicket: 'required', cookies: 'optional' });
  if (!r.ok) return r.reply;
  const { ret, record } = ctx.world.sendMsg(r.session, r.body['Msg']);
  return jsonReply({ ...baseResponse(ret), MsgID: record?.msgId ?? '', LocalID: record?.localId ?? '' });
};

/** webwxlogout: skey in the query, sid/uin in a form body or the cookies; answered the same either way. */
const logout: Handler = async (ctx): Promise<Reply> => {
  const form = new URLSearchParams(ctx.json.kind === 'ok' ? '' : ctx.rawBody);
  const body = jsonObject(ctx.json);
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
  const auth = ctx.world.authenticate(
    presented(ctx, null, {
      querySid: form.get('sid') ?? text(body?.['sid']),
      queryUin: form.get('uin') ?? text(body?.['uin']),
    }),
    { base: false, passTicket: 'optional', cookies: 'optional', querySkey: 'required' },
  );
  if (auth.ok) ctx.world.logout(auth.session);
  if (q(ctx, 'redirect') === '1') {
    return { status: 301, headers: { Location: `${ctx.world.origin}/?&lang=zh_CN`, 'Content-Type': CONTENT_TYPE.html }, body: '' };
  }
  return { status: 200, headers: { 'Content-Type': CONTENT_TYPE.json }, body: '' };
};

export const HANDLERS: Readonly<Record<SimEndpoint, Handler>> = {
  jslogin,
  qrcode,
  login: loginPoll,
  webwxnewloginpage: newLoginPage,
  webwxpushloginurl: pushLoginUrl,
  webwxinit: init,
  webwxstatusnotify: statusNotify,
  webwxgetcontact: getContact,
  webwxbatchgetcontact: batchGetContact,
  synccheck: syncCheck,
  webwxsync: sync,
  webwxsendmsg: sendMsg,
  webwxlogout: logout,
};

/** The answer of a `ret` fault, in each endpoint's own form. */
export function retReply(endpoint: SimEndpoint, ret: number): Reply {
  switch (endpoint) {
    case 'jslogin':
      return scriptReply(encodeJsLogin({ code: ret === -1 ? 500 : ret }));
    case 'login':
      // The login server's "server error, start over".
      return scriptReply(encodeLoginPoll({ code: 500 }));
    case 'synccheck':
      return scriptReply(encodeSyncCheck({ retcode: ret, selector: 0 }));
    case 'webwxnewloginpage':
      return { status: 301, headers: { 'Content-Type': CONTENT_TYPE.xml }, body: encodeNewLoginPage({ ret, message: '' }) };
    case 'webwxpushloginurl':
      return { status: 200, headers: { 'Content-Type': CONTENT_TYPE.json }, body: encodePushLogin({ ok: false, ret: String(ret), msg: '' }) };
    case 'qrcode':
      return htmlReply(500, '<html><body>error</body></html>');
    case 'webwxsync':
      return jsonReply(syncFailure(ret));
    default:
      return jsonReply(baseResponse(ret));
  }
}

/** Which account a request concerns (for per-account faults and scripted logouts). */
export function uinOfRequest(url: URL, cookies: ReadonlyMap<string, string>, json: JsonBody): string | null {
  const base = baseRequestOf(jsonObject(json));
  const fromBase = typeof base?.Uin === 'number' || typeof base?.Uin === 'string' ? String(base.Uin) : null;
  return fromBase ?? url.searchParams.get('uin') ?? cookies.get('wxuin') ?? null;
}
