/**
 * The sync loop's endpoints (PROTOCOL.md "Session"): synccheck, held on the push host, and
 * webwxsync on the main host. Both go over the keep-alive transport (keepalive.ts): a session
 * calls them forever, so their per-request cost is the engine's idle cost. A webwxsync answer
 * with `ContinueFlag` sends the next page's request at once (read-ahead.ts).
 */
import { decodeSync, decodeSyncCheck, formatSyncKey, nextSyncKey, sameKey, type Answer, type SyncBody } from '../codecs/index.js';
import { decodeWith } from './errors.js';
import type { ServiceDeps } from './http.js';
import { requestKeepAlive } from './keepalive.js';
import { adoptReadAhead, startReadAhead } from './read-ahead.js';
import type { Service, SyncInput } from './types.js';
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

function syncUrl(input: SyncInput): string {
  const { hosts, credentials } = input;
  return cgiUrl(hosts.main, 'webwxsync', [
    ['sid', credentials.wxsid],
    ['skey', credentials.skey],
    ['lang', LANG],
    ['pass_ticket', credentials.passTicket],
  ]);
}

/** Everything a webwxsync request asks for but its `rr` (a clock reading). */
const requestIdentity = (url: string, input: SyncInput): string =>
  `${url} ${input.credentials.wxuin} ${input.credentials.deviceId} ${formatSyncKey(input.syncKey)}`;

function sendSync(
  deps: ServiceDeps,
  input: SyncInput,
  url: string,
  signal: AbortSignal,
  onRead: (answer: Answer<SyncBody>) => void,
): Promise<Answer<SyncBody>> {
  const value = { BaseRequest: baseRequest(input.credentials), SyncKey: input.syncKey, rr: syncRr(deps.now()) };
  return requestKeepAlive(
    deps,
    { endpoint: 'webwxsync', role: 'main', method: 'POST', url, referer: refererOf(input.hosts.main), body: { kind: 'json', value } },
    signal,
    (body) => {
      const answer = readSync(body);
      onRead(answer);
      return answer;
    },
  );
}

/**
 * The call the machine makes next after `answer`, when it is certain: `ContinueFlag` set (call
 * again at once), a key that moves, and the same skey (a new one would change the request).
 */
function nextPageInput(input: SyncInput, answer: Answer<SyncBody>): SyncInput | null {
  if (!answer.ok || (answer.value.ContinueFlag ?? 0) === 0) return null;
  const skey = answer.value.SKey;
  if (skey !== undefined && skey !== '' && skey !== input.credentials.skey) return null;
  const syncKey = nextSyncKey(input.syncKey, answer.value.SyncKey);
  return sameKey(syncKey, input.syncKey) ? null : { ...input, syncKey };
}

/** Starts the read-ahead of the page after `answer` (see read-ahead.ts); never throws into the read. */
function readAheadAfter(deps: ServiceDeps, input: SyncInput, answer: Answer<SyncBody>): void {
  try {
    const next = nextPageInput(input, answer);
    if (next === null) return;
    const url = syncUrl(next);
    startReadAhead<Answer<SyncBody>>(
      deps,
      requestIdentity(url, next),
      (signal, onRead) => sendSync(deps, next, url, signal, onRead),
      (nextAnswer) => readAheadAfter(deps, next, nextAnswer),
    );
  } catch {
    // A read-ahead is only ever a head start: without it the machine's own call goes out as usual.
  }
}

export const webwxSync: Service<'webwxSync', ServiceDeps> = (deps, input, signal) => {
  const url = syncUrl(input);
  const ahead = adoptReadAhead<Answer<SyncBody>>(deps, requestIdentity(url, input), signal);
  if (ahead !== null) return ahead;
  return sendSync(deps, input, url, signal, (answer) => readAheadAfter(deps, input, answer));
};
