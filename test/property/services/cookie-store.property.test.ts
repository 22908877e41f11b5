/**
 * The compact cookie store must be invisible: a jar over it answers exactly what a jar over
 * tough-cookie's MemoryCookieStore answers, for any sequence of Set-Cookie headers (replacing,
 * expiring, deleting, domain and host-only cookies, nested paths) and any URL read afterwards,
 * and it serializes to the same cookies (apart from the store's name).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CookieJar, MemoryCookieStore } from 'tough-cookie';
import { CompactCookieStore } from '../../../src/services/cookie-store.js';

const HOSTS = ['wx.qq.com', 'wx2.qq.com', 'webpush.wx2.qq.com', 'file.wx.qq.com', '127.0.0.1', 'example.com'] as const;
const PATHS = ['/', '/cgi-bin', '/cgi-bin/mmwebwx-bin', '/cgi-bin/mmwebwx-bin/synccheck', '/other'] as const;
// tough-cookie reads against the wall clock, so cookies are set around it.
const NOW = Date.now();

const setCookie = fc.record({
  host: fc.constantFrom(...HOSTS),
  requestPath: fc.constantFrom(...PATHS),
  name: fc.constantFrom('wxuin', 'wxsid', 'webwx_data_ticket', 'mm_lang', 'a'),
  value: fc.stringMatching(/^[A-Za-z0-9_%+=-]{0,12}$/),
  domain: fc.option(fc.constantFrom('.qq.com', 'wx2.qq.com', '.wx.qq.com', '127.0.0.1', '.example.com'), { nil: undefined }),
  path: fc.option(fc.constantFrom(...PATHS), { nil: undefined }),
  // Seconds from NOW: negative deletes, undefined is a session cookie.
  expiresIn: fc.option(fc.integer({ min: -3600, max: 7200 }), { nil: undefined }),
  maxAge: fc.option(fc.integer({ min: -1, max: 7200 }), { nil: undefined }),
  secure: fc.boolean(),
  httpOnly: fc.boolean(),
});
type SetCookie = typeof setCookie extends fc.Arbitrary<infer T> ? T : never;

function header(c: SetCookie): string {
  const parts = [`${c.name}=${c.value}`];
  if (c.domain !== undefined) parts.push(`Domain=${c.domain}`);
  if (c.path !== undefined) parts.push(`Path=${c.path}`);
  if (c.expiresIn !== undefined) parts.push(`Expires=${new Date(NOW + c.expiresIn * 1000).toUTCString()}`);
  if (c.maxAge !== undefined) parts.push(`Max-Age=${c.maxAge}`);
  if (c.secure) parts.push('Secure');
  if (c.httpOnly) parts.push('HttpOnly');
  return parts.join('; ');
}

const read = fc.record({ host: fc.constantFrom(...HOSTS), path: fc.constantFrom(...PATHS), https: fc.boolean() });

type Serialized = { storeType: string; cookies: { lastAccessed?: string }[] };

/** What a jar serializes, less the store's name and the access times (the jars are read ms apart). */
function comparable(serialized: unknown): unknown {
  const { storeType: _, ...jar } = serialized as Serialized;
  return { ...jar, cookies: jar.cookies.map((c) => ({ ...c, lastAccessed: c.lastAccessed !== undefined })) };
}

const accessTimes = (serialized: unknown): number[] => (serialized as Serialized).cookies.map((c) => Date.parse(c.lastAccessed ?? '0'));

describe('CompactCookieStore', () => {
  it('a jar over it answers and serializes like a jar over MemoryCookieStore', () => {
    fc.assert(
      fc.property(fc.array(setCookie, { maxLength: 25 }), fc.array(read, { minLength: 1, maxLength: 8 }), (sets, reads) => {
        const memory = new CookieJar(new MemoryCookieStore());
        const compact = new CookieJar(new CompactCookieStore());
        for (const [i, c] of sets.entries()) {
          const url = `https://${c.host}${c.requestPath}`;
          const options = { ignoreError: true, now: new Date(NOW + i) };
          const a = memory.setCookieSync(header(c), url, options);
          const b = compact.setCookieSync(header(c), url, options);
          expect(b?.toJSON()).toEqual(a?.toJSON());
        }
        for (const r of reads) {
          const url = `${r.https ? 'https' : 'http'}://${r.host}${r.path}`;
          // Read twice: a read moves lastAccessed, which a Max-Age cookie's expiry is relative to.
          expect(compact.getCookieStringSync(url)).toBe(memory.getCookieStringSync(url));
          expect(compact.getCookieStringSync(url)).toBe(memory.getCookieStringSync(url));
        }
        expect(comparable(compact.serializeSync())).toEqual(comparable(memory.serializeSync()));
        const memoryTimes = accessTimes(memory.serializeSync());
        accessTimes(compact.serializeSync()).forEach((at, i) => expect(Math.abs(at - memoryTimes[i]!)).toBeLessThan(1000));
      }),
      { numRuns: 300 },
    );
  });

  it('restores a serialized jar into itself, and the restored jar answers the same', () => {
    const source = new CookieJar(new MemoryCookieStore());
    const url = 'https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage';
    source.setCookieSync('wxuin=1; Domain=.qq.com; Path=/', url);
    source.setCookieSync('wxsid=s; Path=/cgi-bin', url);
    source.setCookieSync('mm_lang=zh_CN; Domain=.wx2.qq.com; Path=/', url);
    const store = new CompactCookieStore();
    const restored = CookieJar.deserializeSync(source.serializeSync()!, store);
    expect(restored.store).toBe(store);
    for (const at of ['https://wx2.qq.com/cgi-bin/x', 'https://webpush.wx2.qq.com/', 'https://qq.com/']) {
      expect(restored.getCookieStringSync(at)).toBe(source.getCookieStringSync(at));
    }
    restored.removeAllCookiesSync();
    expect(restored.getCookieStringSync('https://wx2.qq.com/cgi-bin/x')).toBe('');
  });
});
