/**
 * The sync loop's endpoints (PROTOCOL.md "Session"): synccheck, held on the push host, and
 * webwxsync on the main host. Both go over the keep-alive transport (keepalive.ts): a session
 * calls them forever, so their per-request cost is the engine's idle cost.
 */
import { decodeSync, decodeSyncCheck, formatSyncKey } from '../codecs/index.js';
import { decodeWith } from './errors.js';
import type { ServiceDeps } from './http.js';
import { requestTextKeepAlive } from './keepalive.js';
import type { Service } from './types.js';
import { baseRequest, cgiUrl, LANG, refererOf, syncRr } from './wire.js';

// No `await` in these two: a suspended async frame per parked session is memory (see keepalive.ts).
export const syncCheck: Service<'syncCheck', ServiceDeps> = async (deps, input, signal) => {
  const { hosts, credentials } = input;
  const now = deps.now();
  const url = cgiUrl(hosts.push, 'synccheck', [
    ['r', now],
    ['skey', credentials.skey],
    ['sid', credentials.wxsid],
    ['uin', credentials.wxuin],
    ['deviceid', credentials.deviceId],
    ['synckey', formatSyncKey(input.syncKey)],
    ['_', now],
  ]);
  return requestTextKeepAlive(
    deps,
    // The push host checks the Referer of the main host, like the web page that makes the call.
    { endpoint: 'synccheck', role: 'push', method: 'GET', url, referer: refererOf(hosts.main), timeoutMs: deps.longPollTimeoutMs },
    signal,
  ).then(
    // Every retcode is the server's verdict and goes to the machine as data: PROTOCOL.md says any
    // non-zero retcode ends the session (peers that retry unknown retcodes spin against a dead session).
    (body) => decodeWith('synccheck', decodeSyncCheck, body),
  );
};

export const webwxSync: Service<'webwxSync', ServiceDeps> = async (deps, input, signal) => {
  const { hosts, credentials } = input;
  const url = cgiUrl(hosts.main, 'webwxsync', [
    ['sid', credentials.wxsid],
    ['skey', credentials.skey],
    ['lang', LANG],
    ['pass_ticket', credentials.passTicket],
  ]);
  const value = { BaseRequest: baseRequest(credentials), SyncKey: input.syncKey, rr: syncRr(deps.now()) };
  return requestTextKeepAlive(
    deps,
    { endpoint: 'webwxsync', role: 'main', method: 'POST', url, referer: refererOf(hosts.main), body: { kind: 'json', value } },
    signal,
  ).then((body) => decodeWith('webwxsync', decodeSync, body));
};
