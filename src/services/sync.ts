/**
 * The sync loop's endpoints (PROTOCOL.md "Session"): synccheck, held on the push host, and
 * webwxsync on the main host.
 */
import { decodeSync, decodeSyncCheck, formatSyncKey } from '../codecs/index.js';
import { decodeWith } from './errors.js';
import { requestText, type ServiceDeps } from './http.js';
import type { Service } from './types.js';
import { baseRequest, cgiUrl, LANG, refererOf, syncRr } from './wire.js';

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
  const body = await requestText(
    deps,
    // The push host checks the Referer of the main host, like the web page that makes the call.
    { endpoint: 'synccheck', role: 'push', method: 'GET', url, referer: refererOf(hosts.main), timeoutMs: deps.longPollTimeoutMs },
    signal,
  );
  // Every retcode is the server's verdict and goes to the machine as data: PROTOCOL.md says any
  // non-zero retcode ends the session (peers that retry unknown retcodes spin against a dead session).
  return decodeWith('synccheck', decodeSyncCheck, body);
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
  const body = await requestText(
    deps,
    { endpoint: 'webwxsync', role: 'main', method: 'POST', url, referer: refererOf(hosts.main), body: { kind: 'json', value } },
    signal,
  );
  return decodeWith('webwxsync', decodeSync, body);
};
