import { describe, expect, it } from 'vitest';
import { CookieJar } from 'tough-cookie';
import { createWebwxClient, SendError, type WebwxClientOptions } from '../../../src/client.js';
import { memorySessionStore } from '../../../src/session/memory.js';
import { SessionStoreError } from '../../../src/session/errors.js';
import type { SessionStore, StoredSession } from '../../../src/session/types.js';
import type { ServiceDeps } from '../../../src/services/index.js';
import type { Message } from '../../../src/codecs/content.js';
import {
  check,
  initAnswer,
  key,
  LOGIN_ORIGIN,
  rawMessage,
  refused,
  sendOk,
  storedSession,
  syncAnswer,
  contactPage,
} from '../machine/fixtures.js';
import { scriptedActors, settle, TestClock, type Script } from '../machine/harness.js';
import { LOGIN_SCRIPT } from '../machine/flows.js';
import { hasFastProperties } from '../../support/v8-shape.js';

function merge(a: Script, b: Script): Script {
  const out: Record<string, unknown[]> = {};
  for (const [name, steps] of Object.entries(a)) out[name] = [...(steps as unknown[])];
  for (const [name, steps] of Object.entries(b)) out[name] = [...(out[name] ?? []), ...(steps as unknown[])];
  return out as Script;
}

function makeClient(script: Script, options: Partial<WebwxClientOptions> = {}) {
  const scripted = scriptedActors(script);
  const clock = new TestClock();
  const seenDeps: ServiceDeps[] = [];
  let t = 1_700_000_000_000;
  const client = createWebwxClient({
    loginOrigin: LOGIN_ORIGIN,
    delays: { pollPauseMs: 1000, checkPauseMs: 1000, backoffBaseMs: 100, backoffMaxMs: 1000, sendRetryBaseMs: 100, sendRetryMaxMs: 500 },
    clock,
    now: () => t,
    random: () => 0.5,
    actors: (deps) => {
      seenDeps.push(deps);
      return scripted.actors as never;
    },
    ...options,
  });
  const advance = (ms: number) => {
    t += ms;
  };
  /** Fires timers until `done` holds. */
  async function until(done: () => boolean, maxSteps = 100): Promise<void> {
    await settle();
    for (let i = 0; i < maxSteps && !done(); i++) {
      const next = clock.nextIn();
      if (next === undefined) break;
      clock.increment(next);
      await settle();
    }
    if (!done()) throw new Error(`condition not reached; client state ${client.state()}`);
  }
  return { client, scripted, clock, seenDeps, until, advance };
}

function record(client: ReturnType<typeof createWebwxClient>): string[] {
  const log: string[] = [];
  for (const name of ['state', 'qr', 'scanned', 'login', 'contacts', 'message', 'sent', 'sendFailed', 'error', 'logout'] as const) {
    client.on(name, (payload: unknown) => {
      const p = payload as Record<string, unknown>;
      log.push(name === 'state' ? `state:${String(p['state'])}` : name === 'logout' ? `logout:${String(p['reason'])}` : name);
    });
  }
  return log;
}

describe('createWebwxClient', () => {
  it('reports states and events in order, never loggingOut, and resolves done on logout', async () => {
    const { client, scripted, until } = makeClient(merge(LOGIN_SCRIPT, { logout: [undefined] }));
    const log = record(client);
    await client.start();
    await until(() => client.state() === 'syncing');
    expect(log).toEqual([
      'state:uuid',
      'state:awaitingScan',
      'qr',
      'state:scanned',
      'scanned',
      'state:confirmed',
      'state:initialized',
      'login',
      // Contact loading ends the initialization: it is told before the state it leads into.
      'contacts',
      'state:syncing',
    ]);
    const info = await client.logout();
    expect(info).toEqual({ reason: 'user' });
    await expect(client.done).resolves.toEqual({ reason: 'user' });
    expect(log.slice(-2)).toEqual(['state:loggedOut', 'logout:user']);
    expect(log).not.toContain('state:loggingOut');
    expect(scripted.calls.filter((c) => c.name === 'logout')).toHaveLength(1);
    expect(client.state()).toBe('loggedOut');
  });

  it('messages() yields each message once and ends when the session ends', async () => {
    const { client, until } = makeClient(
      merge(LOGIN_SCRIPT, {
        syncCheck: [check(0, 2), check(0, 2), check(1101, 0)],
        webwxSync: [
          syncAnswer({ syncKey: key(11), messages: [rawMessage('m1', '@friend1', 'one'), rawMessage('m2', '@@g', '@x:<br/>two')] }),
          syncAnswer({ syncKey: key(12), messages: [rawMessage('m2', '@@g', '@x:<br/>two'), rawMessage('m3', '@friend1', 'three')] }),
        ],
        batchGetContact: [refused(1), refused(1), refused(1)],
      }),
    );
    const iterator = client.messages();
    const collected: Message[] = [];
    const consumer = (async () => {
      for await (const message of iterator) collected.push(message);
    })();
    await client.start();
    await until(() => client.state() === 'loggedOut');
    await consumer;
    expect(collected.map((m) => [m.MsgId, m.Content])).toEqual([
      ['m1', 'one'],
      ['m2', 'two'],
      ['m3', 'three'],
    ]);
    expect(collected[1]?.SenderUserName).toBe('@x');
    await expect(client.done).resolves.toEqual({ reason: 'remote', retcode: 1101 });
  });

  it('an iterator closed early stops receiving', async () => {
    const { client, until } = makeClient(
      merge(LOGIN_SCRIPT, {
        syncCheck: [check(0, 2)],
        webwxSync: [syncAnswer({ messages: [rawMessage('m1', '@friend1', 'one'), rawMessage('m2', '@friend1', 'two')] })],
      }),
    );
    const iterator = client.messages();
    const first = iterator.next();
    await client.start();
    await until(() => client.state() === 'syncing');
    await expect(first).resolves.toMatchObject({ done: false, value: { MsgId: 'm1' } });
    await iterator.return?.();
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('send() resolves with the clientMsgId and the server MsgID; ids strictly increase in one millisecond', async () => {
    const { client, scripted, until } = makeClient(merge(LOGIN_SCRIPT, { sendText: [sendOk('m-100'), sendOk('m-101')] }));
    await client.start();
    // Sent before syncing: queued by the machine, sent once it syncs.
    const a = client.send('@friend1', 'hello');
    const b = client.send('@friend2', 'world');
    await until(() => scripted.calls.filter((c) => c.name === 'sendText').length === 2);
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.msgId).toBe('m-100');
    expect(rb.msgId).toBe('m-101');
    expect(BigInt(rb.clientMsgId)).toBeGreaterThan(BigInt(ra.clientMsgId));
    expect(ra.clientMsgId).toMatch(/^\d{17}$/);
    const sentIds = scripted.calls.filter((c) => c.name === 'sendText').map((c) => (c.input as { clientMsgId: string }).clientMsgId);
    expect(sentIds).toEqual([ra.clientMsgId, rb.clientMsgId]);
  });

  it('send() rejects with a SendError carrying the reason and Ret', async () => {
    const { client, until } = makeClient(merge(LOGIN_SCRIPT, { sendText: [refused(1204)] }));
    await client.start();
    await until(() => client.state() === 'syncing');
    const failure = await client.send('@friend1', 'x').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(SendError);
    expect(failure).toMatchObject({ code: 'sendFailed', reason: 'rejected', ret: 1204, to: '@friend1' });
  });

  it('send() after the end rejects with loggedOut; a queued send is failed by the logout', async () => {
    const { client } = makeClient({});
    await client.start();
    const queued = client.send('@friend1', 'x').catch((err: unknown) => err);
    await client.logout();
    expect(await queued).toMatchObject({ reason: 'loggedOut' });
    await expect(client.send('@friend1', 'y')).rejects.toMatchObject({ reason: 'loggedOut' });
  });

  it('persists the session once credentials and user are known, before any sync', async () => {
    const store = memorySessionStore();
    const { client, until } = makeClient(LOGIN_SCRIPT, { session: store });
    await client.start();
    await until(() => client.state() === 'syncing');
    await settle();
    const saved = await store.load();
    expect(saved).toMatchObject({
      version: 1,
      syncKey: key(10, 20, 30),
      syncCheckKey: null,
      delivered: [],
      user: { UserName: '@self0001', NickName: 'Me', Uin: 2517452105 },
      hosts: { main: LOGIN_ORIGIN, push: LOGIN_ORIGIN },
      uos: false,
    });
    expect(saved?.credentials.deviceId).toMatch(/^e\d{15}$/);
    expect(saved?.credentials.passTicket).toBe('MX4l%2Fabc%2Bdef');
    expect(saved?.cookies).toMatchObject({ cookies: [] });
  });

  it('persists keys after every checkpoint, and only keys whose messages were already emitted', async () => {
    const emittedIds: string[] = [];
    const violations: string[] = [];
    const inner = memorySessionStore();
    const store: SessionStore = {
      load: () => inner.load(),
      clear: () => inner.clear(),
      save: async (session) => {
        for (const id of session.delivered) if (!emittedIds.includes(id)) violations.push(id);
        await inner.save(session);
      },
    };
    const { client, until } = makeClient(
      merge(LOGIN_SCRIPT, {
        syncCheck: [check(0, 2), check(0, 2)],
        webwxSync: [
          syncAnswer({ syncKey: key(41, 42), syncCheckKey: key(43, 44), messages: [rawMessage('m1', '@friend1', 'hi')] }),
          syncAnswer({ syncKey: key(51, 52), messages: [rawMessage('m2', '@friend1', 'again'), rawMessage('m3', '@friend1', 'more')] }),
        ],
      }),
      { session: store },
    );
    client.on('message', ({ message }) => emittedIds.push(message.MsgId));
    await client.start();
    await until(() => emittedIds.length === 3);
    await settle();
    const saved = await store.load();
    expect(saved).toMatchObject({ syncKey: key(51, 52), syncCheckKey: key(43, 44), delivered: ['m1', 'm2', 'm3'] });
    expect(violations).toEqual([]);
  });

  it('resumes a stored session: restoring, stored credentials, DeviceID and cookies', async () => {
    const jar = new CookieJar();
    jar.setCookieSync('wxuin=1234567; Domain=qq.com; Path=/', 'https://wx.qq.com/');
    const stored = storedSession({ cookies: jar.serializeSync() });
    const store = memorySessionStore(stored);
    const { client, scripted, seenDeps, until } = makeClient(
      { webwxInit: [initAnswer()], getContact: [contactPage([])] },
      { session: store },
    );
    const log = record(client);
    await client.start();
    await until(() => client.state() === 'syncing');
    expect(log.filter((l) => l.startsWith('state:'))).toEqual(['state:restoring', 'state:syncing']);
    expect((scripted.calls[0]?.input as { credentials: unknown }).credentials).toEqual(stored.credentials);
    expect(client.session()?.credentials.deviceId).toBe('e999999999999999');
    expect(seenDeps[0]?.cookieJar.getCookieStringSync('https://webpush.wx.qq.com/')).toContain('wxuin=1234567');
    const syncCheckInput = scripted.calls.find((c) => c.name === 'syncCheck')?.input as { syncKey: unknown };
    expect(syncCheckInput.syncKey).toEqual(stored.syncCheckKey);
  });

  it('forgets a stored session found dead, and after a remote logout', async () => {
    const store = memorySessionStore(storedSession());
    const { client, until } = makeClient({ webwxInit: [refused(1101)], pushLogin: [{ ok: false, ret: '1', msg: '' }] }, { session: store });
    await client.start();
    await until(() => client.state() === 'uuid' || client.state() === 'awaitingScan');
    await settle();
    await expect(store.load()).resolves.toBeNull();

    const store2 = memorySessionStore();
    const second = makeClient(merge(LOGIN_SCRIPT, { syncCheck: [check(1100, 0)] }), { session: store2 });
    await second.client.start();
    await second.until(() => second.client.state() === 'loggedOut');
    await settle();
    await expect(store2.load()).resolves.toBeNull();
  });

  it('keeps the stored session when stopped without logout', async () => {
    const store = memorySessionStore();
    const { client, scripted, until } = makeClient(LOGIN_SCRIPT, { session: store });
    await client.start();
    await until(() => client.state() === 'syncing');
    const inFlight = scripted.calls.find((c) => c.name === 'syncCheck');
    const info = await client.stop();
    expect(info.reason).toBe('user');
    expect(inFlight?.signal.aborted).toBe(true);
    expect(scripted.calls.filter((c) => c.name === 'logout')).toHaveLength(0);
    await settle();
    await expect(store.load()).resolves.not.toBeNull();
  });

  it('start() rejects with the store\'s typed error when it refuses to load', async () => {
    const refusing: SessionStore = {
      load: async () => {
        throw new SessionStoreError({ code: 'sessionInsecure', message: 'session file is readable by others' });
      },
      save: async () => undefined,
      clear: async () => undefined,
    };
    const { client, scripted } = makeClient(LOGIN_SCRIPT, { session: refusing });
    const failure = await client.start().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(SessionStoreError);
    expect(failure).toMatchObject({ code: 'sessionInsecure' });
    expect(scripted.calls).toHaveLength(0);
  });

  it('reports a throwing handler as an error event and keeps going', async () => {
    const { client, until } = makeClient(LOGIN_SCRIPT);
    const errors: { code: string; message: string }[] = [];
    client.on('error', (e) => errors.push(e));
    client.on('qr', () => {
      throw new Error('handler bug skey=SECRET');
    });
    client.on('error', () => {
      throw new Error('an error handler that throws is not reported again');
    });
    await client.start();
    await until(() => client.state() === 'syncing');
    expect(errors).toEqual([{ code: 'handlerError', message: 'qr handler threw: handler bug skey=***' }]);
  });

  it('on() returns an unsubscribe function', async () => {
    const { client, until } = makeClient(LOGIN_SCRIPT);
    const states: string[] = [];
    const off = client.on('state', ({ state }) => {
      states.push(state);
      off();
    });
    await client.start();
    await until(() => client.state() === 'syncing');
    expect(states).toEqual(['uuid']);
  });

  it('every client stays a fast object, and each reads its own actor', async () => {
    // The first client of a process was fast even with a getter per client; the later ones were not.
    const clients = [makeClient({}), makeClient({}), makeClient({})];
    expect(clients.map(({ client }) => hasFastProperties(client))).toEqual([true, true, true]);
    expect(() => clients[0]!.client.actor).toThrow(/once start\(\) was called/);
    await Promise.all(clients.map(({ client }) => client.start()));
    const actors = clients.map(({ client }) => client.actor);
    expect(new Set(actors).size).toBe(3);
    expect(Object.keys(clients[1]!.client)).toContain('actor');
    const getter = Object.getOwnPropertyDescriptor(clients[0]!.client, 'actor')!.get!;
    expect(() => getter.call({})).toThrow(TypeError);
    for (const { client } of clients) await client.stop();
  });

  it('passes inspect to the actor', async () => {
    const seen: string[] = [];
    const { client, until } = makeClient(LOGIN_SCRIPT, { inspect: (event) => seen.push(event.type) });
    await client.start();
    await until(() => client.state() === 'syncing');
    expect(seen).toContain('@xstate.snapshot');
    expect(seen).toContain('@xstate.event');
  });

  it('gives every client its own deps (cookie jar, DeviceID); only the stateless got instances are shared', async () => {
    const one = makeClient(LOGIN_SCRIPT, { random: Math.random });
    const two = makeClient(LOGIN_SCRIPT, { random: Math.random });
    await one.client.start();
    await two.client.start();
    const [a] = one.seenDeps;
    const [b] = two.seenDeps;
    expect(a).toBeDefined();
    expect(a).not.toBe(b);
    expect(a?.cookieJar).not.toBe(b?.cookieJar);
    // got instances hold configuration only; the cookies travel with each request from the client's jar.
    expect(a?.http.main).toBe(b?.http.main);
    a?.cookieJar.setCookieSync('wxsid=only-one; Domain=qq.com; Path=/', 'https://wx.qq.com/');
    expect(b?.cookieJar.getCookieStringSync('https://wx.qq.com/')).toBe('');
    await one.until(() => one.client.state() === 'syncing');
    await two.until(() => two.client.state() === 'syncing');
    expect(one.client.session()?.credentials.deviceId).not.toBe(two.client.session()?.credentials.deviceId);
    await one.client.stop();
    await two.client.stop();
  });

  it('logout before start ends without a request', async () => {
    const { client, scripted } = makeClient(LOGIN_SCRIPT);
    await expect(client.logout()).resolves.toEqual({ reason: 'user' });
    await client.start();
    expect(scripted.calls).toHaveLength(0);
  });
});

// Keeps the import of StoredSession meaningful for readers: the saved value is one.
export type SavedSession = StoredSession;
