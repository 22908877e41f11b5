import { describe, expect, it } from 'vitest';
import {
  check,
  confirmedAnswer,
  credentialsAnswer,
  initAnswer,
  netError,
  notifyOk,
  scannedAnswer,
  storedSession,
  uuidIssued,
} from './fixtures.js';
import { fails, settle, startMachine, type Harness, type Script } from './harness.js';
import { BASE_INPUT } from './flows.js';
import type { WebwxActorName, WebwxInput } from '../../../src/machines/webwx.types.js';

interface Case {
  readonly state: string;
  readonly script: Script;
  readonly input?: Partial<WebwxInput>;
  /** The actor that is in flight when LOGOUT arrives. */
  readonly inFlight: WebwxActorName;
  /** Its call that is in flight (default 1: the first). */
  readonly nth?: number;
  readonly withCredentials: boolean;
}

const CASES: Case[] = [
  { state: 'uuid', script: {}, inFlight: 'getUuid', withCredentials: false },
  { state: 'awaitingScan', script: { getUuid: [uuidIssued('u1')] }, inFlight: 'pollLogin', withCredentials: false },
  // The first poll answered 201; the tip=0 poll is the one in flight.
  { state: 'scanned', script: { getUuid: [uuidIssued('u1')], pollLogin: [scannedAnswer()] }, inFlight: 'pollLogin', nth: 2, withCredentials: false },
  { state: 'confirmed', script: { getUuid: [uuidIssued('u1')], pollLogin: [confirmedAnswer()] }, inFlight: 'newLoginPage', withCredentials: false },
  {
    state: 'initialized',
    script: { getUuid: [uuidIssued('u1')], pollLogin: [confirmedAnswer()], newLoginPage: [credentialsAnswer()], webwxInit: [initAnswer()], statusNotify: [notifyOk()] },
    inFlight: 'getContact',
    withCredentials: true,
  },
  {
    state: 'syncing',
    script: {
      getUuid: [uuidIssued('u1')],
      pollLogin: [confirmedAnswer()],
      newLoginPage: [credentialsAnswer()],
      webwxInit: [initAnswer()],
      statusNotify: [notifyOk()],
      getContact: [{ ok: true, value: { BaseResponse: { Ret: 0, ErrMsg: '' }, MemberList: [] } } as never],
    },
    inFlight: 'syncCheck',
    withCredentials: true,
  },
  { state: 'restoring', script: {}, input: { stored: storedSession() }, inFlight: 'webwxInit', withCredentials: true },
];

async function reach(c: Case): Promise<Harness> {
  const h = startMachine({ ...BASE_INPUT, ...(c.input ?? {}) }, c.script);
  await h.until(() => h.top() === c.state && h.callsOf(c.inFlight).length >= (c.nth ?? 1));
  return h;
}

describe('LOGOUT', () => {
  for (const c of CASES) {
    it(`from ${c.state}: aborts the in-flight ${c.inFlight}, ${c.withCredentials ? 'calls' : 'skips'} webwxlogout, ends as user`, async () => {
      const h = await reach(c);
      const inFlight = h.callsOf(c.inFlight).at(-1)!;
      expect(inFlight.signal.aborted).toBe(false);
      h.script('logout', undefined);
      h.actor.send({ type: 'LOGOUT' });
      await settle();
      expect(inFlight.signal.aborted).toBe(true);
      expect(h.callsOf('logout')).toHaveLength(c.withCredentials ? 1 : 0);
      expect(h.top()).toBe('loggedOut');
      expect(h.emittedOf('logout')).toEqual([{ type: 'logout', reason: 'user' }]);
      expect(h.actor.getSnapshot().output).toEqual({ reason: 'user' });
    });
  }

  it('sends webwxlogout with the session it ends', async () => {
    const h = await reach(CASES.find((c) => c.state === 'restoring')!);
    h.script('logout', undefined);
    h.actor.send({ type: 'LOGOUT' });
    await settle();
    expect(h.inputsOf('logout')[0]).toEqual({ hosts: storedSession().hosts, credentials: storedSession().credentials });
  });

  it('ignores a failed webwxlogout', async () => {
    const h = await reach(CASES.find((c) => c.state === 'syncing')!);
    h.script('logout', fails(netError('webwxlogout')));
    h.actor.send({ type: 'LOGOUT' });
    await settle();
    expect(h.emittedOf('logout')).toEqual([{ type: 'logout', reason: 'user' }]);
  });

  it('fails queued sends with loggedOut, and sends made while logging out', async () => {
    const h = startMachine(BASE_INPUT, { getUuid: [uuidIssued('u1')] });
    await settle();
    h.actor.send({ type: 'SEND', to: '@a', text: 'x', clientMsgId: '1' });
    h.actor.send({ type: 'SEND', to: '@b', text: 'y', clientMsgId: '2' });
    h.actor.send({ type: 'LOGOUT' });
    await settle();
    expect(h.emittedOf('sendFailed')).toEqual([
      { type: 'sendFailed', to: '@a', clientMsgId: '1', reason: 'loggedOut' },
      { type: 'sendFailed', to: '@b', clientMsgId: '2', reason: 'loggedOut' },
    ]);
    // sendFailed comes before the logout event, so a client can settle its promises first.
    expect(h.emitted.map((e) => e.type).slice(-3)).toEqual(['sendFailed', 'sendFailed', 'logout']);
  });

  it('a SEND during the webwxlogout request is refused at once; a second LOGOUT changes nothing', async () => {
    const h = await reach(CASES.find((c) => c.state === 'syncing')!);
    h.actor.send({ type: 'LOGOUT' });
    await settle();
    expect(h.value()).toEqual({ loggingOut: 'requesting' });
    h.actor.send({ type: 'SEND', to: '@a', text: 'x', clientMsgId: '9' });
    h.actor.send({ type: 'LOGOUT' });
    await settle();
    expect(h.emittedOf('sendFailed')).toEqual([{ type: 'sendFailed', to: '@a', clientMsgId: '9', reason: 'loggedOut' }]);
    expect(h.callsOf('logout')).toHaveLength(1);
  });
});
