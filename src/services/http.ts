/**
 * The HTTP side of every service: one set of got instances and one cookie jar per client, the
 * headers the servers check, a response size cap, per-endpoint timeouts and the abort signal.
 *
 * No session state is shared between clients: `createServiceDeps` makes a fresh jar on every
 * call and every request carries its client's jar, so two clients in one process never see each
 * other's cookies. The got instances (configuration only) are shared.
 */
import got, { type Got } from 'got';
import { CookieJar } from 'tough-cookie';
import { MAX_BODY_BYTES, type Endpoint } from '../codecs/index.js';
import { ACCEPT_ENCODING, decodeBody } from './body.js';
import { CompactCookieStore } from './cookie-store.js';
import { cookieHeaders, type CookieHeaders } from './cookies.js';
import { abortedFailure, httpStatusFailure, timeoutFailure, tooLargeFailure, toServiceFailure, type ServiceFailure } from './errors.js';

/** The host roles of PROTOCOL.md "Hosts". */
export type HostRole = 'login' | 'main' | 'push' | 'file';

export interface ServiceDepsOptions {
  /** Desktop (UOS) login mode for every login of this client (inputs may also ask for it). */
  readonly uos?: boolean;
  /** Login poll and synccheck: must exceed the server's ~25 s hold. */
  readonly longPollTimeoutMs?: number;
  /** Every other request. */
  readonly requestTimeoutMs?: number;
  readonly userAgent?: string;
  /** A serialized jar (`serializeCookies` output) to restore. */
  readonly cookies?: unknown;
  readonly now?: () => number;
  readonly random?: () => number;
  /** Answers larger than this are cut off with `tooLarge` (default 16 MiB). */
  readonly maxResponseBytes?: number;
}

export interface ServiceDeps {
  readonly http: Readonly<Record<HostRole, Got>>;
  readonly cookieJar: CookieJar;
  /** The Cookie headers of the keep-alive transport, read from `cookieJar` (see cookies.ts). */
  readonly cookies: CookieHeaders;
  readonly uos: boolean;
  readonly longPollTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly userAgent: string;
  readonly maxResponseBytes: number;
  readonly now: () => number;
  readonly random: () => number;
}

export const DEFAULT_LONG_POLL_TIMEOUT_MS = 35_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
/** The servers check for a desktop browser; this is a current Chrome on Windows. */
export const DEFAULT_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

/**
 * got's cookie hook rejects the whole request when a Set-Cookie is refused (wrong domain,
 * malformed). A hostile or odd cookie must not fail a login, so refused cookies are dropped.
 */
function lenientJar(deps: ServiceDeps): { getCookieString(url: string): Promise<string>; setCookie(raw: string, url: string): Promise<unknown> } {
  const jar = deps.cookieJar;
  return {
    getCookieString: (url) => jar.getCookieString(url),
    setCookie: async (raw, url) => {
      const stored = await jar.setCookie(raw, url, { ignoreError: true });
      // The keep-alive transport's kept headers were read from the jar before this cookie.
      deps.cookies.invalidate();
      return stored;
    },
  };
}

function restoreJar(cookies: unknown): CookieJar {
  if (cookies === undefined || cookies === null) return new CookieJar(new CompactCookieStore());
  try {
    return CookieJar.deserializeSync(cookies as Parameters<typeof CookieJar.deserializeSync>[0], new CompactCookieStore());
  } catch {
    // The value comes from a session file that was validated on load; failing here is a bug.
    throw new TypeError('createServiceDeps: cookies is not a serialized cookie jar');
  }
}

/** The headers every request sends, whichever transport carries it: a desktop browser's. */
export function browserHeaders(userAgent: string): Record<string, string> {
  return {
    'user-agent': userAgent,
    accept: '*/*',
    'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8',
    'accept-encoding': ACCEPT_ENCODING,
  };
}

/**
 * got instances hold configuration only (no cookies, no state of a session), so clients with the
 * same user agent and timeouts share them: one per process instead of five per client. Each
 * request brings its client's own cookie jar (see requestText).
 */
const sharedInstances = new Map<string, Got>();

function sharedGot(userAgent: string, timeoutMs: number): Got {
  const key = `${timeoutMs}\n${userAgent}`;
  let instance = sharedInstances.get(key);
  if (!instance) {
    instance = got.extend({
      ignoreInvalidCookies: true,
      // The machine owns retries and back-off.
      retry: { limit: 0 },
      // No redirect is ever followed: the host rule decides where requests may go.
      followRedirect: false,
      throwHttpErrors: false,
      responseType: 'buffer',
      // body.ts undoes the encoding itself, with a cap on the decoded size.
      decompress: false,
      timeout: { request: timeoutMs },
      headers: browserHeaders(userAgent),
    });
    sharedInstances.set(key, instance);
  }
  return instance;
}

export function createServiceDeps(options: ServiceDepsOptions = {}): ServiceDeps {
  const cookieJar = restoreJar(options.cookies);
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const longPollTimeoutMs = options.longPollTimeoutMs ?? DEFAULT_LONG_POLL_TIMEOUT_MS;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const request = sharedGot(userAgent, requestTimeoutMs);
  return {
    http: {
      login: request,
      main: request,
      push: sharedGot(userAgent, longPollTimeoutMs),
      file: request,
    },
    cookieJar,
    cookies: cookieHeaders(cookieJar),
    uos: options.uos ?? false,
    longPollTimeoutMs,
    requestTimeoutMs,
    userAgent,
    maxResponseBytes: options.maxResponseBytes ?? MAX_BODY_BYTES,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
  };
}

/** The jar as plain data for the session store (`CookieJar.serializeSync`). */
export function serializeCookies(deps: ServiceDeps): unknown {
  return deps.cookieJar.serializeSync();
}

export type RequestBody =
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'form'; readonly value: Readonly<Record<string, string>> };

export interface HttpRequest {
  readonly endpoint: Endpoint;
  readonly role: HostRole;
  readonly method: 'GET' | 'POST';
  /** Fully built, query already encoded (see wire.ts). */
  readonly url: string;
  readonly referer: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  /** Overrides the role's timeout (long polls). */
  readonly timeoutMs?: number;
  /** Non-2xx statuses that still carry the answer (newloginpage's 301). */
  readonly alsoOk?: readonly number[];
}

export function encodeBody(body: RequestBody | undefined): { body?: string; contentType?: string } {
  if (body === undefined) return {};
  if (body.kind === 'json') return { body: JSON.stringify(body.value), contentType: 'application/json; charset=UTF-8' };
  return { body: new URLSearchParams(body.value).toString(), contentType: 'application/x-www-form-urlencoded; charset=UTF-8' };
}

/**
 * Sends one request and answers its body as text (see body.ts).
 * Throws only `ServiceFailure`.
 */
export async function requestText(deps: ServiceDeps, req: HttpRequest, signal: AbortSignal): Promise<string> {
  if (signal.aborted) throw stoppedFailure(req.endpoint, signal);
  // A second controller lets the size cap stop the download without touching the caller's signal.
  const cap = new AbortController();
  const limit = deps.maxResponseBytes;
  const { body, contentType } = encodeBody(req.body);
  const headers: Record<string, string> = { referer: req.referer, ...req.headers };
  if (contentType !== undefined) headers['content-type'] = contentType;
  const timeoutMs = req.timeoutMs;
  try {
    const pending = deps.http[req.role](req.url, {
      // The client's own jar: the got instances are shared, the cookies never are.
      cookieJar: lenientJar(deps),
      method: req.method,
      responseType: 'buffer',
      headers,
      ...(body === undefined ? {} : { body }),
      ...(timeoutMs === undefined ? {} : { timeout: { request: timeoutMs } }),
      signal: AbortSignal.any([signal, cap.signal]),
    });
    pending.on('downloadProgress', (progress) => {
      const announced = progress.total ?? 0;
      if (progress.transferred > limit || announced > limit) cap.abort();
    });
    const response = await pending;
    if (cap.signal.aborted) throw tooLargeFailure(req.endpoint, limit);
    const status = response.statusCode;
    if (!statusCarriesAnswer(status, req.alsoOk)) {
      throw httpStatusFailure(req.endpoint, status);
    }
    return decodeBody(req.endpoint, response.body, response.headers['content-encoding'], limit);
  } catch (err) {
    // A caller's AbortSignal.timeout() is a deadline, not a cancellation.
    if (signal.aborted && !isTimeoutReason(signal.reason)) throw abortedFailure(req.endpoint);
    if (cap.signal.aborted) throw tooLargeFailure(req.endpoint, limit);
    if (signal.aborted) throw timeoutFailure(req.endpoint);
    if (err instanceof Error && err.name === 'TimeoutError') {
      throw timeoutFailure(req.endpoint, timeoutMs ?? roleTimeout(deps, req.role));
    }
    throw toServiceFailure(err, req.endpoint);
  }
}

/** A 2xx, or one of the statuses that still carry the answer (newloginpage's 301). */
export const statusCarriesAnswer = (status: number, alsoOk: readonly number[] = []): boolean =>
  (status >= 200 && status <= 299) || alsoOk.includes(status);

/** A caller's `AbortSignal.timeout()` fired: a deadline, not a cancellation. */
export const isTimeoutReason = (reason: unknown): boolean => reason instanceof Error && reason.name === 'TimeoutError';

/** What an aborted caller's signal means for the request: a timeout for a deadline, else aborted. */
export const stoppedFailure = (endpoint: Endpoint, signal: AbortSignal): ServiceFailure =>
  isTimeoutReason(signal.reason) ? timeoutFailure(endpoint) : abortedFailure(endpoint);

export const roleTimeout = (deps: ServiceDeps, role: HostRole): number =>
  role === 'push' ? deps.longPollTimeoutMs : deps.requestTimeoutMs;
