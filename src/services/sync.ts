/**
 * The sync loop's endpoints (PROTOCOL.md "Session"): synccheck, held on the push host, and
 * webwxsync on the main host. Both go over the keep-alive transport (keepalive.ts): a session
 * calls them forever, so their per-request cost is the engine's idle cost.
 */
import { decodeSync, decodeSyncCheck, formatSyncKey } from '../codecs/index.js';
import { decodeWith } from './errors.js';
import type { ServiceDeps } from './http.js';
import { requestKeepAlive } from './keepalive.js';
import type { Service } from './types.js';
import { baseRequest, cgiUrl, LANG, refererOf, syncRr } from './wire.js';

const readSyncCheck = (body: string) => decodeWith('synccheck', decodeSyncCheck, body);
const readSync = (body: string) => decodeWith('webwxsync', decodeSync, body);

// Plain functions, not async, and the answer read inside the transport's promise: every promise,
// reaction or suspended frame in the chain is kept per parked session for the whole hold.
export const syncCheck: Service<'syncCheck', ServiceDeps> = (deps, input, signal) => {
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
  // Every retcode is the server's verdict and goes to the machine as data: PROTOCOL.md says any
  // non-zero retcode ends the session (peers that retry unknown retcodes spin against a dead session).
  return requestKeepAlive(
    deps,
    // The push host checks the Referer of the main host, like the web page that makes the call.
    { endpoint: 'synccheck', role: 'push', method: 'GET', url, referer: refererOf(hosts.main), timeoutMs: deps.longPollTimeoutMs },
    signal,
    readSyncCheck,
  );
};

export const webwxSync: Service<'webwxSync', ServiceDeps> = (deps, input, signal) => {
  const { hosts, credentials } = input;
  const url = cgiUrl(hosts.main, 'webwxsync', [
    ['sid', credentials.wxsid],
    ['skey', credentials.skey],
    ['lang', LANG],
    ['pass_ticket', credentials.passTicket],
  ]);
  const value = { BaseRequest: baseRequest(credentials), SyncKey: input.syncKey, rr: syncRr(deps.now()) };
  return requestKeepAlive(
    deps,
    { endpoint: 'webwxsync', role: 'main', method: 'POST', url, referer: refererOf(hosts.main), body: { kind: 'json', value } },
    signal,
    readSync,
  );
};
