import { describe, expect, it } from 'vitest';
import { badResponse, netError, refused, sendOk, timeoutError } from './fixtures.js';
import { fails, settle, startMachine } from './harness.js';
import { BASE_INPUT, LOGIN_SCRIPT, startSyncing } from './flows.js';

const send = (to: string, text: string, clientMsgId: string) => ({ type: 'SEND' as const, to, text, clientMsgId });

describe('syncing: the outbox', () => {
  it('queues SENDs made before syncing and sends them once syncing, in order, one at a time', async () => {
    const h = startMachine(BASE_INPUT, LOGIN_SCRIPT);
    // Still in uuid: nothing is sent, the texts wait in the outbox.
    expect(h.top()).toBe('uuid');
    h.actor.send(send('@friend1', 'first', '17000000000000001'));
    h.actor.send(send('@friend2', 'second', '17000000000000002'));
    expect(h.context().outbox).toHaveLength(2);
    await h.until(() => h.callsOf('sendText').length > 0);
    expect(h.states).toContain('syncing');
    await settle();
    // Only the head is in flight while it is unanswered.
    expect(h.callsOf('sendText')).toHaveLength(1);
    expect(h.inputsOf('sendText')[0]).toMatchObject({ from: '@self0001', to: '@friend1', content: 'first', clientMsgId: '17000000000000001' });
    h.actor.stop();
  });

  it('answers Ret 0 with sent {to, clientMsgId, msgId} and goes on with the next', async () => {
    const h = await startSyncing({}, { sendText: [sendOk('5001'), sendOk('5002')] });
    h.actor.send(send('@friend1', 'a', '101'));
    h.actor.send(send('@friend2', 'b', '102'));
    await h.until(() => h.emittedOf('sent').length === 2);
    expect(h.emittedOf('sent')).toEqual([
      { type: 'sent', to: '@friend1', clientMsgId: '101', msgId: '5001' },
      { type: 'sent', to: '@friend2', clientMsgId: '102', msgId: '5002' },
    ]);
    expect(h.context().outbox).toEqual([]);
  });

  it('1205 waits, then retries the same clientMsgId', async () => {
    const h = await startSyncing({}, { sendText: [refused(1205), refused(1205), sendOk('77')] });
    h.actor.send(send('@friend1', 'hello', '555'));
    await h.until(() => h.callsOf('sendText').length === 1);
    await h.until(() => h.clock.nextIn() !== undefined);
    expect(h.value()).toMatchObject({ syncing: { outbox: 'waiting' } });
    await h.until(() => h.emittedOf('sent').length === 1);
    expect(h.inputsOf('sendText').map((i) => i.clientMsgId)).toEqual(['555', '555', '555']);
    expect(h.emittedOf('sendFailed')).toEqual([]);
  });

  it('1205 past the attempt budget fails the send as rateLimited', async () => {
    const h = await startSyncing({ maxSendAttempts: 2 }, { sendText: [refused(1205), refused(1205)] });
    h.actor.send(send('@friend1', 'hello', '555'));
    await h.until(() => h.emittedOf('sendFailed').length === 1);
    expect(h.emittedOf('sendFailed')).toEqual([{ type: 'sendFailed', to: '@friend1', clientMsgId: '555', reason: 'rateLimited', ret: 1205 }]);
    expect(h.callsOf('sendText')).toHaveLength(2);
  });

  it('network and timeout faults retry the same clientMsgId with back-off', async () => {
    const h = await startSyncing({}, { sendText: [fails(netError('webwxsendmsg')), fails(timeoutError('webwxsendmsg')), sendOk('9')] });
    h.actor.send(send('@friend1', 'x', '600'));
    await h.until(() => h.emittedOf('sent').length === 1);
    expect(h.inputsOf('sendText').map((i) => i.clientMsgId)).toEqual(['600', '600', '600']);
    expect(h.emittedOf('error').map((e) => e.code)).toEqual(['network', 'timeout']);
    // Send faults do not spend the sync loop's budget.
    expect(h.context().faults.consecutive).toBe(0);
  });

  it('network faults past the budget fail the send with the fault code', async () => {
    const h = await startSyncing({ maxSendAttempts: 3 }, { sendText: [1, 2, 3].map(() => fails(netError('webwxsendmsg'))) });
    h.actor.send(send('@friend1', 'x', '600'));
    await h.until(() => h.emittedOf('sendFailed').length === 1);
    expect(h.callsOf('sendText')).toHaveLength(3);
    expect(h.emittedOf('sendFailed')[0]).toEqual({ type: 'sendFailed', to: '@friend1', clientMsgId: '600', reason: 'network' });
  });

  it('another Ret fails the send at once with that ret', async () => {
    const h = await startSyncing({}, { sendText: [refused(1204), sendOk('2')] });
    h.actor.send(send('@friend1', 'x', '700'));
    h.actor.send(send('@friend2', 'y', '701'));
    await h.until(() => h.emittedOf('sent').length === 1);
    expect(h.emittedOf('sendFailed')).toEqual([{ type: 'sendFailed', to: '@friend1', clientMsgId: '700', reason: 'rejected', ret: 1204 }]);
    expect(h.inputsOf('sendText').map((i) => i.clientMsgId)).toEqual(['700', '701']);
  });

  it.each([1100, 1101, 1102])('Ret %i ends the session (remote, that retcode): the send fails with it, the queued ones as loggedOut', async (ret) => {
    const h = await startSyncing({}, { sendText: [refused(ret)] });
    h.actor.send(send('@friend1', 'x', '800'));
    h.actor.send(send('@friend2', 'y', '801'));
    await h.until(() => h.top() === 'loggedOut');
    expect(h.emittedOf('sendFailed')).toEqual([
      { type: 'sendFailed', to: '@friend1', clientMsgId: '800', reason: 'rejected', ret },
      { type: 'sendFailed', to: '@friend2', clientMsgId: '801', reason: 'loggedOut' },
    ]);
    expect(h.emittedOf('logout')).toEqual([{ type: 'logout', reason: 'remote', retcode: ret }]);
    expect(h.callsOf('sendText')).toHaveLength(1);
  });

  it('a bad response is retried with the same clientMsgId (the server dedupes it), then fails past the budget', async () => {
    const h = await startSyncing({}, { sendText: [fails(badResponse('webwxsendmsg')), sendOk('81')] });
    h.actor.send(send('@friend1', 'x', '800'));
    await h.until(() => h.emittedOf('sent').length === 1);
    expect(h.inputsOf('sendText').map((i) => i.clientMsgId)).toEqual(['800', '800']);
    expect(h.emittedOf('sendFailed')).toEqual([]);

    const spent = await startSyncing({ maxSendAttempts: 2 }, { sendText: [1, 2].map(() => fails(badResponse('webwxsendmsg'))) });
    spent.actor.send(send('@friend1', 'y', '801'));
    await spent.until(() => spent.emittedOf('sendFailed').length === 1);
    await settle();
    expect(spent.callsOf('sendText')).toHaveLength(2);
    expect(spent.emittedOf('sendFailed')[0]).toMatchObject({ clientMsgId: '801', reason: 'badResponse' });
  });
});
