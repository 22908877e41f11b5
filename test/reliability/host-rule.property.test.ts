/**
 * The host rule of CONTRACT.md as a pure decision (src/services/hosts.ts): a redirect is trusted
 * only for a real WeChat host (then every host role comes from PROTOCOL.md's table, never from the
 * redirect) or for the login origin itself. Look-alikes are refused. That no request reaches a
 * refused host is proven end to end in test/integration/engine/login.test.ts ("untrusted
 * redirect") and test/integration/cli/endings.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideHosts, DEFAULT_LOGIN_ORIGIN, storedHostsTrusted } from '../../src/services/hosts.js';
import { sized } from './support.js';

const KNOWN_MAINS = ['wx.qq.com', 'wx2.qq.com', 'wx8.qq.com', 'web.wechat.com', 'web2.wechat.com'];
const SUFFIXES = ['qq.com', 'wechat.com'];
const redirect = (origin: string): string => `${origin}/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T@qrticket_0&uuid=U&lang=zh_CN&scan=1`;

describe('decideHosts', () => {
  it.each([
    'https://wx.qq.com.evil.com',
    'https://evilqq.com',
    'https://qq.com.cn',
    'https://wx2.qq.com@evil.com',
    'https://evil.com/?next=https://wx2.qq.com',
    'https://evil.com#wx.qq.com',
    'https://wx2.qq.com.',
    'http://wx2.qq.com',
    'https://wx2.qq.com:8443',
    'https://wechat.com.evil.org',
    'https://xwechat.com',
    'https://127.0.0.1:1',
  ])('refuses the look-alike %s', (origin) => {
    expect(decideHosts(redirect(origin), DEFAULT_LOGIN_ORIGIN)).toEqual({ ok: false, reason: 'untrustedRedirect' });
  });

  it.each(['javascript:alert(1)//wx.qq.com', 'file:///etc/passwd', 'not a url', ''])('refuses %j as a bad redirect', (text) => {
    expect(decideHosts(text, DEFAULT_LOGIN_ORIGIN)).toEqual({ ok: false, reason: 'badRedirect' });
  });

  // Invariant: any hostname outside the WeChat domains is refused unless it is the login origin;
  // a trusted decision never names the redirect's own host for a role unless that host is the
  // login origin or a table host.
  it('trusts only WeChat hosts and the login origin', () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
    const host = fc.oneof(
      fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.')),
      fc.tuple(label, fc.constantFrom(...SUFFIXES)).map(([a, s]) => `${a}.${s}`),
      fc.tuple(fc.constantFrom(...SUFFIXES), label).map(([s, a]) => `${s}.${a}`),
      fc.tuple(label, fc.constantFrom(...SUFFIXES)).map(([a, s]) => `${a}${s}`),
    );
    fc.assert(
      fc.property(host, fc.constantFrom('https', 'http'), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), (hostname, scheme, port) => {
        const origin = `${scheme}://${hostname}${port === undefined ? '' : `:${port}`}`;
        const decision = decideHosts(redirect(origin), DEFAULT_LOGIN_ORIGIN);
        let parsed: URL;
        try {
          parsed = new URL(origin);
        } catch {
          // Not a URL at all (a numeric last label is read as a bad IPv4 address).
          expect(decision).toEqual({ ok: false, reason: 'badRedirect' });
          return;
        }
        const wechat = SUFFIXES.some((s) => parsed.hostname === s || parsed.hostname.endsWith(`.${s}`));
        const plainHttps = parsed.protocol === 'https:' && parsed.port === '';
        if (!wechat || !plainHttps) {
          expect(decision.ok).toBe(false);
          return;
        }
        expect(decision.ok).toBe(true);
        if (!decision.ok) return;
        const main = new URL(decision.hosts.main).hostname;
        expect(KNOWN_MAINS).toContain(main);
        expect(decision.hosts.push).toBe(`https://webpush.${main}`);
        expect(decision.hosts.file).toBe(`https://file.${main}`);
        expect(decision.hosts.login).toBe(DEFAULT_LOGIN_ORIGIN);
      }),
      { numRuns: sized(500, 5_000) },
    );
  });

  it('the login origin itself (the simulator) gets every role, and only its exact origin does', () => {
    const login = 'http://127.0.0.1:40123';
    expect(decideHosts(redirect(login), login)).toEqual({ ok: true, hosts: { login, main: login, push: login, file: login } });
    for (const other of ['http://127.0.0.1:40124', 'https://127.0.0.1:40123', 'http://127.0.0.2:40123', 'http://localhost:40123']) {
      expect(decideHosts(redirect(other), login).ok, other).toBe(false);
    }
  });
});

describe('storedHostsTrusted (resuming a stored session)', () => {
  const sim = 'http://127.0.0.1:40001';
  const roles = (main: string, push = main, file = main) => ({ main, push, file });

  it('resumes on the login origin it was stored against, and with the table hosts of a WeChat host', () => {
    expect(storedHostsTrusted(roles(sim), sim)).toBe(true);
    expect(storedHostsTrusted(roles('https://wx2.qq.com', 'https://webpush.wx2.qq.com', 'https://file.wx2.qq.com'), DEFAULT_LOGIN_ORIGIN)).toBe(true);
    // The table does not depend on the login origin: a WeChat session resumes under any.
    expect(storedHostsTrusted(roles('https://wx.qq.com', 'https://webpush.wx.qq.com', 'https://file.wx.qq.com'), sim)).toBe(true);
  });

  it('does not send a session to another origin than the one the login origin leads to', () => {
    // Stored against one simulator, started against another (another port, scheme or host).
    expect(storedHostsTrusted(roles(sim), 'http://127.0.0.1:40002')).toBe(false);
    expect(storedHostsTrusted(roles(sim), 'https://127.0.0.1:40001')).toBe(false);
    expect(storedHostsTrusted(roles(sim), 'http://localhost:40001')).toBe(false);
    expect(storedHostsTrusted(roles(sim), DEFAULT_LOGIN_ORIGIN)).toBe(false);
    // A file whose roles were edited: the push or file host is not the table's.
    expect(storedHostsTrusted(roles('https://wx.qq.com', 'https://evil.example', 'https://file.wx.qq.com'), DEFAULT_LOGIN_ORIGIN)).toBe(false);
    expect(storedHostsTrusted(roles('https://wx.qq.com', 'https://webpush.wx.qq.com', sim), DEFAULT_LOGIN_ORIGIN)).toBe(false);
    expect(storedHostsTrusted(roles(sim, sim, 'https://evil.example'), sim)).toBe(false);
    expect(storedHostsTrusted(roles('http://wx.qq.com', 'https://webpush.wx.qq.com', 'https://file.wx.qq.com'), DEFAULT_LOGIN_ORIGIN)).toBe(false);
    expect(storedHostsTrusted(roles('not a url'), sim)).toBe(false);
  });
});
