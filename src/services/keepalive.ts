/**
 * The sync loop's transport: `node:http`/`node:https` over keep-alive agents, for synccheck and
 * webwxsync, which a session calls forever (one long poll parked per session, then a page per
 * answer).
 *
 * Why not got here, as for every other endpoint: the benchmarks (docs/benchmarks.md) measured got
 * at ~500 µs of CPU more per request than a keep-alive `node:http` request for the same bytes
 * (options merging, the cookie jar on every call, progress events, cancelable promises), and
 * ~33 KiB of heap per parked long poll against ~8 KiB. In the sync loop that cost is the
 * engine's whole idle CPU and half its per-session memory. The contract is the same as
 * `requestText`'s: the client's own cookies, the same headers, the caller's AbortSignal, a
 * deadline, the size cap, `body.ts` decoding, and only `ServiceFailure` thrown.
 */
import http from 'node:http';
import https from 'node:https';
import { decodeBody } from './body.js';
import { sharedString } from './shared-strings.js';
import {
  httpStatusFailure,
  networkFailure,
  timeoutFailure,
  tooLargeFailure,
  toServiceFailure,
  type ServiceFailure,
} from './errors.js';
import { browserHeaders, encodeBody, roleTimeout, statusCarriesAnswer, stoppedFailure, type HttpRequest, type ServiceDeps } from './http.js';

/**
 * Sockets carry no session state (cookies travel as headers), so every client of the process
 * shares the agents. Free sockets are unref'd by the agent: they never keep a process alive.
 */
const agents = {
  http: new http.Agent({ keepAlive: true }),
  https: new https.Agent({ keepAlive: true }),
};

const asText = (text: string): string => text;

/** One request over a kept-alive connection; answers the decoded body text. */
export function requestTextKeepAlive(deps: ServiceDeps, req: HttpRequest, signal: AbortSignal): Promise<string> {
  return requestKeepAlive(deps, req, signal, asText);
}

/**
 * One request over a kept-alive connection; answers `read(body text)`. Reading inside the
 * transport's own promise rather than in a `.then` saves a promise and a reaction per parked poll.
 * What `read` throws is a failure of the endpoint (`toServiceFailure`), as a decode error is.
 */
export function requestKeepAlive<T>(deps: ServiceDeps, req: HttpRequest, signal: AbortSignal, read: (text: string) => T): Promise<T> {
  if (signal.aborted) {
    return Promise.reject(stoppedFailure(req.endpoint, signal));
  }
  const url = new URL(req.url);
  const secure = url.protocol === 'https:';
  const { body, contentType } = encodeBody(req.body);
  // browserHeaders gives a new object per call: this request's own, filled in place.
  const headers = browserHeaders(deps.userAgent);
  headers['referer'] = req.referer;
  if (req.headers !== undefined) Object.assign(headers, req.headers);
  const cookie = deps.cookies.headerFor(url);
  if (cookie !== '') headers['cookie'] = cookie;
  if (contentType !== undefined) headers['content-type'] = contentType;
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  let request: http.ClientRequest;
  try {
    // Checked before the request exists, so that a refused header leaves no request behind.
    for (const name in headers) {
      http.validateHeaderName(name);
      http.validateHeaderValue(name, headers[name] as string);
    }
    request = (secure ? https : http).request({
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      method: req.method,
      agent: secure ? agents.https : agents.http,
    });
    // Set one by one rather than in the options: a new socket keeps its first request's options
    // for its whole life (the agent's listeners close over them), headers and Cookie included.
    for (const name in headers) request.setHeader(name, headers[name] as string);
  } catch (err) {
    // Node refuses some requests at once (a header with a control character): still a failure value.
    return Promise.reject(networkFailure(req.endpoint, err as NodeJS.ErrnoException));
  }
  const answer = awaitAnswer(request, signal, read, {
    endpoint: req.endpoint,
    limit: deps.maxResponseBytes,
    timeoutMs: req.timeoutMs ?? roleTimeout(deps, req.role),
    alsoOk: req.alsoOk ?? NONE,
    cookies: deps.cookies,
    // Where Set-Cookie answers came from: no query, which may hold secrets and is not needed.
    cookieUrl: sharedString(`${url.protocol}//${url.host}${url.pathname}`),
  });
  request.end(body);
  return answer;
}

const NONE: readonly number[] = [];

interface Expectation {
  readonly endpoint: HttpRequest['endpoint'];
  readonly limit: number;
  readonly timeoutMs: number;
  readonly alsoOk: readonly number[];
  readonly cookies: ServiceDeps['cookies'];
  readonly cookieUrl: string;
}

/**
 * The answer to a sent request. Apart from `requestKeepAlive` so that a long poll parked for
 * 25 s keeps only what its listeners need, not the URL, the headers or the request description.
 */
function awaitAnswer<T>(request: http.ClientRequest, signal: AbortSignal, read: (text: string) => T, expect: Expectation): Promise<T> {
  const { endpoint, limit } = expect;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      return true;
    };
    const fail = (failure: ServiceFailure): void => {
      if (!settle()) return;
      request.destroy();
      reject(failure);
    };
    const onAbort = (): void => fail(stoppedFailure(endpoint, signal));
    const timer = setTimeout(() => fail(timeoutFailure(endpoint, expect.timeoutMs)), expect.timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });

    request.on('error', (err: NodeJS.ErrnoException) => fail(networkFailure(endpoint, err)));
    request.on('response', (response) => {
      expect.cookies.accept(response.headers['set-cookie'], expect.cookieUrl);
      const status = response.statusCode ?? 0;
      if (!statusCarriesAnswer(status, expect.alsoOk)) {
        fail(httpStatusFailure(endpoint, status));
        return;
      }
      const announced = Number(response.headers['content-length'] ?? 0);
      if (announced > limit) {
        fail(tooLargeFailure(endpoint, limit));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) fail(tooLargeFailure(endpoint, limit));
        else chunks.push(chunk);
      });
      response.on('end', () => {
        if (!settle()) return;
        try {
          const raw = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
          resolve(read(decodeBody(endpoint, raw, response.headers['content-encoding'], limit)));
        } catch (err) {
          reject(toServiceFailure(err, endpoint));
        }
      });
      // A connection cut mid-body: 'close' without a complete message.
      response.on('close', () => {
        if (!response.complete) fail(networkFailure(endpoint, { code: 'ECONNRESET' }));
      });
    });
  });
}
