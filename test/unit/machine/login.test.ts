import { describe, expect, it } from 'vitest';
import {
  confirmedAnswer,
  credentialsAnswer,
  expiredAnswer,
  forbiddenAnswer,
  LOGIN_ORIGIN,
  netError,
  notYet,
  PASS_TICKET,
  scannedAnswer,
  serverErrorAnswer,
  uuidIssued,
} from './fixtures.js';
import { fails, settle, startMachine } from './harness.js';
import { BASE_INPUT } from './flows.js';

describe('uuid', () => {
  it('gets a uuid, emits qr with the QR text and the image on the login origin, then polls with it', async () => {
    const h = startMachine(BASE_INPUT, { getUuid: [uuidIssued('gYmByqjV8Q==')] });
    await h.until(() => h.callsOf('pollLogin').length === 1);
    expect(h.states).toEqual(['uuid', 'awaitingScan']);
    expect(h.emittedOf('qr')).toEqual([
      {
        type: 'qr',
        uuid: 'gYmByqjV8Q==',
        qrUrl: 'https://login.weixin.qq.com/l/gYmByqjV8Q==',
        imageUrl: `${LOGIN_ORIGIN}/qrcode/gYmByqjV8Q==`,
      },
    ]);
    expect(h.inputsOf('getUuid')).toEqual([{ loginOrigin: LOGIN_ORIGIN, uos: false }]);
    expect(h.inputsOf('pollLogin')[0]).toEqual({ loginOrigin: LOGIN_ORIGIN, uuid: 'gYmByqjV8Q==', tip: 1 });
  });

  it('uses the default login origin when none is given', async () => {
    const h = startMachine({}, { getUuid: [uuidIssued('abc')] });
    await h.until(() => h.emittedOf('qr').length === 1);
    expect(h.emittedOf('qr')[0]?.imageUrl).toBe('https://login.wx.qq.com/qrcode/abc');
    expect(h.inputsOf('getUuid')[0]?.loginOrigin).toBe('https://login.wx.qq.com');
  });

  it('backs off after a failure (reporting it) and retries, never at once', async () => {
    const h = startMachine(BASE_INPUT, { getUuid: [fails(netError('jslogin')), { code: 502 }, uuidIssued('u2')] });
    await h.until(() => h.top() === 'awaitingScan');
    expect(h.callsOf('getUuid')).toHaveLength(3);
    expect(h.emittedOf('error').map((e) => e.code)).toEqual(['network', 'refused']);
    expect(h.emittedOf('error')[0]?.message).toBe('jslogin: network failure (ECONNRESET)');
    // The success reset the failure budget.
    expect(h.context().faults.consecutive).toBe(0);
  });

  it('holds the retry until the back-off delay elapsed', async () => {
    const h = startMachine(BASE_INPUT, { getUuid: [fails(netError('jslogin')), uuidIssued('u2')] });
    await h.until(() => h.clock.nextIn() !== undefined);
    expect(h.value()).toEqual({ uuid: 'backingOff' });
    const wait = h.clock.nextIn() ?? 0;
    // First back-off: base 100 ms scaled by the jitter into [50, 100].
    expect(wait).toBeGreaterThanOrEqual(50);
    expect(wait).toBeLessThanOrEqual(100);
    h.clock.increment(wait - 1);
    await settle();
    expect(h.callsOf('getUuid')).toHaveLength(1);
    h.clock.increment(1);
    await settle();
    expect(h.callsOf('getUuid')).toHaveLength(2);
  });

  it('gives up with tooManyFailures when the budget is spent', async () => {
    const errors = Array.from({ length: 3 }, () => fails(netError('jslogin')));
    const h = startMachine({ ...BASE_INPUT, maxConsecutiveFailures: 3 }, { getUuid: errors });
    await h.until(() => h.top() === 'loggedOut');
    expect(h.callsOf('getUuid')).toHaveLength(3);
    expect(h.emittedOf('logout')).toEqual([
      { type: 'logout', reason: 'tooManyFailures', message: 'jslogin: network failure (ECONNRESET)' },
    ]);
    expect(h.actor.getSnapshot().status).toBe('done');
    expect(h.actor.getSnapshot().output).toMatchObject({ reason: 'tooManyFailures' });
  });
});

describe('awaitingScan and scanned', () => {
  it('polls with tip 1 until the first 201 (also after 408s), then with tip 0 for that uuid', async () => {
    const h = startMachine(BASE_INPUT, {
      getUuid: [uuidIssued('u1')],
      pollLogin: [notYet(25_000), notYet(25_000), scannedAnswer('data:img/jpg;base64,QUJD'), notYet(25_000), scannedAnswer()],
    });
    await h.until(() => h.callsOf('pollLogin').length === 6);
    expect(h.inputsOf('pollLogin').map((i) => i.tip)).toEqual([1, 1, 1, 0, 0, 0]);
    expect(h.inputsOf('pollLogin').every((i) => i.uuid === 'u1')).toBe(true);
    expect(h.states).toEqual(['uuid', 'awaitingScan', 'scanned']);
    expect(h.emittedOf('scanned')).toEqual([{ type: 'scanned', avatar: 'data:img/jpg;base64,QUJD' }]);
  });

  it('pauses after a 408 that came back at once, and not after one that was held', async () => {
    const h = startMachine(BASE_INPUT, { getUuid: [uuidIssued('u1')], pollLogin: [notYet(0), notYet(25_000)] });
    await h.until(() => h.callsOf('pollLogin').length === 1);
    await h.until(() => h.clock.nextIn() !== undefined);
    // The quick 408 leaves the machine resting for the whole poll pause.
    expect(h.value()).toEqual({ awaitingScan: 'resting' });
    expect(h.clock.nextIn()).toBe(1000);
    h.clock.increment(999);
    await settle();
    expect(h.callsOf('pollLogin')).toHaveLength(1);
    h.clock.increment(1);
    await h.until(() => h.callsOf('pollLogin').length === 2);
    // The held 408 rests for nothing: the next poll starts at the next tick.
    await h.until(() => h.clock.nextIn() !== undefined);
    expect(h.clock.nextIn()).toBe(0);
    await h.fire();
    expect(h.callsOf('pollLogin')).toHaveLength(3);
  });

  it('spaces a poll that took part of the pause by the rest of it', async () => {
    const h = startMachine(BASE_INPUT, { getUuid: [uuidIssued('u1')], pollLogin: [notYet(300)] });
    await h.until(() => h.clock.nextIn() !== undefined);
    expect(h.clock.nextIn()).toBe(700);
  });

  it('takes a new uuid (and emits qr again) on 400, a bounded number of times, then qrExpired', async () => {
    const h = startMachine(
      { ...BASE_INPUT, maxQrRefreshes: 2 },
      {
        getUuid: [uuidIssued('u1'), uuidIssued('u2'), uuidIssued('u3')],
        pollLogin: [expiredAnswer(), scannedAnswer(), expiredAnswer(), expiredAnswer()],
      },
    );
    await h.until(() => h.top() === 'loggedOut');
    expect(h.emittedOf('qr').map((q) => q.uuid)).toEqual(['u1', 'u2', 'u3']);
    expect(h.inputsOf('pollLogin').map((i) => [i.uuid, i.tip])).toEqual([
      ['u1', 1],
      ['u2', 1],
      ['u2', 0],
      ['u3', 1],
    ]);
    expect(h.emittedOf('logout')).toEqual([{ type: 'logout', reason: 'qrExpired' }]);
    expect(h.states).toEqual(['uuid', 'awaitingScan', 'uuid', 'awaitingScan', 'scanned', 'uuid', 'awaitingScan', 'loggedOut']);
  });

  it('500 while awaiting the scan resets to a new uuid after a pause', async () => {
    const h = startMachine(BASE_INPUT, { getUuid: [uuidIssued('u1'), uuidIssued('u2')], pollLogin: [serverErrorAnswer()] });
    await h.until(() => h.callsOf('getUuid').length === 2 && h.top() === 'awaitingScan');
    expect(h.states).toEqual(['uuid', 'awaitingScan', 'uuid', 'awaitingScan']);
    expect(h.emittedOf('error')[0]).toMatchObject({ code: 'refused', message: 'login answered code 500' });
    expect(h.inputsOf('pollLogin').map((i) => i.uuid)).toEqual(['u1', 'u2']);
  });

  it('500 after the scan also resets to a new uuid', async () => {
    const h = startMachine(BASE_INPUT, {
      getUuid: [uuidIssued('u1'), uuidIssued('u2')],
      pollLogin: [scannedAnswer(), serverErrorAnswer()],
    });
    await h.until(() => h.callsOf('pollLogin').length === 3);
    expect(h.states).toEqual(['uuid', 'awaitingScan', 'scanned', 'uuid', 'awaitingScan']);
    expect(h.inputsOf('pollLogin').map((i) => [i.uuid, i.tip])).toEqual([
      ['u1', 1],
      ['u1', 0],
      ['u2', 1],
    ]);
  });

  it('a failed poll backs off and polls the same uuid again', async () => {
    const h = startMachine(BASE_INPUT, { getUuid: [uuidIssued('u1')], pollLogin: [fails(netError('login')), notYet(25_000)] });
    await h.until(() => h.callsOf('pollLogin').length === 3);
    expect(h.callsOf('getUuid')).toHaveLength(1);
    expect(h.emittedOf('error')).toHaveLength(1);
    expect(h.inputsOf('pollLogin').map((i) => i.tip)).toEqual([1, 1, 1]);
  });
});

describe('the poll pause after a poll that came back at once', () => {
  it('a 201 at once goes straight to the tip=0 poll (held by the server until the confirm), as the web client does', async () => {
    const h = startMachine(BASE_INPUT, { getUuid: [uuidIssued('u1')], pollLogin: [scannedAnswer()] });
    await h.until(() => h.callsOf('pollLogin').length === 2, 3);
    expect(h.inputsOf('pollLogin').map((i) => i.tip)).toEqual([1, 0]);
    expect(h.clock.now()).toBe(0);
  });

  it('a 400 at once: the new QR is asked for after the pause', async () => {
    const h = startMachine(BASE_INPUT, { getUuid: [uuidIssued('u1'), uuidIssued('u2')], pollLogin: [expiredAnswer()] });
    await h.until(() => h.top() === 'uuid');
    expect(h.callsOf('getUuid')).toHaveLength(1);
    expect(h.clock.nextIn()).toBe(1000);
    await h.until(() => h.callsOf('getUuid').length === 2);
  });
});

describe('confirmed', () => {
  it('refuses an untrusted redirect without contacting it', async () => {
    const h = startMachine(BASE_INPUT, {
      getUuid: [uuidIssued('u1')],
      pollLogin: [confirmedAnswer('https://evil.example.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=x@qrticket_0')],
    });
    await h.until(() => h.top() === 'loggedOut');
    expect(h.callsOf('newLoginPage')).toHaveLength(0);
    expect(h.emittedOf('logout')).toEqual([{ type: 'logout', reason: 'untrustedRedirect' }]);
  });

  it.each(['ftp://evil.example.com/webwxnewloginpage?ticket=x@qrticket_0', 'javascript:alert(1)//wx.qq.com'])(
    'refuses a redirect with another scheme (%s) as untrusted, without contacting it',
    async (redirect) => {
      const h = startMachine(BASE_INPUT, { getUuid: [uuidIssued('u1')], pollLogin: [confirmedAnswer(redirect)] });
      await h.until(() => h.top() === 'loggedOut');
      expect(h.callsOf('newLoginPage')).toHaveLength(0);
      expect(h.emittedOf('logout')).toEqual([{ type: 'logout', reason: 'untrustedRedirect' }]);
    },
  );

  it('follows a redirect on the login origin and uses that origin for every host', async () => {
    const h = startMachine(BASE_INPUT, { getUuid: [uuidIssued('u1')], pollLogin: [confirmedAnswer()], newLoginPage: [credentialsAnswer()] });
    await h.until(() => h.callsOf('webwxInit').length === 1);
    expect(h.inputsOf('newLoginPage')[0]?.redirectUri).toContain(`${LOGIN_ORIGIN}/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=`);
    expect(h.context().hosts).toEqual({ login: LOGIN_ORIGIN, main: LOGIN_ORIGIN, push: LOGIN_ORIGIN, file: LOGIN_ORIGIN });
    expect(h.emittedOf('sessionReady')).toHaveLength(1);
    // The ticket-bearing redirect is not kept once spent.
    expect(h.context().login.redirectUri).toBeNull();
  });

  it('uses the host table for a WeChat redirect host', async () => {
    const h = startMachine(
      { timing: BASE_INPUT.timing! },
      {
        getUuid: [uuidIssued('u1')],
        pollLogin: [confirmedAnswer('https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=A@qrticket_0&uuid=u1')],
        newLoginPage: [credentialsAnswer()],
      },
    );
    await h.until(() => h.callsOf('webwxInit').length === 1);
    expect(h.inputsOf('webwxInit')[0]?.hosts).toEqual({
      login: 'https://login.wx.qq.com',
      main: 'https://wx2.qq.com',
      push: 'https://webpush.wx2.qq.com',
      file: 'https://file.wx2.qq.com',
    });
  });

  it('1203 ends with webLoginForbidden and the server message, with no webwxinit', async () => {
    const h = startMachine(BASE_INPUT, {
      getUuid: [uuidIssued('u1')],
      pollLogin: [scannedAnswer(), confirmedAnswer()],
      newLoginPage: [forbiddenAnswer()],
    });
    await h.until(() => h.top() === 'loggedOut');
    expect(h.callsOf('webwxInit')).toHaveLength(0);
    expect(h.emittedOf('logout')).toEqual([
      { type: 'logout', reason: 'webLoginForbidden', retcode: 1203, message: '为了你的帐号安全，此微信号不能登录网页微信' },
    ]);
    expect(h.states).toEqual(['uuid', 'awaitingScan', 'scanned', 'confirmed', 'loggedOut']);
  });

  it('keeps the credentials as received, pass_ticket still percent-encoded, with the one DeviceID', async () => {
    const h = startMachine(BASE_INPUT, { getUuid: [uuidIssued('u1')], pollLogin: [confirmedAnswer()], newLoginPage: [credentialsAnswer()] });
    await h.until(() => h.callsOf('webwxInit').length === 1);
    expect(h.inputsOf('webwxInit')[0]?.credentials).toEqual({
      skey: '@crypt_first_skey',
      wxsid: 'sid0001',
      wxuin: '2517452105',
      passTicket: PASS_TICKET,
      deviceId: 'e123456789012345',
    });
  });

  it('retries newloginpage after a network fault', async () => {
    const h = startMachine(BASE_INPUT, {
      getUuid: [uuidIssued('u1')],
      pollLogin: [confirmedAnswer()],
      newLoginPage: [fails(netError('webwxnewloginpage')), credentialsAnswer()],
    });
    await h.until(() => h.callsOf('webwxInit').length === 1);
    expect(h.callsOf('newLoginPage')).toHaveLength(2);
    expect(h.emittedOf('error').map((e) => e.code)).toEqual(['network']);
  });
});
