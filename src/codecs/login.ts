import * as t from 'io-ts';
import { plainXmlParser } from './xml.js';
import { decodeXML } from 'entities';
import { DecodeError, type Endpoint } from './errors.js';
import { MAX_SMALL_BODY_CHARS, parseJson, Uuid, validate } from './common.js';
import { parseWindowAssignments, ScriptSyntaxError, type ScriptValue } from './text.js';

// ---------------------------------------------------------------------------------------------
// Script answers (jslogin, login poll)

function parseScript(endpoint: Endpoint, body: string): Map<string, ScriptValue> {
  if (body.length > MAX_SMALL_BODY_CHARS) throw new DecodeError(endpoint, '(body)', 'too large');
  try {
    return parseWindowAssignments(body);
  } catch (err) {
    if (err instanceof ScriptSyntaxError) throw new DecodeError(endpoint, '(body)', err.message, body);
    throw err;
  }
}

function intField(endpoint: Endpoint, vars: Map<string, ScriptValue>, path: string, body: string): number {
  const value = vars.get(path);
  const n = typeof value === 'string' && /^-?\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new DecodeError(endpoint, path, 'expected an integer', body);
  return n;
}

function stringField(endpoint: Endpoint, vars: Map<string, ScriptValue>, path: string, body: string): string {
  const value = vars.get(path);
  if (typeof value !== 'string') throw new DecodeError(endpoint, path, 'expected a string', body);
  return value;
}

/**
 * A JS string literal the script grammar reads back exactly. The real server never needs escapes
 * (its values are base64, URLs and digits) but the simulator and the tests write arbitrary text.
 */
export function scriptString(value: string, quote: '"' | "'" = '"'): string {
  let out = quote;
  for (const ch of value) {
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\u2028' || ch === '\u2029') out += `\\u${ch.charCodeAt(0).toString(16)}`;
    else out += ch;
  }
  return out + quote;
}

export type JsLoginAnswer =
  | { readonly code: 200; readonly uuid: Uuid }
  | { readonly code: Exclude<number, 200>; readonly uuid?: undefined };

/** `window.QRLogin.code = 200; window.QRLogin.uuid = "gYmByqjV8Q==";` */
export function decodeJsLogin(body: string): JsLoginAnswer {
  const vars = parseScript('jslogin', body);
  const code = intField('jslogin', vars, 'QRLogin.code', body);
  if (code !== 200) return { code };
  const uuid = stringField('jslogin', vars, 'QRLogin.uuid', body);
  if (!Uuid.is(uuid)) throw new DecodeError('jslogin', 'QRLogin.uuid', 'not a uuid', body);
  return { code: 200, uuid };
}

export function encodeJsLogin(answer: JsLoginAnswer): string {
  return answer.code === 200
    ? `window.QRLogin.code = 200; window.QRLogin.uuid = ${scriptString(answer.uuid ?? '')};`
    : `window.QRLogin.code = ${answer.code};`;
}

export type LoginPollAnswer =
  | { readonly code: 408 }
  | { readonly code: 201; readonly avatar: string | null }
  | { readonly code: 200; readonly redirectUri: string }
  | { readonly code: 400 }
  | { readonly code: 500 };

export type LoginPollCode = LoginPollAnswer['code'];

/**
 * A URL never contains raw white space; answers wrapped by hand (seed 000) put some in. Any
 * absolute URL is a redirect: one with another scheme is refused by the host rule
 * (untrustedRedirect, nothing sent) rather than the poll being asked again as for garbage.
 */
function cleanRedirectUri(raw: string, body: string): string {
  const uri = raw.replace(/\s+/g, '');
  if (!URL.canParse(uri)) throw new DecodeError('login', 'redirect_uri', 'not a URL', body);
  return uri;
}

/** The login poll: `window.code=408;` · `201` + `userAvatar` · `200` + `redirect_uri` · `400` · `500`. */
export function decodeLoginPoll(body: string): LoginPollAnswer {
  const vars = parseScript('login', body);
  const code = intField('login', vars, 'code', body);
  switch (code) {
    case 408:
    case 400:
    case 500:
      return { code };
    case 201: {
      const avatar = vars.get('userAvatar');
      return { code, avatar: typeof avatar === 'string' && avatar.length > 0 ? avatar : null };
    }
    case 200:
      return { code, redirectUri: cleanRedirectUri(stringField('login', vars, 'redirect_uri', body), body) };
    default:
      throw new DecodeError('login', 'code', `unknown code ${code}`, body);
  }
}

export function encodeLoginPoll(answer: LoginPollAnswer): string {
  switch (answer.code) {
    case 201:
      return answer.avatar === null ? 'window.code=201;' : `window.code=201;window.userAvatar = ${scriptString(answer.avatar, "'")};`;
    case 200:
      return `window.code=200;\nwindow.redirect_uri=${scriptString(answer.redirectUri)};`;
    default:
      return `window.code=${answer.code};`;
  }
}

// ---------------------------------------------------------------------------------------------
// webwxnewloginpage (XML)

export interface Credentials {
  readonly skey: string;
  readonly wxsid: string;
  /** wxuin as the decimal text the server sent; BaseRequest wants it as a number. */
  readonly wxuin: string;
  /** Kept exactly as the XML's text, still percent-encoded: it is the value, never decoded. */
  readonly passTicket: string;
  readonly isgrayscale: number;
}

export type NewLoginPageAnswer =
  | ({ readonly ret: 0; readonly message: string } & Credentials)
  | { readonly ret: Exclude<number, 0>; readonly message: string };

const xmlParser = plainXmlParser({ entities: false });

const MAX_XML_CHARS = 64 * 1024;

/** Parses a small XML answer into plain data; DOCTYPE and entity declarations are refused outright. */
export function parseSafeXml(endpoint: Endpoint, body: string): unknown {
  if (body.length > MAX_XML_CHARS) throw new DecodeError(endpoint, '(body)', 'XML too large');
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) throw new DecodeError(endpoint, '(body)', 'DOCTYPE or ENTITY refused', body);
  try {
    return xmlParser.parse(body, true) as unknown;
  } catch {
    throw new DecodeError(endpoint, '(body)', 'not XML', body);
  }
}

const XmlText = t.union([t.string, t.number]);
const NewLoginXml = t.type({
  error: t.intersection([
    t.type({ ret: XmlText }),
    t.partial({ message: XmlText, skey: XmlText, wxsid: XmlText, wxuin: XmlText, pass_ticket: XmlText, isgrayscale: XmlText }),
  ]),
});

function requiredText(fields: Record<string, unknown>, name: string, body: string, pattern: RegExp): string {
  const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
  // A repeated element parses as an array; String() of it would pass as "a,b".
  const text = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  if (!pattern.test(text)) throw new DecodeError('webwxnewloginpage', `error.${name}`, 'missing or malformed', body);
  return text;
}

/** `<error><ret>0</ret><message></message><skey>…</skey><wxsid>…</wxsid><wxuin>…</wxuin><pass_ticket>…</pass_ticket><isgrayscale>1</isgrayscale></error>` */
export function decodeNewLoginPage(body: string): NewLoginPageAnswer {
  const xml = validate('webwxnewloginpage', NewLoginXml, parseSafeXml('webwxnewloginpage', body), body).error;
  const retText = String(xml.ret);
  if (!/^-?\d{1,10}$/.test(retText)) throw new DecodeError('webwxnewloginpage', 'error.ret', 'expected an integer', body);
  const ret = Number(retText);
  // Entities are not expanded by the parser (no DTD may define any); the five XML ones and
  // character references are decoded here, in the one human-readable field.
  const message = xml.message === undefined ? '' : decodeXML(String(xml.message));
  if (ret !== 0) return { ret, message };
  const fields = xml as Record<string, unknown>;
  const grayValue = fields['isgrayscale'];
  const grayscale = typeof grayValue === 'string' || typeof grayValue === 'number' ? String(grayValue) : '0';
  return {
    ret: 0,
    message,
    skey: requiredText(fields, 'skey', body, /^\S{1,512}$/),
    wxsid: requiredText(fields, 'wxsid', body, /^\S{1,512}$/),
    wxuin: requiredText(fields, 'wxuin', body, /^\d{1,15}$/),
    passTicket: requiredText(fields, 'pass_ticket', body, /^\S{1,1024}$/),
    isgrayscale: /^\d{1,3}$/.test(grayscale) ? Number(grayscale) : 0,
  };
}

const xmlEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function encodeNewLoginPage(answer: NewLoginPageAnswer): string {
  if (answer.ret !== 0) return `<error><ret>${answer.ret}</ret><message>${xmlEscape(answer.message)}</message></error>`;
  const a = answer as Credentials & { message: string };
  return (
    `<error><ret>0</ret><message>${xmlEscape(a.message)}</message><skey>${a.skey}</skey><wxsid>${a.wxsid}</wxsid>` +
    `<wxuin>${a.wxuin}</wxuin><pass_ticket>${a.passTicket}</pass_ticket><isgrayscale>${a.isgrayscale}</isgrayscale></error>`
  );
}

// ---------------------------------------------------------------------------------------------
// webwxpushloginurl

export type PushLoginAnswer =
  | { readonly ok: true; readonly uuid: Uuid }
  | { readonly ok: false; readonly ret: string; readonly msg: string };

const PushLoginJson = t.intersection([
  t.type({ ret: t.union([t.string, t.number]) }),
  t.partial({ msg: t.string, uuid: t.string }),
]);

const PushLoginUuid = t.type({ uuid: Uuid });

/** `{"ret":"0","msg":"all ok","uuid":"..."}`; any other ret means the phone will not be asked. */
export function decodePushLogin(body: string): PushLoginAnswer {
  const json = validate('webwxpushloginurl', PushLoginJson, parseJson('webwxpushloginurl', body), body);
  const ret = String(json.ret);
  if (ret !== '0') return { ok: false, ret, msg: json.msg ?? '' };
  return { ok: true, uuid: validate('webwxpushloginurl', PushLoginUuid, json, body).uuid };
}

export function encodePushLogin(answer: PushLoginAnswer): string {
  return answer.ok
    ? JSON.stringify({ ret: '0', msg: 'all ok', uuid: answer.uuid })
    : JSON.stringify({ ret: answer.ret, msg: answer.msg });
}
