/**
 * A tough-cookie store that keeps each cookie as one JSON string instead of a live `Cookie`.
 *
 * Why: an idle session's memory is a benchmarked goal, and tough-cookie's `MemoryCookieStore`
 * costs ~3.5 KiB per client (a `Cookie` object with two `Date`s per cookie, three levels of
 * hash-table index per jar). The sync loop reads the jar only when a Set-Cookie arrives or a
 * cookie expires (cookies.ts keeps the header), so paying a parse on each read costs nothing
 * measurable and halves the jar. Behaviour is tough-cookie's own: the jar does the matching,
 * expiry and ordering; this store only finds, puts and removes by (domain, path, key), and
 * gives cookies back in the order they were first stored, with their creation time.
 *
 * `lastAccessed` matters to tough-cookie (a Max-Age cookie expires relative to it) and the jar
 * sets it on the cookies a read returns, which the memory store shares with its index; here each
 * returned cookie writes it back to its entry, so the two stores behave the same.
 */
import { Cookie, pathMatch, permuteDomain, Store, type Callback } from 'tough-cookie';
import { sharedString } from './shared-strings.js';

/** One stored cookie: what it is found by, the cookie itself as JSON, and its last access (ms). */
interface Entry {
  readonly domain: string;
  readonly path: string;
  readonly key: string;
  readonly json: string;
  lastAccessed: number | null;
}

const timeOf = (at: Date | 'Infinity' | null): number | null => (at instanceof Date ? at.getTime() : null);

function entryOf(cookie: Cookie): Entry | null {
  const { domain, path, key } = cookie;
  if (domain == null || path == null || key == null) return null;
  const data = cookie.toJSON() as Record<string, unknown>;
  delete data['lastAccessed'];
  return { domain: sharedString(domain), path: sharedString(path), key: sharedString(key), json: JSON.stringify(data), lastAccessed: timeOf(cookie.lastAccessed) };
}

function cookieOf(entry: Entry): Cookie {
  // The JSON was written by Cookie.toJSON, so it always reads back.
  const cookie = Cookie.fromJSON(entry.json) as Cookie;
  Object.defineProperty(cookie, 'lastAccessed', {
    enumerable: true,
    get: (): Date | null => (entry.lastAccessed === null ? null : new Date(entry.lastAccessed)),
    set: (at: Date | 'Infinity' | null): void => {
      entry.lastAccessed = timeOf(at);
    },
  });
  return cookie;
}

/**
 * Answers through the callback when tough-cookie gives one (always, today), else as a promise.
 * Typed `never` at the call sites: Store declares each method as two overloads (promise, or
 * callback and void) that one implementation can only satisfy that way.
 */
function answer<T>(value: T, callback: Callback<T> | undefined): Promise<T> | undefined {
  if (!callback) return Promise.resolve(value);
  callback(null, value);
  return undefined;
}

export class CompactCookieStore extends Store {
  private entries: Entry[] = [];

  constructor() {
    super();
    // Lets the jar's *Sync methods run on this store (they need every answer before returning).
    this.synchronous = true;
  }

  private indexOf(domain: string, path: string, key: string): number {
    return this.entries.findIndex((e) => e.domain === domain && e.path === path && e.key === key);
  }

  override findCookie(domain: string | null, path: string | null, key: string | null, callback?: Callback<Cookie | undefined>): never {
    const at = domain == null || path == null || key == null ? -1 : this.indexOf(domain, path, key);
    return answer(at < 0 ? undefined : cookieOf(this.entries[at] as Entry), callback) as never;
  }

  override findCookies(
    domain: string | null,
    path: string | null,
    allowSpecialUseDomain?: boolean | Callback<Cookie[]>,
    callback?: Callback<Cookie[]>,
  ): never {
    if (typeof allowSpecialUseDomain === 'function') {
      callback = allowSpecialUseDomain;
      allowSpecialUseDomain = true;
    }
    if (!domain) return answer([], callback) as never;
    const domains = new Set(permuteDomain(domain, allowSpecialUseDomain === true) ?? [domain]);
    const found = this.entries
      .filter((e) => domains.has(e.domain) && (!path || pathMatch(path, e.path)))
      .map(cookieOf);
    return answer(found, callback) as never;
  }

  override putCookie(cookie: Cookie, callback?: Callback<undefined>): never {
    const entry = entryOf(cookie);
    if (entry) {
      const at = this.indexOf(entry.domain, entry.path, entry.key);
      if (at < 0) this.entries.push(entry);
      // A replaced cookie keeps its place: tough-cookie orders equal paths by creation.
      else this.entries[at] = entry;
    }
    return answer(undefined, callback) as never;
  }

  override updateCookie(_old: Cookie, cookie: Cookie, callback?: Callback<undefined>): never {
    return this.putCookie(cookie, callback);
  }

  override removeCookie(domain: string, path: string, key: string, callback?: Callback<undefined>): never {
    this.entries = this.entries.filter((e) => !(e.domain === domain && e.path === path && e.key === key));
    return answer(undefined, callback) as never;
  }

  override removeCookies(domain: string, path: string | null, callback?: Callback<undefined>): never {
    this.entries = this.entries.filter((e) => !(e.domain === domain && (!path || e.path === path)));
    return answer(undefined, callback) as never;
  }

  override removeAllCookies(callback?: Callback<undefined>): never {
    this.entries = [];
    return answer(undefined, callback) as never;
  }

  override getAllCookies(callback?: Callback<Cookie[]>): never {
    return answer(this.entries.map(cookieOf), callback) as never;
  }
}
