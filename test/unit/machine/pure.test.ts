import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backoffMs, nextSeed, remainingPause, seedFraction } from '../../../src/machines/webwx.delays.js';
import { faultOf, initialContext, redactContext, refusal, topStateOf } from '../../../src/machines/webwx.machine.js';
import { LOGIN_ORIGIN, storedSession } from './fixtures.js';

describe('delays', () => {
  // Invariant: jitter is a fraction in [0, 1) and the same seed always gives the same fraction.
  it('seedFraction stays in [0, 1) and is a function of the seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (seed) => {
        const f = seedFraction(seed);
        return f >= 0 && f < 1 && f === seedFraction(seed);
      }),
    );
  });

  // Invariant: a back-off is never 0 (no retry without a pause), never above the cap, and at
  // least half of the uncapped exponential value.
  it('backoffMs is within [50 %, 100 %] of min(cap, base·2^(n-1))', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (base, attempt, seed) => {
          const cap = base * 64;
          const full = Math.min(cap, base * 2 ** Math.min(attempt - 1, 30));
          const ms = backoffMs(base, cap, attempt, seed);
          return ms >= Math.floor(full / 2) && ms <= full && ms > 0;
        },
      ),
    );
  });

  it('successive seeds spread the jitter', () => {
    let seed = 1;
    const fractions = new Set<number>();
    for (let i = 0; i < 20; i++) {
      fractions.add(Math.round(seedFraction(seed) * 100));
      seed = nextSeed(seed);
    }
    expect(fractions.size).toBeGreaterThan(10);
  });

  it('remainingPause is what is left of the minimum spacing', () => {
    expect(remainingPause(1000, 0)).toBe(1000);
    expect(remainingPause(1000, 400)).toBe(600);
    expect(remainingPause(1000, 25_000)).toBe(0);
    expect(remainingPause(1000, -5)).toBe(1000);
  });
});

describe('faults and redaction', () => {
  it('turns service error data into a fault named by its endpoint', () => {
    expect(faultOf({ code: 'timeout', endpoint: 'synccheck', message: 'no answer within 35000 ms' })).toEqual({
      code: 'timeout',
      message: 'synccheck: no answer within 35000 ms',
    });
  });

  it('unwraps a ServiceFailure-like error carrying its data', () => {
    const failure = Object.assign(new Error('x'), { data: { code: 'network', endpoint: 'webwxsync', message: 'webwxsync: network failure' } });
    expect(faultOf(failure)).toEqual({ code: 'network', message: 'webwxsync: network failure' });
  });

  it('masks secrets in anything else thrown', () => {
    const fault = faultOf(new Error('GET https://wx.qq.com/x?skey=@crypt_abc&pass_ticket=SECRET failed'));
    expect(fault.code).toBe('internal');
    expect(fault.message).not.toContain('SECRET');
    expect(fault.message).not.toContain('@crypt_abc');
    expect(refusal('webwxsync', 1, 'ticket=SECRET').message).not.toContain('SECRET');
  });

  it('redactContext masks credentials and the ticket-bearing redirect, keeps the DeviceID', () => {
    const base = initialContext({ deviceId: 'e1', loginOrigin: LOGIN_ORIGIN, stored: storedSession() });
    const context = {
      ...base,
      login: { ...base.login, redirectUri: 'https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=AbC@qrticket_0&uuid=u', pushUin: '2517452105' },
    };
    const text = JSON.stringify(redactContext(context));
    for (const secret of ['@crypt_stored', 'sidStored', 'stored%2Fticket', 'AbC@qrticket_0', '2517452105']) {
      expect(text).not.toContain(secret);
    }
    // The user's Uin is public (the login event shows it); the credential copy is masked all the same.
    expect(redactContext(context).credentials?.wxuin).toBe('***');
    expect(redactContext(context).credentials?.deviceId).toBe('e999999999999999');
  });

  it('topStateOf names the top-level state of any snapshot value', () => {
    expect(topStateOf('loggedOut')).toBe('loggedOut');
    expect(topStateOf({ syncing: { loop: 'checking', outbox: 'idle', members: 'idle' } })).toBe('syncing');
  });
});

describe('initial context', () => {
  // xstate's assign copies the context with Object.assign; V8 turns a copy with 20 or more
  // properties into a hash table (8 times the memory of an idle session's context, slower reads).
  it('has at most 19 top-level fields, so that every assigned copy stays a fast object', () => {
    expect(Object.keys(initialContext({ deviceId: 'e1', loginOrigin: LOGIN_ORIGIN, stored: storedSession() })).length).toBeLessThanOrEqual(19);
  });

  it('is plain data that survives a JSON round trip', () => {
    const context = initialContext({ deviceId: 'e1', loginOrigin: LOGIN_ORIGIN, stored: storedSession() });
    expect(JSON.parse(JSON.stringify(context))).toEqual(context);
  });

  it('takes the stored session\'s DeviceID and bounds its dedupe window', () => {
    const context = initialContext({
      deviceId: 'e1',
      loginOrigin: LOGIN_ORIGIN,
      dedupeWindow: 2,
      stored: storedSession({ delivered: ['a', 'b', 'c'] }),
    });
    expect(context.deviceId).toBe('e999999999999999');
    expect(context.delivered).toEqual(['b', 'c']);
  });
});
