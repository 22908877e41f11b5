/**
 * The login endpoints (PROTOCOL.md "Login"): jslogin for a uuid, the held login poll, and
 * webwxnewloginpage for the credentials.
 */
import { decodeJsLogin, decodeLoginPoll, decodeNewLoginPage } from '../codecs/index.js';
import { decodeWith } from './errors.js';
import { requestText, type ServiceDeps } from './http.js';
import type { Service } from './types.js';
import {
  APP_ID,
  appendQuery,
  cgiUrl,
  LANG,
  loginPollR,
  query,
  refererOf,
  UOS_CLIENT_VERSION,
  UOS_EXTSPAM,
  UOS_REDIRECT_URI,
  UOS_REFERER,
} from './wire.js';

export const getUuid: Service<'getUuid', ServiceDeps> = async (deps, input, signal) => {
  const origin = new URL(input.loginOrigin).origin;
  const params: [string, string | number][] = [
    ['appid', APP_ID],
    ['fun', 'new'],
    ['lang', LANG],
  ];
  if (input.uos || deps.uos) params.push(['redirect_uri', UOS_REDIRECT_URI]);
  params.push(['_', deps.now()]);
  const body = await requestText(
    deps,
    { endpoint: 'jslogin', role: 'login', method: 'GET', url: `${origin}/jslogin?${query(params)}`, referer: refererOf(origin) },
    signal,
  );
  return decodeWith('jslogin', decodeJsLogin, body);
};

export const pollLogin: Service<'pollLogin', ServiceDeps> = async (deps, input, signal) => {
  const origin = new URL(input.loginOrigin).origin;
  const now = deps.now();
  const url = cgiUrl(origin, 'login', [
    ['loginicon', 'true'],
    ['uuid', input.uuid],
    ['tip', input.tip],
    ['r', loginPollR(now)],
    ['_', now],
  ]);
  const body = await requestText(
    deps,
    { endpoint: 'login', role: 'login', method: 'GET', url, referer: refererOf(origin), timeoutMs: deps.longPollTimeoutMs },
    signal,
  );
  return decodeWith('login', decodeLoginPoll, body);
};

export const newLoginPage: Service<'newLoginPage', ServiceDeps> = async (deps, input, signal) => {
  const uos = input.uos || deps.uos;
  const url = appendQuery(input.redirectUri, 'fun=new&version=v2');
  const body = await requestText(
    deps,
    {
      endpoint: 'webwxnewloginpage',
      role: 'main',
      method: 'GET',
      url,
      referer: uos ? UOS_REFERER : refererOf(url),
      ...(uos ? { headers: { 'client-version': UOS_CLIENT_VERSION, extspam: UOS_EXTSPAM } } : {}),
      // The server may answer the XML with a 301 whose Location must not be followed.
      alsoOk: [301],
    },
    signal,
  );
  return decodeWith('webwxnewloginpage', decodeNewLoginPage, body);
};
