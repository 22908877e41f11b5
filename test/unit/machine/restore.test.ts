import { describe, expect, it } from 'vitest';
import {
  check,
  contactPage,
  EMPTY_KEY,
  initAnswer,
  key,
  LOGIN_ORIGIN,
  netError,
  notYet,
  pushOk,
  pushRefused,
  rawMessage,
  refused,
  storedSession,
  syncAnswer,
  uuidIssued,
} from './fixtures.js';
import { fails, startMachine } from './harness.js';
import { BASE_INPUT } from './flows.js';

describe('restoring a stored session', () => {
  it('starts at restoring, probes with webwxinit, and resumes from the stored keys and dedupe window', async () => {
    const stored = storedSession({ delivered: ['m1', 'm2'] });
    const h = startMachine(
      { ...BASE_INPUT, deviceId: 'e000000000000001', stored },
      {
        webwxInit: [initAnswer({ user: '@freshSelf', syncKey: key(99, 99, 99), skey: '@crypt_refreshed' })],
        getContact: [contactPage(['@x'])],
        syncCheck: [check(0, 2)],
        webwxSync: [
          syncAnswer({
            syncKey: key(52, 62, 72),
            messages: [rawMessage('m2', '@friend1', 'seen before'), rawMessage('m3', '@friend1', 'arrived while down')],
          }),
        ],
      },
    );
    await h.until(() => h.callsOf('syncCheck').length === 2);
    expect(h.states).toEqual(['restoring', 'syncing']);
    expect(h.callsOf('getUuid')).toHaveLength(0);
    expect(h.callsOf('statusNotify')).toHaveLength(0);
    expect(h.inputsOf('webwxInit')[0]).toEqual({ hosts: stored.hosts, credentials: stored.credentials });
    // The stored position, not webwxinit's: nothing that arrived while down is skipped.
    expect(h.inputsOf('syncCheck')[0]?.syncKey).toEqual(stored.syncCheckKey);
    expect(h.inputsOf('webwxSync')[0]?.syncKey).toEqual(stored.syncKey);
    expect(h.emittedOf('messages').flatMap((m) => m.messages).map((m) => m.MsgId)).toEqual(['m3']);
    expect(h.emittedOf('messages')[0]?.messages[0]?.isSelf).toBe(false);
    // The user and skey were refreshed by the probe; the DeviceID stays the session's own.
    expect(h.emittedOf('login')).toEqual([{ type: 'login', user: { UserName: '@freshSelf', NickName: 'Me', Uin: 2517452105 } }]);
    expect(h.inputsOf('webwxSync')[0]?.credentials).toMatchObject({ skey: '@crypt_refreshed', deviceId: 'e999999999999999' });
    expect(h.emittedOf('contacts')).toHaveLength(1);
  });

  it('ignores a stored session the login origin does not lead to: a fresh QR login, no call with its credentials', async () => {
    const elsewhere = 'http://127.0.0.1:7778';
    const stored = storedSession({ hosts: { login: elsewhere, main: elsewhere, push: elsewhere, file: elsewhere } });
    const h = startMachine({ ...BASE_INPUT, deviceId: 'e000000000000001', stored }, { getUuid: [uuidIssued('u1')], pollLogin: [notYet()] });
    await h.until(() => h.callsOf('pollLogin').length === 1);
    expect(h.states[0]).toBe('uuid');
    expect(h.callsOf('webwxInit')).toHaveLength(0);
    expect(h.callsOf('pushLogin')).toHaveLength(0);
    // Nothing of the stored session is kept: not its DeviceID, keys or dedupe window.
    const context = h.actor.getSnapshot().context;
    expect([context.credentials, context.hosts, context.syncKey, context.delivered, context.deviceId]).toEqual([null, null, null, [], 'e000000000000001']);
  });

  it('takes webwxinit\'s key when the stored session has none yet (saved right after newloginpage)', async () => {
    const h = startMachine(
      { ...BASE_INPUT, stored: storedSession({ syncKey: EMPTY_KEY, syncCheckKey: null }) },
      { webwxInit: [initAnswer({ syncKey: key(7, 8) })], getContact: [contactPage([])] },
    );
    await h.until(() => h.callsOf('syncCheck').length === 1);
    expect(h.inputsOf('syncCheck')[0]?.syncKey).toEqual(key(7, 8));
  });

  it('a probe fault backs off and probes again', async () => {
    const h = startMachine(
      { ...BASE_INPUT, stored: storedSession() },
      { webwxInit: [fails(netError('webwxinit')), initAnswer()], getContact: [contactPage([])] },
    );
    await h.until(() => h.callsOf('syncCheck').length === 1);
    expect(h.callsOf('webwxInit')).toHaveLength(2);
    expect(h.callsOf('pushLogin')).toHaveLength(0);
  });

  for (const ret of [1100, 1101, 1102]) {
    it(`a dead session (Ret ${ret}) asks for push login and polls with the pushed uuid`, async () => {
      const stored = storedSession();
      const h = startMachine(
        { ...BASE_INPUT, stored },
        { webwxInit: [refused(ret)], pushLogin: [pushOk('pushed-uuid')], pollLogin: [notYet(25_000)] },
      );
      await h.until(() => h.callsOf('pollLogin').length === 1);
      expect(h.emittedOf('sessionExpired')).toEqual([{ type: 'sessionExpired', retcode: ret }]);
      expect(h.inputsOf('pushLogin')).toEqual([{ hosts: stored.hosts, wxuin: '1234567' }]);
      expect(h.states).toEqual(['restoring', 'awaitingScan']);
      expect(h.emittedOf('qr')).toEqual([
        { type: 'qr', uuid: 'pushed-uuid', qrUrl: 'https://login.weixin.qq.com/l/pushed-uuid', imageUrl: `${LOGIN_ORIGIN}/qrcode/pushed-uuid` },
      ]);
      expect(h.inputsOf('pollLogin')[0]).toMatchObject({ uuid: 'pushed-uuid', tip: 1 });
      expect(h.callsOf('getUuid')).toHaveLength(0);
      // The dead credentials are gone: a LOGOUT now would not send webwxlogout with them.
      expect(h.context().credentials).toBeNull();
    });
  }

  it('a refused push login falls back to a new QR', async () => {
    const h = startMachine(
      { ...BASE_INPUT, stored: storedSession() },
      { webwxInit: [refused(1101)], pushLogin: [pushRefused()], getUuid: [uuidIssued('fresh')] },
    );
    await h.until(() => h.callsOf('pollLogin').length === 1);
    expect(h.states).toEqual(['restoring', 'uuid', 'awaitingScan']);
    expect(h.emittedOf('qr').map((q) => q.uuid)).toEqual(['fresh']);
  });

  it('a failed push login falls back to a new QR', async () => {
    const h = startMachine(
      { ...BASE_INPUT, stored: storedSession() },
      { webwxInit: [refused(1100)], pushLogin: [fails(netError('webwxpushloginurl'))], getUuid: [uuidIssued('fresh')] },
    );
    await h.until(() => h.callsOf('getUuid').length === 1);
    expect(h.states).toEqual(['restoring', 'uuid', 'awaitingScan']);
    expect(h.emittedOf('error').map((e) => e.code)).toEqual(['network']);
  });

  it('a stored session starts fresh at restoring.probing, with no timer carried over', async () => {
    const h = startMachine({ ...BASE_INPUT, stored: storedSession() }, {});
    await h.until(() => h.callsOf('webwxInit').length === 1);
    expect(h.value()).toEqual({ restoring: 'probing' });
    expect(h.clock.nextIn()).toBeUndefined();
  });
});
