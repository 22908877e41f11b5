/** Sessions for the store tests: realistic shape, a real serialized cookie jar, chosen size. */
import { CookieJar } from 'tough-cookie';
import type { StoredSession } from '../../../src/session/types.js';

export function sampleCookies(value = 'gSc1vXg%2Bz'): unknown {
  const jar = new CookieJar();
  // A fixed clock makes two calls (even in two processes) give equal jars.
  const now = new Date(Date.UTC(2024, 0, 1));
  jar.setCookieSync('wxuin=2517452105; Domain=qq.com; Path=/', 'https://wx2.qq.com/', { now });
  jar.setCookieSync(`webwx_data_ticket=${value}; Domain=qq.com; Path=/`, 'https://wx2.qq.com/', { now });
  return jar.serializeSync();
}

/** `n` tells sessions apart (savedAt = n); `delivered` ids make the file as large as wanted. */
export function sampleSession(n: number, delivered = 3): StoredSession {
  return {
    version: 1,
    hosts: { login: 'https://login.wx.qq.com', main: 'https://wx2.qq.com', push: 'https://webpush.wx2.qq.com', file: 'https://file.wx2.qq.com' },
    credentials: {
      skey: `@crypt_5d1f0c2a_${n}`,
      wxsid: `Qk3vT9xY2mZpL8aB${n}`,
      wxuin: '2517452105',
      passTicket: 'MX4l%2Fabc%2Bdef',
      deviceId: 'e123456789012345',
    },
    uos: false,
    user: { UserName: '@self', NickName: '我', Uin: 2517452105 },
    syncKey: { Count: 2, List: [{ Key: 1, Val: n }, { Key: 2, Val: 652651939 }] } as StoredSession['syncKey'],
    syncCheckKey: null,
    cookies: sampleCookies(),
    delivered: Array.from({ length: delivered }, (_, i) => `${n}${String(i).padStart(18, '0')}`),
    savedAt: n,
  };
}
