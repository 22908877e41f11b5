import { describe, expect, it } from 'vitest';
import { createActor, getNextSnapshot } from 'xstate';
import { sceneLoginMachine, statusOfValue } from '../../../src/machines/scene-login.machine.js';
import { okQr, okToken, refusedQr, scriptedMachine, settle, startScene, step, T0, topState } from './machine-helpers.js';

describe('sceneLoginMachine: creating', () => {
  it('fetches a token, creates the QR with it and waits in pending until the QR expires', async () => {
    const { machine, calls } = scriptedMachine({});
    const actor = await startScene(machine, 600);
    const s = actor.getSnapshot();
    expect(topState(s)).toBe('pending');
    expect(calls.token).toEqual([{ rejectedFingerprint: null }]);
    expect(calls.qrcode).toEqual([{ accessToken: 'token-1', fingerprint: 'fp-1', sceneId: 'scene1', expireSeconds: 600 }]);
    expect(s.context).toMatchObject({ ticket: 'TICKET', qrContent: 'http://weixin.qq.com/q/abc', createdAt: T0 });
    // The platform granted 300 s of the 600 asked for: the scene follows the platform.
    expect(s.context.expiresAt).toBe(T0 + 300_000);
  });

  it('keeps the access token out of the context and the persisted snapshot', async () => {
    const { machine } = scriptedMachine({});
    const actor = await startScene(machine);
    expect(JSON.stringify(actor.getPersistedSnapshot())).not.toContain('token-1');
  });

  it.each([40001, 40014, 42001])('refreshes the token once when qrcode/create answers %i, naming the refused token', async (errcode) => {
    const { machine, calls } = scriptedMachine({ tokens: [okToken(1), okToken(2)], qrcodes: [refusedQr(errcode, 'fp-1'), okQr()] });
    const actor = await startScene(machine);
    expect(topState(actor.getSnapshot())).toBe('pending');
    expect(calls.token).toEqual([{ rejectedFingerprint: null }, { rejectedFingerprint: 'fp-1' }]);
    expect(calls.qrcode.map((c) => c.accessToken)).toEqual(['token-1', 'token-2']);
    expect(actor.getSnapshot().context.tokenRefreshed).toBe(true);
  });

  it('fails when the refreshed token is refused too (one refresh, not a loop)', async () => {
    const { machine, calls } = scriptedMachine({
      tokens: [okToken(1), okToken(2), okToken(3)],
      qrcodes: [refusedQr(42001, 'fp-1'), refusedQr(40001, 'fp-2'), okQr()],
    });
    const actor = await startScene(machine);
    const s = actor.getSnapshot();
    expect(topState(s)).toBe('failed');
    expect(calls.token).toHaveLength(2);
    expect(s.context.error).toMatchObject({ code: 'platform', errcode: 40001 });
  });

  it('fails without retry on other platform errors and on token errors', async () => {
    const other = scriptedMachine({ qrcodes: [refusedQr(45009, 'fp-1')] });
    const a = await startScene(other.machine);
    expect(topState(a.getSnapshot())).toBe('failed');
    expect(other.calls.token).toHaveLength(1);
    expect(a.getSnapshot().context.error).toMatchObject({ code: 'platform', errcode: 45009 });

    const tokenDown = scriptedMachine({ tokens: [{ ok: false, error: { code: 'network', endpoint: 'token', message: 'down' } }] });
    const b = await startScene(tokenDown.machine);
    expect(topState(b.getSnapshot())).toBe('failed');
    expect(tokenDown.calls.qrcode).toHaveLength(0);
    expect(b.getSnapshot().context.error).toMatchObject({ code: 'network', endpoint: 'token' });
  });

  it('turns a rejected actor (a bug) into failed with code internal', async () => {
    const { machine } = scriptedMachine({});
    const broken = machine.provide({
      actors: {
        // Only the placeholder is left: it rejects.
        createQrCode: sceneLoginMachine.implementations.actors['createQrCode'] as never,
      },
    });
    const actor = createActor(broken, { input: { sceneId: 's', expireSeconds: 300, now: T0 } });
    actor.start();
    const s = await settle(actor);
    expect(topState(s)).toBe('failed');
    expect(s.context.error).toMatchObject({ code: 'internal', endpoint: 'qrcodeCreate' });
  });
});

describe('sceneLoginMachine: scanning and binding', () => {
  it('logs a follower with an account straight in', async () => {
    const { machine, calls } = scriptedMachine({ accounts: { oKnown: 'user-7' } });
    const actor = await startScene(machine);
    const s = await step(actor, { type: 'SCAN', openid: 'oKnown', follow: 'SCAN', at: T0 + 1000 });
    expect(topState(s)).toBe('loggedIn');
    expect(s.status).toBe('done');
    expect(s.context).toMatchObject({ openid: 'oKnown', follow: 'SCAN', userId: 'user-7', scannedAt: T0 + 1000, loggedInAt: T0 + 1000 });
    expect(calls.lookup).toEqual([{ openid: 'oKnown' }]);
  });

  it('asks a new follower to bind a phone number, then logs them in', async () => {
    const { machine, calls } = scriptedMachine({});
    const actor = await startScene(machine);
    let s = await step(actor, { type: 'SCAN', openid: 'oNew', follow: 'subscribe', at: T0 + 1000 });
    expect(s.value).toEqual({ needsBinding: 'waiting' });
    expect(statusOfValue(s.value)).toBe('needsBinding');
    s = await step(actor, { type: 'BIND', phone: '13800138000', at: T0 + 2000 });
    expect(topState(s)).toBe('loggedIn');
    expect(s.context.userId).toBe('user-13800138000');
    expect(calls.bind).toEqual([{ openid: 'oNew', phone: '13800138000' }]);
  });

  it('keeps waiting with a reason on a bad or taken phone number', async () => {
    const { machine, calls } = scriptedMachine({ takenPhones: ['13900000000'] });
    const actor = await startScene(machine);
    await step(actor, { type: 'SCAN', openid: 'oNew', follow: 'subscribe', at: T0 + 1 });
    let s = await step(actor, { type: 'BIND', phone: 'call me', at: T0 + 2 });
    expect(s.value).toEqual({ needsBinding: 'waiting' });
    expect(s.context.bindError).toMatchObject({ code: 'badPhone' });
    expect(calls.bind).toHaveLength(0);
    s = await step(actor, { type: 'BIND', phone: '13900000000', at: T0 + 3 });
    expect(s.value).toEqual({ needsBinding: 'waiting' });
    expect(s.context.bindError).toMatchObject({ code: 'phoneTaken' });
    s = await step(actor, { type: 'BIND', phone: '+8613700000000', at: T0 + 4 });
    expect(topState(s)).toBe('loggedIn');
    expect(s.context.bindError).toBeNull();
  });

  it('ignores replayed and second scans once scanned', async () => {
    const { machine, calls } = scriptedMachine({});
    const actor = await startScene(machine);
    await step(actor, { type: 'SCAN', openid: 'oFirst', follow: 'subscribe', at: T0 + 1 });
    const before = actor.getSnapshot();
    const s = await step(actor, { type: 'SCAN', openid: 'oSecond', follow: 'SCAN', at: T0 + 2 });
    expect(s).toBe(before);
    expect(s.context.openid).toBe('oFirst');
    expect(calls.lookup).toHaveLength(1);
  });

  it('ignores BIND before a scan', async () => {
    const { machine, calls } = scriptedMachine({});
    const actor = await startScene(machine);
    const s = await step(actor, { type: 'BIND', phone: '13800138000', at: T0 + 1 });
    expect(topState(s)).toBe('pending');
    expect(calls.bind).toHaveLength(0);
  });

  it('fails when the account lookup fails', async () => {
    const { machine } = scriptedMachine({});
    const broken = machine.provide({
      actors: { lookupBinding: sceneLoginMachine.implementations.actors['lookupBinding'] as never },
    });
    const actor = createActor(broken, { input: { sceneId: 's', expireSeconds: 300, now: T0 } });
    actor.start();
    await settle(actor);
    const s = await step(actor, { type: 'SCAN', openid: 'o1', follow: 'SCAN', at: T0 + 1 });
    expect(topState(s)).toBe('failed');
    expect(s.context.error).toMatchObject({ code: 'internal', endpoint: 'lookupBinding' });
  });
});

describe('sceneLoginMachine: expiry', () => {
  it('expires on EXPIRE at or after expiresAt, never before', async () => {
    const { machine } = scriptedMachine({});
    const actor = await startScene(machine);
    const expiresAt = actor.getSnapshot().context.expiresAt;
    let s = await step(actor, { type: 'EXPIRE', at: expiresAt - 1 });
    expect(topState(s)).toBe('pending');
    s = await step(actor, { type: 'EXPIRE', at: expiresAt });
    expect(topState(s)).toBe('expired');
    expect(s.context.expiredAt).toBe(expiresAt);
  });

  it('turns a scan that arrives after expiry into expired, without a lookup', async () => {
    const { machine, calls } = scriptedMachine({ accounts: { o1: 'user-1' } });
    const actor = await startScene(machine);
    const s = await step(actor, { type: 'SCAN', openid: 'o1', follow: 'SCAN', at: actor.getSnapshot().context.expiresAt + 5 });
    expect(topState(s)).toBe('expired');
    expect(s.context.openid).toBeNull();
    expect(calls.lookup).toHaveLength(0);
  });

  it('expires a scene waiting for a phone number, and refuses a late binding', async () => {
    const { machine, calls } = scriptedMachine({});
    const actor = await startScene(machine);
    await step(actor, { type: 'SCAN', openid: 'o1', follow: 'subscribe', at: T0 + 1 });
    const s = await step(actor, { type: 'BIND', phone: '13800138000', at: actor.getSnapshot().context.expiresAt });
    expect(topState(s)).toBe('expired');
    expect(calls.bind).toHaveLength(0);
  });

  it('stays final: nothing moves a logged-in or expired scene', async () => {
    const { machine } = scriptedMachine({ accounts: { o1: 'user-1' } });
    const actor = await startScene(machine);
    const loggedIn = await step(actor, { type: 'SCAN', openid: 'o1', follow: 'SCAN', at: T0 + 1 });
    expect(loggedIn.status).toBe('done');
    for (const event of [
      { type: 'EXPIRE', at: T0 + 10_000_000 },
      { type: 'SCAN', openid: 'o2', follow: 'subscribe', at: T0 + 2 },
      { type: 'BIND', phone: '13800138000', at: T0 + 3 },
    ] as const) {
      const later = getNextSnapshot(machine, loggedIn, event);
      expect(topState(later)).toBe('loggedIn');
      expect(later.context).toEqual(loggedIn.context);
    }
  });
});

describe('statusOfValue', () => {
  it('maps machine values to the poll status', () => {
    expect(statusOfValue({ creating: 'token' })).toBe('creating');
    expect(statusOfValue({ needsBinding: 'binding' })).toBe('needsBinding');
    expect(statusOfValue('loggedIn')).toBe('loggedIn');
    expect(statusOfValue('nonsense')).toBe('failed');
    expect(statusOfValue(null)).toBe('failed');
  });
});
