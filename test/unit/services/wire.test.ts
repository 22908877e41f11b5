import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendQuery, baseRequest, cgiUrl, loginPollR, makeDeviceId, query, refererOf, syncRr } from '../../../src/services/wire.js';

describe('makeDeviceId', () => {
  // Invariant: whatever the random source yields (even out of [0, 1)), the id is `e` + 15 digits.
  it('is always e followed by 15 digits', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, min: -2, max: 2 }), { minLength: 15, maxLength: 15 }), (values) => {
        let i = 0;
        expect(makeDeviceId(() => values[i++]!)).toMatch(/^e\d{15}$/);
      }),
    );
  });

  it('takes each digit from the random source', () => {
    const digits = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95, 0, 0.999, 0.5, 0.1, 0.2];
    let i = 0;
    expect(makeDeviceId(() => digits[i++]!)).toBe('e012345678909512');
  });
});

describe('query', () => {
  // Invariant: a value is encoded exactly once more than given, so the server's single decode
  // gives back the text as we hold it (pass_ticket's percent-encoded text is never decoded).
  it('round-trips every value through one URL decode', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        const params = new URLSearchParams(query([['a', a], ['pass_ticket', b]]));
        expect(params.get('a')).toBe(a);
        expect(params.get('pass_ticket')).toBe(b);
      }),
    );
  });

  it('double-encodes an already percent-encoded pass_ticket as the official client does', () => {
    expect(query([['pass_ticket', 'MX4l%2Fab%2Bc']])).toBe('pass_ticket=MX4l%252Fab%252Bc');
  });

  it('keeps the parameter order', () => {
    expect(query([['z', 1], ['a', 'b'], ['m', '|']])).toBe('z=1&a=b&m=%7C');
  });
});

describe('URLs and headers', () => {
  it('cgiUrl builds <origin>/cgi-bin/mmwebwx-bin/<name>?<query>', () => {
    expect(cgiUrl('https://wx2.qq.com', 'webwxinit', [['r', -5], ['lang', 'zh_CN']])).toBe(
      'https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxinit?r=-5&lang=zh_CN',
    );
    expect(cgiUrl('https://wx2.qq.com', 'x', [])).toBe('https://wx2.qq.com/cgi-bin/mmwebwx-bin/x');
  });

  it('refererOf is the origin followed by a slash', () => {
    expect(refererOf('https://wx2.qq.com')).toBe('https://wx2.qq.com/');
    expect(refererOf('http://127.0.0.1:8080/cgi-bin/x?y=1')).toBe('http://127.0.0.1:8080/');
  });

  it.each([
    ['https://h/p?ticket=t@qrticket_0&scan=1', 'https://h/p?ticket=t@qrticket_0&scan=1&fun=new&version=v2'],
    ['https://h/p', 'https://h/p?fun=new&version=v2'],
    ['https://h/p?', 'https://h/p?fun=new&version=v2'],
    ['https://h/p?a=1&', 'https://h/p?a=1&fun=new&version=v2'],
    ['https://h/p?a=1#frag', 'https://h/p?a=1&fun=new&version=v2'],
  ])('appendQuery(%s)', (url, expected) => {
    expect(appendQuery(url, 'fun=new&version=v2')).toBe(expected);
  });
});

describe('timestamps', () => {
  it('login poll r is the int32 NOT of ms/1579; rr the NOT of the seconds', () => {
    const ms = 1_700_000_123_456;
    expect(loginPollR(ms)).toBe(~(ms / 1579));
    expect(Number.isInteger(loginPollR(ms))).toBe(true);
    expect(loginPollR(ms)).toBe(-1_076_630_858) // ~floor(1076630857.8…);
    expect(syncRr(ms)).toBe(~1_700_000_123);
  });
});

describe('baseRequest', () => {
  it('sends Uin as a number and the one DeviceID', () => {
    expect(baseRequest({ skey: '@crypt_k', wxsid: 's', wxuin: '2517452105', passTicket: 'p', deviceId: 'e123456789012345' })).toEqual({
      Uin: 2517452105,
      Sid: 's',
      Skey: '@crypt_k',
      DeviceID: 'e123456789012345',
    });
  });
});
