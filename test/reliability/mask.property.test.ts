/**
 * The services' last guard (src/services/mask.ts): a failure leaving a service never carries a
 * value the call knew to be secret, in any of the forms it travels, wherever the server put it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServiceFailure } from '../../src/services/errors.js';
import { createServiceDeps } from '../../src/services/index.js';
import { maskFailure, secretValuesOf } from '../../src/services/mask.js';
import { sized } from './support.js';

const secret = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=%_@'), minLength: 8, maxLength: 40 });

describe('maskFailure with secretValuesOf', () => {
  // Invariant: whatever text surrounds them, the credentials, the login ticket and the cookie
  // values of a call — as is, percent-encoded once or twice, or decoded — are gone from the
  // failure's message, path and excerpt; the rest of the text stays.
  it('leaves no known secret in any form, and keeps the text around it', () => {
    fc.assert(
      fc.property(
        fc.record({ skey: secret, wxsid: secret, passTicket: secret, ticket: secret, cookie: secret }),
        fc.constantFrom<(s: string) => string>(
          (s) => s,
          (s) => encodeURIComponent(s),
          (s) => encodeURIComponent(encodeURIComponent(s)),
          (s) => {
            try {
              return decodeURIComponent(s);
            } catch {
              return s;
            }
          },
        ),
        fc.string({ maxLength: 30 }).filter((s) => !s.includes('*')),
        (values, form, prose) => {
          const deps = createServiceDeps();
          deps.cookieJar.setCookieSync(`webwx_data_ticket=${values.cookie}; Path=/`, 'http://127.0.0.1/');
          deps.cookieJar.setCookieSync('wxuin=12345678; Path=/', 'http://127.0.0.1/');
          const input = {
            credentials: { skey: values.skey, wxsid: values.wxsid, passTicket: values.passTicket, wxuin: '12345678', deviceId: 'e123456789012345' },
            redirectUri: `http://127.0.0.1/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=${encodeURIComponent(values.ticket)}&uuid=u`,
          };
          const quoted = [values.skey, values.wxsid, values.passTicket, values.ticket, values.cookie].map(form);
          const text = `${prose}|${quoted.join('|')}|${prose}`;
          const secrets = secretValuesOf(deps, input);
          // Prose that itself holds a secret's value (fast-check tries "toString" for both) is
          // rightly masked too; the text around the secrets is only promised where it holds none.
          const message = `webwxsync: ${text}`;
          const kept = `webwxsync: ${prose}|`;
          fc.pre(secrets.every((s) => !message.slice(0, kept.length + s.length - 1).includes(s)));
          const failure = new ServiceFailure({ code: 'badResponse', endpoint: 'webwxsync', path: text, excerpt: text, message });
          const masked = maskFailure(failure, secrets).data;
          const all = JSON.stringify(masked);
          for (const value of quoted) if (value.length >= 6) expect(all).not.toContain(value);
          // The Uin is public (the login event shows it); the prose around the secrets stays.
          expect(masked.message.startsWith(kept)).toBe(true);
          expect(masked.code).toBe('badResponse');
        },
      ),
      { numRuns: sized(300, 3_000) },
    );
  });

  it('returns the same failure when there is nothing to mask', () => {
    const failure = new ServiceFailure({ code: 'httpStatus', endpoint: 'synccheck', status: 500, message: 'synccheck: HTTP status 500' });
    expect(maskFailure(failure, secretValuesOf(createServiceDeps(), { credentials: { skey: '@crypt_abcdef', wxsid: 'sidsidsid', passTicket: 'ptptptpt', wxuin: '1', deviceId: 'e1' } }))).toBe(failure);
  });
});
