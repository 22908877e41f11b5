/**
 * The session endpoints on the main host (PROTOCOL.md "Session"): webwxinit, statusnotify,
 * getcontact, batchgetcontact, pushloginurl and logout.
 */
import {
  decodeBatchGetContact,
  decodeGetContact,
  decodeInit,
  decodePushLogin,
  decodeStatusNotify,
} from '../codecs/index.js';
import { abortedFailure, decodeWith, isServiceFailure } from './errors.js';
import { requestText, type ServiceDeps } from './http.js';
import type { Service } from './types.js';
import { baseRequest, cgiUrl, LANG, notMs, refererOf } from './wire.js';

/** The server answers at most this many contacts per batchgetcontact call. */
export const MAX_BATCH_CONTACTS = 50;

export const webwxInit: Service<'webwxInit', ServiceDeps> = async (deps, input, signal) => {
  const { hosts, credentials } = input;
  const url = cgiUrl(hosts.main, 'webwxinit', [
    ['r', notMs(deps.now())],
    ['lang', LANG],
    ['pass_ticket', credentials.passTicket],
  ]);
  const body = await requestText(
    deps,
    {
      endpoint: 'webwxinit',
      role: 'main',
      method: 'POST',
      url,
      referer: refererOf(hosts.main),
      body: { kind: 'json', value: { BaseRequest: baseRequest(credentials) } },
    },
    signal,
  );
  return decodeWith('webwxinit', decodeInit, body);
};

export const statusNotify: Service<'statusNotify', ServiceDeps> = async (deps, input, signal) => {
  const { hosts, credentials } = input;
  const url = cgiUrl(hosts.main, 'webwxstatusnotify', [
    ['lang', LANG],
    ['pass_ticket', credentials.passTicket],
  ]);
  const value = {
    BaseRequest: baseRequest(credentials),
    Code: 3,
    FromUserName: input.userName,
    ToUserName: input.userName,
    ClientMsgId: deps.now(),
  };
  const body = await requestText(
    deps,
    { endpoint: 'webwxstatusnotify', role: 'main', method: 'POST', url, referer: refererOf(hosts.main), body: { kind: 'json', value } },
    signal,
  );
  return decodeWith('webwxstatusnotify', decodeStatusNotify, body);
};

export const getContact: Service<'getContact', ServiceDeps> = async (deps, input, signal) => {
  const { hosts, credentials } = input;
  const url = cgiUrl(hosts.main, 'webwxgetcontact', [
    ['lang', LANG],
    ['pass_ticket', credentials.passTicket],
    ['r', deps.now()],
    ['seq', input.seq],
    ['skey', credentials.skey],
  ]);
  const body = await requestText(
    deps,
    { endpoint: 'webwxgetcontact', role: 'main', method: 'GET', url, referer: refererOf(hosts.main) },
    signal,
  );
  return decodeWith('webwxgetcontact', decodeGetContact, body);
};

export const batchGetContact: Service<'batchGetContact', ServiceDeps> = async (deps, input, signal) => {
  const { hosts, credentials, userNames } = input;
  if (userNames.length > MAX_BATCH_CONTACTS) {
    // A caller bug, not a server answer: the machine must split the list into chunks of 50.
    throw new RangeError(`batchGetContact: at most ${MAX_BATCH_CONTACTS} user names per call, got ${userNames.length}`);
  }
  const url = cgiUrl(hosts.main, 'webwxbatchgetcontact', [
    ['type', 'ex'],
    ['r', deps.now()],
    ['lang', LANG],
    ['pass_ticket', credentials.passTicket],
  ]);
  const value = {
    BaseRequest: baseRequest(credentials),
    Count: userNames.length,
    List: userNames.map((UserName) => ({ UserName, EncryChatRoomId: '' })),
  };
  const body = await requestText(
    deps,
    { endpoint: 'webwxbatchgetcontact', role: 'main', method: 'POST', url, referer: refererOf(hosts.main), body: { kind: 'json', value } },
    signal,
  );
  return decodeWith('webwxbatchgetcontact', decodeBatchGetContact, body);
};

export const pushLogin: Service<'pushLogin', ServiceDeps> = async (deps, input, signal) => {
  const origin = input.hosts.main;
  const body = await requestText(
    deps,
    {
      endpoint: 'webwxpushloginurl',
      role: 'main',
      method: 'GET',
      url: cgiUrl(origin, 'webwxpushloginurl', [['uin', input.wxuin]]),
      referer: refererOf(origin),
    },
    signal,
  );
  return decodeWith('webwxpushloginurl', decodePushLogin, body);
};

export const LOGOUT_TIMEOUT_MS = 5_000;

/**
 * Tells the server the session ends. Its answer is ignored and no failure reaches the caller
 * (the session is over either way), except an abort, which the caller asked for.
 */
export const logout: Service<'logout', ServiceDeps> = async (deps, input, signal) => {
  const { hosts, credentials } = input;
  try {
    await requestText(
      deps,
      {
        endpoint: 'webwxlogout',
        role: 'main',
        method: 'POST',
        url: cgiUrl(hosts.main, 'webwxlogout', [
          ['redirect', 1],
          ['type', 0],
          ['skey', credentials.skey],
        ]),
        referer: refererOf(hosts.main),
        body: { kind: 'form', value: { sid: credentials.wxsid, uin: credentials.wxuin } },
        // A logout redirects to the login page; any status is as good as a 200.
        alsoOk: [301, 302, 303, 307, 308],
        // The user is waiting to leave (Ctrl-C) and the answer changes nothing: not 20 s.
        timeoutMs: LOGOUT_TIMEOUT_MS,
      },
      signal,
    );
  } catch (err) {
    if (isServiceFailure(err) && err.code === 'aborted') throw err;
    if (signal.aborted) throw abortedFailure('webwxlogout');
  }
};
