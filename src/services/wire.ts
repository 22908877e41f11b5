/**
 * The request parts every endpoint shares (PROTOCOL.md "Common request parts"): URLs and their
 * query strings, BaseRequest, the DeviceID, the timestamps the web client sends.
 */
import type { SessionCredentials } from './types.js';

export const CGI_PATH = '/cgi-bin/mmwebwx-bin';
export const APP_ID = 'wx782c26e4c19acffb';
export const LANG = 'zh_CN';
/** The `redirect_uri` jslogin carries in desktop (UOS) mode. */
export const UOS_REDIRECT_URI = 'https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?mod=desktop';
/** The Referer the desktop client sends on newloginpage. */
export const UOS_REFERER = 'https://wx.qq.com/?&lang=zh_CN&target=t';
export const UOS_CLIENT_VERSION = '2.0.0';
/**
 * The fixed `extspam` header of the desktop client: an opaque blob the server expects verbatim on
 * newloginpage in UOS mode (the same value every desktop-mode client sends; it is not a secret).
 */
export const UOS_EXTSPAM =
  'Gp8ICJkIEpkICggwMDAwMDAwMRAGGoAI1GiJSIpeO1RZTq9QBKsRbPJdi84ropi16EYI10WB6g74sGmRwSNXjPQnYUKYotKkvLGpshucCaeWZMOylnc6o2AgDX9grhQQx7fm2DJRTyuNhUlwmEoWhjoG3F0ySAWUsEbH3bJMsEBwoB//0qmFJob74ffdaslqL+IrSy7LJ76/G5TkvNC+J0VQkpH1u3iJJs0uUYyLDzdBIQ6Ogd8LDQ3VKnJLm4g/uDLe+G7zzzkOPzCjXL+70naaQ9medzqmh+/SmaQ6uFWLDQLcRln++wBwoEibNpG4uOJvqXy+ql50DjlNchSuqLmeadFoo9/mDT0q3G7o/80P15ostktjb7h9bfNc+nZVSnUEJXbCjTeqS5UYuxn+HTS5nZsPVxJA2O5GdKCYK4x8lTTKShRstqPfbQpplfllx2fwXcSljuYi3YipPyS3GCAqf5A7aYYwJ7AvGqUiR2SsVQ9Nbp8MGHET1GxhifC692APj6SJxZD3i1drSYZPMMsS9rKAJTGz2FEupohtpf2tgXm6c16nDk/cw+C7K7me5j5PLHv55DFCS84b06AytZPdkFZLj7FHOkcFGJXitHkX5cgww7vuf6F3p0yM/W73SoXTx6GX4G6Hg2rYx3O/9VU2Uq8lvURB4qIbD9XQpzmyiFMaytMnqxcZJcoXCtfkTJ6pI7a92JpRUvdSitg967VUDUAQnCXCM/m0snRkR9LtoXAO1FUGpwlp1EfIdCZFPKNnXMeqev0j9W9ZrkEs9ZWcUEexSj5z+dKYQBhIICviYUQHVqBTZSNy22PlUIeDeIs11j7q4t8rD8LPvzAKWVqXE+5lS1JPZkjg4y5hfX1Dod3t96clFfwsvDP6xBSe1NBcoKbkyGxYK0UvPGtKQEE0Se2zAymYDv41klYE9s+rxp8e94/H8XhrL9oGm8KWb2RmYnAE7ry9gd6e8ZuBRIsISlJAE/e8y8xFmP031S6Lnaet6YXPsFpuFsdQs535IjcFd75hh6DNMBYhSfjv456cvhsb99+fRw/KVZLC3yzNSCbLSyo9d9BI45Plma6V8akURQA/qsaAzU0VyTIqZJkPDTzhuCl92vD2AD/QOhx6iwRSVPAxcRFZcWjgc2wCKh+uCYkTVbNQpB9B90YlNmI3fWTuUOUjwOzQRxJZj11NsimjOJ50qQwTTFj6qQvQ1a/I+MkTx5UO+yNHl718JWcR3AXGmv/aa9rD1eNP8ioTGlOZwPgmr2sor2iBpKTOrB83QgZXP+xRYkb4zVC+LoAXEoIa1+zArywlgREer7DLePukkU6wHTkuSaF+ge5Of1bXuU4i938WJHj0t3D8uQxkJvoFi/EYN/7u2P1zGRLV4dHVUsZMGCCtnO6BBigFMAA=';

/** One query parameter; values are percent-encoded as given (pass_ticket's text included). */
export type QueryParam = readonly [name: string, value: string | number];

/**
 * A query string in the given order. Every value goes through encodeURIComponent, so the
 * already-encoded pass_ticket text is encoded once more (`%2F` → `%252F`), as the official web
 * client does: the text is the value and is never decoded.
 */
export function query(params: readonly QueryParam[]): string {
  return params.map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`).join('&');
}

/** `<origin>/cgi-bin/mmwebwx-bin/<name>?<query>`. */
export function cgiUrl(origin: string, name: string, params: readonly QueryParam[]): string {
  const q = query(params);
  return `${origin}${CGI_PATH}/${name}${q === '' ? '' : `?${q}`}`;
}

/** The Referer the servers check: the origin followed by `/`. */
export const refererOf = (origin: string): string => `${new URL(origin).origin}/`;

export interface BaseRequest {
  readonly Uin: number;
  readonly Sid: string;
  readonly Skey: string;
  readonly DeviceID: string;
}

export function baseRequest(credentials: SessionCredentials): BaseRequest {
  return { Uin: Number(credentials.wxuin), Sid: credentials.wxsid, Skey: credentials.skey, DeviceID: credentials.deviceId };
}

/** A DeviceID: `e` followed by 15 digits, one per session. */
export function makeDeviceId(random: () => number): string {
  let digits = '';
  for (let i = 0; i < 15; i += 1) digits += String(Math.min(9, Math.max(0, Math.floor(random() * 10))));
  return `e${digits}`;
}

/** The web client's `~new Date`: the bitwise NOT of the ms timestamp (an int32). */
export const notMs = (ms: number): number => ~ms;
/** The login poll's `r`: `~(ms / 1579)`. */
export const loginPollR = (ms: number): number => ~(ms / 1579);
/** webwxsync's `rr`: the bitwise NOT of the current seconds. */
export const syncRr = (ms: number): number => ~Math.floor(ms / 1000);

/** Appends query parameters to a URL that may or may not already have a query. */
export function appendQuery(url: string, extra: string): string {
  const hashAt = url.indexOf('#');
  const head = hashAt === -1 ? url : url.slice(0, hashAt);
  const separator = head.includes('?') ? (head.endsWith('?') || head.endsWith('&') ? '' : '&') : '?';
  return `${head}${separator}${extra}`;
}
