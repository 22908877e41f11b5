import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, sanitizeForDisplay } from '../../../src/inspect/sanitize.js';

const SECRET_FIELDS = ['skey', 'Skey', 'SKey', 'wxsid', 'Sid', 'sid', 'passTicket', 'pass_ticket', 'cookies', 'cookie', 'redirectUri', 'ticket', 'Ticket', 'webwx_data_ticket', 'credentials', 'BaseRequest', 'DeviceID', 'deviceId'];

/** A random plain-data tree with a marker secret planted under a secret field somewhere inside. */
const planted = fc
  .tuple(
    fc.constantFrom(...SECRET_FIELDS),
    fc.stringMatching(/^[A-Za-z0-9]{12,24}$/),
    fc.array(fc.constantFrom('context', 'event', 'output', 'value', 'input', 'List'), { maxLength: 6 }),
    fc.jsonValue({ maxDepth: 3 }),
  )
  .map(([field, random, path, noise]) => {
    // The marker cannot occur in the noise (which never holds "SECRET" followed by 12+ letters by chance).
    const secret = `SECRET${random}`;
    let tree: unknown = { [field]: secret, noise };
    for (const key of path) tree = key === 'List' ? [tree, noise] : { [key]: tree, noise };
    return { tree, secret };
  });

describe('sanitizeForDisplay', () => {
  // Invariant: a value under a secret field never survives, however deep or wherever in arrays.
  it('removes the value of every secret field at any depth', () => {
    fc.assert(
      fc.property(planted, ({ tree, secret }) => {
        expect(JSON.stringify(sanitizeForDisplay(tree))).not.toContain(secret);
      }),
      { numRuns: 300 },
    );
  });

  // Invariant: data without secrets and without secret-looking text comes out equal (nothing else is lost).
  it('leaves other plain data as it was', () => {
    const harmless = fc.jsonValue({ maxDepth: 4 }).filter((v) => {
      const text = JSON.stringify(v) ?? '';
      return !/skey|sid|uin|ticket|deviceid|crypt|credentials|cookie|redirect|baserequest/i.test(text);
    });
    fc.assert(
      fc.property(harmless, (value) => {
        expect(sanitizeForDisplay(value)).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it('masks secrets inside free text: query strings, XML, crypt tokens, login tickets', () => {
    const shown = JSON.stringify(
      sanitizeForDisplay({
        url: 'https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxsync?sid=AbCdEf&skey=@crypt_0011&pass_ticket=Zz%2F9',
        xml: '<error><skey>@crypt_77</skey><wxsid>QqWw</wxsid><pass_ticket>PpTt</pass_ticket></error>',
        redirect: 'https://wx2.qq.com/x?ticket=A1b2C3@qrticket_0&uuid=u',
      }),
    );
    for (const secret of ['AbCdEf', '@crypt_0011', 'Zz%2F9', '@crypt_77', 'QqWw', 'PpTt', 'A1b2C3']) expect(shown).not.toContain(secret);
  });

  it('keeps null secrets null (the inspector shows "not yet") and masks set ones', () => {
    expect(sanitizeForDisplay({ credentials: null, redirectUri: 'x', skey: undefined })).toEqual({ credentials: null, redirectUri: REDACTED, skey: undefined });
  });

  it('keeps a __proto__ key as data (JSON.parse makes it an own property; so does the copy)', () => {
    const parsed = JSON.parse('{"__proto__":{"a":1},"b":2}') as unknown;
    const clean = sanitizeForDisplay(parsed) as Record<string, unknown>;
    expect(JSON.stringify(clean)).toBe('{"__proto__":{"a":1},"b":2}');
    expect(Object.getPrototypeOf(clean)).toBe(Object.prototype);
  });

  it('survives cycles, functions and errors', () => {
    const cyclic: Record<string, unknown> = { name: 'a', fn: () => 1 };
    cyclic['self'] = cyclic;
    const error = Object.assign(new Error('failed with skey=@crypt_9'), { code: 'network' });
    expect(sanitizeForDisplay({ cyclic, error })).toEqual({
      cyclic: { name: 'a', self: '[…]' },
      error: { name: 'Error', message: 'failed with skey=***', code: 'network' },
    });
  });
});
