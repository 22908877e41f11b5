import { describe, expect, it } from 'vitest';
import {
  confirmedAnswer,
  contact,
  contactPage,
  credentialsAnswer,
  initAnswer,
  key,
  netError,
  notifyOk,
  PASS_TICKET,
  refused,
  SELF,
  uuidIssued,
} from './fixtures.js';
import { fails, startMachine } from './harness.js';
import { BASE_INPUT } from './flows.js';

const upToInit = {
  getUuid: [uuidIssued('u1')],
  pollLogin: [confirmedAnswer()],
  newLoginPage: [credentialsAnswer()],
};

describe('initialized', () => {
  it('runs webwxinit → statusnotify → every contact page → syncing, emitting login and contacts', async () => {
    const h = startMachine(BASE_INPUT, {
      ...upToInit,
      webwxInit: [initAnswer({ skey: '@crypt_fresh', contacts: [contact('@friend1'), contact('@@group1')] })],
      statusNotify: [notifyOk()],
      getContact: [contactPage(['@friend2', '@friend1'], 5), contactPage(['@friend3'], 9), contactPage(['@friend4'], 0)],
    });
    await h.until(() => h.top() === 'syncing');
    expect(h.states).toEqual(['uuid', 'awaitingScan', 'confirmed', 'initialized', 'syncing']);
    expect(h.emittedOf('login')).toEqual([{ type: 'login', user: { UserName: SELF, NickName: 'Me', Uin: 2517452105 } }]);
    expect(h.inputsOf('getContact').map((i) => i.seq)).toEqual([0, 5, 9]);
    // @friend1 is both a recent chat and on a page: counted once.
    expect(h.emittedOf('contacts')).toEqual([{ type: 'contacts', count: 5 }]);
    const notify = h.inputsOf('statusNotify')[0];
    expect(notify?.userName).toBe(SELF);
    // SKey from webwxinit replaced the skey for everything after it; pass_ticket stays as the XML's text.
    expect(notify?.credentials.skey).toBe('@crypt_fresh');
    expect(h.inputsOf('getContact').every((i) => i.credentials.skey === '@crypt_fresh')).toBe(true);
    expect(h.inputsOf('syncCheck')[0]?.credentials.passTicket).toBe(PASS_TICKET);
    expect(h.inputsOf('syncCheck')[0]?.syncKey).toEqual(key(10, 20, 30));
    // One DeviceID for every request of the session.
    const ids = h.calls.flatMap((c) => {
      const creds = (c.input as { credentials?: { deviceId: string } }).credentials;
      return creds ? [creds.deviceId] : [];
    });
    expect(new Set(ids)).toEqual(new Set(['e123456789012345']));
    expect(ids.length).toBeGreaterThan(4);
  });

  it('keeps the skey when webwxinit answers an empty SKey', async () => {
    const h = startMachine(BASE_INPUT, {
      ...upToInit,
      webwxInit: [initAnswer({ skey: '' })],
      statusNotify: [notifyOk()],
      getContact: [contactPage([])],
    });
    await h.until(() => h.top() === 'syncing');
    expect(h.context().credentials?.skey).toBe('@crypt_first_skey');
  });

  it('a status notify failure is reported but does not stop the login', async () => {
    const h = startMachine(BASE_INPUT, {
      ...upToInit,
      webwxInit: [initAnswer()],
      statusNotify: [fails(netError('webwxstatusnotify'))],
      getContact: [contactPage([])],
    });
    await h.until(() => h.top() === 'syncing');
    expect(h.emittedOf('error').map((e) => e.message)).toEqual(['webwxstatusnotify: network failure (ECONNRESET)']);
    expect(h.context().faults.consecutive).toBe(0);
  });

  it('retries webwxinit after a fault or a refusal, then proceeds', async () => {
    const h = startMachine(BASE_INPUT, {
      ...upToInit,
      webwxInit: [fails(netError('webwxinit')), refused(1, 'busy'), initAnswer()],
      statusNotify: [notifyOk()],
      getContact: [contactPage([])],
    });
    await h.until(() => h.top() === 'syncing');
    expect(h.callsOf('webwxInit')).toHaveLength(3);
    expect(h.emittedOf('error').map((e) => e.code)).toEqual(['network', 'refused']);
    expect(h.emittedOf('login')).toHaveLength(1);
  });

  it('retries a failed contact page at the same Seq', async () => {
    const h = startMachine(BASE_INPUT, {
      ...upToInit,
      webwxInit: [initAnswer()],
      statusNotify: [notifyOk()],
      getContact: [contactPage(['@a'], 7), fails(netError('webwxgetcontact')), contactPage(['@b'], 0)],
    });
    await h.until(() => h.top() === 'syncing');
    expect(h.inputsOf('getContact').map((i) => i.seq)).toEqual([0, 7, 7]);
  });

  it('stops paging when the server repeats the Seq it was asked for', async () => {
    const h = startMachine(BASE_INPUT, {
      ...upToInit,
      webwxInit: [initAnswer()],
      statusNotify: [notifyOk()],
      getContact: [contactPage(['@a'], 7), contactPage(['@b'], 7)],
    });
    await h.until(() => h.top() === 'syncing');
    expect(h.inputsOf('getContact').map((i) => i.seq)).toEqual([0, 7]);
  });

  it('webwxinit Ret 1101 ends the session as remote', async () => {
    const h = startMachine(BASE_INPUT, { ...upToInit, webwxInit: [refused(1101)] });
    await h.until(() => h.top() === 'loggedOut');
    expect(h.emittedOf('logout')).toEqual([{ type: 'logout', reason: 'remote', retcode: 1101 }]);
    expect(h.callsOf('statusNotify')).toHaveLength(0);
  });
});
