import { isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { createServiceDeps, serializeCookies } from '../../../src/services/index.js';
import { StoredSessionCodec } from '../../../src/session/index.js';

describe('the per-client cookie jar', () => {
  it('domain cookies set by the main host reach the push and file hosts, and nothing else', async () => {
    const deps = createServiceDeps();
    const login = 'https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=t';
    await deps.cookieJar.setCookie('wxuin=2517452105; Domain=.qq.com; Path=/; Secure', login);
    await deps.cookieJar.setCookie('webwx_data_ticket=gSc1; Domain=.qq.com; Path=/', login);
    await deps.cookieJar.setCookie('hostonly=1; Path=/', login);
    const at = (url: string): Promise<string> => deps.cookieJar.getCookieString(url);
    expect(await at('https://webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck')).toBe('wxuin=2517452105; webwx_data_ticket=gSc1');
    expect(await at('https://file.wx2.qq.com/cgi-bin/mmwebwx-bin/webwxgetmedia')).toBe('wxuin=2517452105; webwx_data_ticket=gSc1');
    expect(await at('https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxsync')).toContain('hostonly=1');
    expect(await at('https://example.com/')).toBe('');
  });

  it('every createServiceDeps call has its own jar; the got instances (configuration only) are shared', () => {
    const a = createServiceDeps();
    const b = createServiceDeps();
    expect(a.cookieJar).not.toBe(b.cookieJar);
    for (const role of ['login', 'main', 'push', 'file'] as const) expect(a.http[role]).toBe(b.http[role]);
    // Another configuration gets instances of its own.
    expect(createServiceDeps({ longPollTimeoutMs: 1234 }).http.push).not.toBe(a.http.push);
  });

  it('serializeCookies gives what the session codec accepts and createServiceDeps restores', async () => {
    const deps = createServiceDeps();
    await deps.cookieJar.setCookie('wxsid=abc; Domain=.qq.com; Path=/', 'https://wx.qq.com/');
    const serialized = JSON.parse(JSON.stringify(serializeCookies(deps))) as unknown;
    const session = {
      version: 1,
      hosts: { login: 'https://login.wx.qq.com', main: 'https://wx.qq.com', push: 'https://webpush.wx.qq.com', file: 'https://file.wx.qq.com' },
      credentials: { skey: 's', wxsid: 'abc', wxuin: '1', passTicket: 'p', deviceId: 'e000000000000001' },
      uos: false,
      user: null,
      syncKey: { Count: 0, List: [] },
      syncCheckKey: null,
      cookies: serialized,
      delivered: [],
      savedAt: 0,
    };
    expect(isRight(StoredSessionCodec.decode(session))).toBe(true);
    const restored = createServiceDeps({ cookies: serialized });
    expect(await restored.cookieJar.getCookieString('https://webpush.wx.qq.com/')).toBe('wxsid=abc');
  });

  it('refuses cookies that are not a serialized jar', () => {
    expect(() => createServiceDeps({ cookies: { cookies: 'nope' } })).toThrow(TypeError);
  });
});
