/**
 * The Cookie header of each request, read from the client's tough-cookie jar.
 *
 * Reading the jar (domain and path matching, expiry checks, public-suffix lookups) costs more than
 * a synccheck round's own work, and the sync loop asks it for the same two URLs forever. So the
 * header is kept per URL path and rebuilt only when a Set-Cookie arrives or a cookie in it
 * expires. The jar stays the single source of truth: it is what the session file stores.
 */
import type { CookieJar } from 'tough-cookie';
import { sharedString } from './shared-strings.js';

export interface CookieHeaders {
  /** The Cookie header for `url` ('' when no cookie applies). */
  headerFor(url: URL): string;
  /** Stores the Set-Cookie headers of an answer from `url`; refused cookies are dropped. */
  accept(setCookie: readonly string[] | undefined, url: string): void;
  /** Forgets every kept header (the jar changed behind this cache). */
  invalidate(): void;
}

interface KeptHeader {
  readonly header: string;
  /** Epoch ms after which a cookie in the header may have expired. */
  readonly validUntil: number;
}

/** The query never changes which cookies apply, so two synccheck URLs share one header. */
const keyOf = (url: URL): string => sharedString(`${url.protocol}//${url.host}${url.pathname}`);

export function cookieHeaders(jar: CookieJar): CookieHeaders {
  const kept = new Map<string, KeptHeader>();
  return {
    headerFor(url) {
      const key = keyOf(url);
      // tough-cookie judges expiry by the wall clock, so the cache does too.
      const now = Date.now();
      const hit = kept.get(key);
      if (hit && hit.validUntil > now) return hit.header;
      const cookies = jar.getCookiesSync(url.href);
      let validUntil = Number.POSITIVE_INFINITY;
      for (const cookie of cookies) {
        const expiry = cookie.expiryTime();
        if (expiry !== undefined && expiry < validUntil) validUntil = expiry;
      }
      let header = cookies.map((cookie) => cookie.cookieString()).join('; ');
      // Every path usually gets the same cookies: keep one copy of the string, not one per path.
      for (const other of kept.values()) if (other.header === header) header = other.header;
      kept.set(key, { header, validUntil });
      return header;
    },
    accept(setCookie, url) {
      if (setCookie === undefined || setCookie.length === 0) return;
      for (const raw of setCookie) jar.setCookieSync(raw, url, { ignoreError: true });
      kept.clear();
    },
    invalidate() {
      kept.clear();
    },
  };
}
