/**
 * The sync loop's endpoints (PROTOCOL.md "Session"): synccheck, held on the push host, and
 * webwxsync on the main host.
 */
import { DecodeError, decodeSync, decodeSyncCheck, formatSyncKey, type SyncCheckAnswer } from '../codecs/index.js';
import { decodeWith, toServiceFailure } from './errors.js';
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
  return knownRetcode(decodeWith('synccheck', decodeSyncCheck, body), body);
};

/** 0 (go on) and the three retcodes with which the server ends a session (PROTOCOL.md). */
export const SYNCCHECK_RETCODES: readonly number[] = [0, 1100, 1101, 1102];

/**
 * Any other retcode (an overloaded server's -1, say) is an answer we cannot read, not a verdict on
 * the session: it fails as a typed badResponse at `synccheck.retcode`, which the machine retries
 * with back-off within its failure budget. Passed through, the machine would end the session as
 * `remote` with a retcode the contract does not define for it (found by the engine's integration
 * tests: one `ret` fault on synccheck logged the client out).
 */
function knownRetcode(answer: SyncCheckAnswer, body: string): SyncCheckAnswer {
  if (SYNCCHECK_RETCODES.includes(answer.retcode)) return answer;
  throw toServiceFailure(
    new DecodeError('synccheck', 'synccheck.retcode', `retcode ${answer.retcode} is none of ${SYNCCHECK_RETCODES.join(', ')}`, body),
    'synccheck',
  );
}

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
