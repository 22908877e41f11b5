/**
 * The last guard on a failure's way out of a service: every value the call knew to be secret (its
 * credentials, the login ticket, the cookie jar's values) is masked in the failure's message,
 * path and excerpt, in whatever form it travels (as is, percent-encoded, decoded). The patterns of
 * redactSecrets catch secrets by their names; this catches them by their values — a server that
 * quotes the sid in prose on an error page names nothing.
 */
import { ServiceFailure } from './errors.js';
import type { ServiceDeps } from './http.js';
import type { ServiceErrorData, SessionCredentials } from './types.js';

/** Cookies whose values are not secret: the account's Uin (shown by contract), a timestamp, the language. */
const PUBLIC_COOKIES: ReadonlySet<string> = new Set(['wxuin', 'wxloadtime', 'mm_lang']);
/** Shorter values would mask ordinary words; every real secret is longer. */
const MIN_SECRET_CHARS = 6;
const MASK = '***';

function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function cookieValues(deps: ServiceDeps): string[] {
  try {
    const jar = deps.cookieJar.serializeSync() as { cookies?: readonly { key?: unknown; value?: unknown }[] } | undefined;
    return (jar?.cookies ?? [])
      .filter((c) => typeof c.key === 'string' && !PUBLIC_COOKIES.has(c.key) && typeof c.value === 'string')
      .map((c) => c.value as string);
  } catch {
    return [];
  }
}

/** The login ticket of a redirect_uri (newloginpage's input). */
function ticketOf(redirectUri: unknown): string[] {
  if (typeof redirectUri !== 'string') return [];
  try {
    const ticket = new URL(redirectUri).searchParams.get('ticket');
    return ticket === null ? [] : [ticket];
  } catch {
    return [];
  }
}

/** Every secret value a call with this input and these deps could have sent or received. */
export function secretValuesOf(deps: ServiceDeps, input: unknown): string[] {
  const fields = (typeof input === 'object' && input !== null ? input : {}) as { credentials?: SessionCredentials; redirectUri?: unknown };
  const raw: string[] = [...cookieValues(deps), ...ticketOf(fields.redirectUri)];
  if (fields.credentials) raw.push(fields.credentials.skey, fields.credentials.wxsid, fields.credentials.passTicket);
  const forms = new Set<string>();
  for (const value of raw) {
    // pass_ticket travels encoded once more in query strings; a page may show it decoded.
    for (const form of [value, encodeURIComponent(value), encodeURIComponent(encodeURIComponent(value)), decoded(value)]) {
      if (form.length >= MIN_SECRET_CHARS) forms.add(form);
    }
  }
  // Longest first, so a value that contains another is masked whole.
  return [...forms].sort((a, b) => b.length - a.length);
}

function maskText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
  return out;
}

/** The failure with every known secret value masked (the same object when there was nothing to mask). */
export function maskFailure(failure: ServiceFailure, secrets: readonly string[]): ServiceFailure {
  const data = failure.data;
  const masked: ServiceErrorData =
    data.code === 'badResponse'
      ? { ...data, message: maskText(data.message, secrets), path: maskText(data.path, secrets), excerpt: maskText(data.excerpt, secrets) }
      : { ...data, message: maskText(data.message, secrets) };
  return JSON.stringify(masked) === JSON.stringify(data) ? failure : new ServiceFailure(masked);
}
