import { describe, expect, it } from 'vitest';
import {
  batchAnswer,
  check,
  contact,
  EMPTY_KEY,
  initAnswer,
  key,
  netError,
  rawMessage,
  refused,
  SELF,
  syncAnswer,
  timeoutError,
} from './fixtures.js';
import { fails, settle, startMachine, type Harness } from './harness.js';
import type { WebwxContext } from '../../../src/machines/webwx.types.js';
import { BASE_INPUT, LOGIN_SCRIPT, startSyncing } from './flows.js';

describe('syncing: the loop', () => {
  it('selector 0 checks again without webwxsync (pausing when it came back at once)', async () => {
    const h = await startSyncing({}, { syncCheck: [check(0, 0, 25_000), check(0, 0, 0)] });
    await h.until(() => h.callsOf('syncCheck').length === 3);
    expect(h.callsOf('webwxSync')).toHaveLength(0);
    // The second one came back at once: the machine rests the whole check pause before the third.
    expect(h.value()).toMatchObject({ syncing: { loop: 'checking' } });
  });

  it('an idle round after a hold clears a fault left over, and otherwise leaves the context as it was', async () => {
    // The context each synccheck starts from, read when the scripted answer is asked for.
    const startedFrom: WebwxContext[] = [];
    let h: Harness | undefined;
    const heldEmpty = () => {
      startedFrom.push(h!.context());
      return check(0, 0);
    };
    h = await startSyncing({}, { syncCheck: [fails(netError('synccheck')), check(0, 0), heldEmpty, heldEmpty, heldEmpty] });
    await h.until(() => h!.callsOf('syncCheck').length === 6);
    expect(h.emittedOf('error')).toHaveLength(1);
    // The round after the back-off cleared the tally...
    expect(startedFrom[0]!.faults).toEqual({ consecutive: 0, last: null });
    // ...and, with nothing to clear, the next rounds did not even copy the context (an assign was
    // a sixth of what an idle session allocates per round).
    expect(startedFrom[1]).toBe(startedFrom[0]);
    expect(startedFrom[2]).toBe(startedFrom[0]);
    expect(h.context()).toBe(startedFrom[0]);
  });

  it('rests the rest of the check pause after an immediate selector 0', async () => {
    const h = await startSyncing({}, { syncCheck: [check(0, 0, 0)] });
    await h.until(() => h.clock.nextIn() !== undefined);
    expect(h.value()).toMatchObject({ syncing: { loop: 'resting' } });
    expect(h.clock.nextIn()).toBe(1000);
  });

  for (const selector of [2, 3, 4, 6, 7]) {
    it(`selector ${selector} calls webwxsync, then checks again with the new keys`, async () => {
      const h = await startSyncing(
        {},
        { syncCheck: [check(0, selector)], webwxSync: [syncAnswer({ syncKey: key(12, 22, 32), syncCheckKey: key(13, 23, 33) })] },
      );
      await h.until(() => h.callsOf('syncCheck').length === 2);
      expect(h.callsOf('webwxSync')).toHaveLength(1);
      expect(h.inputsOf('webwxSync')[0]?.syncKey).toEqual(key(10, 20, 30));
      // synccheck uses SyncCheckKey once there is one.
      expect(h.inputsOf('syncCheck').map((i) => i.syncKey)).toEqual([key(10, 20, 30), key(13, 23, 33)]);
      expect(h.context().syncKey).toEqual(key(12, 22, 32));
    });
  }

  it('calls webwxsync again at once while ContinueFlag is set, with the updated key', async () => {
    const h = await startSyncing(
      {},
      {
        syncCheck: [check(0, 2)],
        webwxSync: [
          syncAnswer({ syncKey: key(11), continueFlag: 1, messages: [rawMessage('a1', '@friend1', 'one')] }),
          syncAnswer({ syncKey: key(12), continueFlag: 2, messages: [rawMessage('a2', '@friend1', 'two')] }),
          syncAnswer({ syncKey: key(13), continueFlag: 0 }),
        ],
      },
    );
    await h.until(() => h.callsOf('syncCheck').length === 2);
    expect(h.inputsOf('webwxSync').map((i) => i.syncKey)).toEqual([key(10, 20, 30), key(11), key(12)]);
    expect(h.emittedOf('messages').flatMap((m) => m.messages).map((m) => m.MsgId)).toEqual(['a1', 'a2']);
    expect(h.inputsOf('syncCheck')[1]?.syncKey).toEqual(key(13));
  });

  it('never replaces a key with an empty one', async () => {
    const h = await startSyncing(
      {},
      {
        syncCheck: [check(0, 2), check(0, 2)],
        webwxSync: [
          syncAnswer({ syncKey: key(11, 21), syncCheckKey: key(14, 24) }),
          syncAnswer({ syncKey: EMPTY_KEY, syncCheckKey: EMPTY_KEY, messages: [rawMessage('x', '@friend1', 'hi')] }),
        ],
      },
    );
    await h.until(() => h.callsOf('syncCheck').length === 3);
    expect(h.context().syncKey).toEqual(key(11, 21));
    expect(h.context().syncCheckKey).toEqual(key(14, 24));
    expect(h.inputsOf('syncCheck')[2]?.syncKey).toEqual(key(14, 24));
    expect(h.emittedOf('checkpoint').at(-1)).toMatchObject({ syncKey: key(11, 21), syncCheckKey: key(14, 24) });
  });

  it('takes a new SKey from webwxsync for the requests after it', async () => {
    const h = await startSyncing({}, { syncCheck: [check(0, 2)], webwxSync: [syncAnswer({ skey: '@crypt_rotated' })] });
    await h.until(() => h.callsOf('syncCheck').length === 2);
    expect(h.inputsOf('syncCheck')[1]?.credentials.skey).toBe('@crypt_rotated');
  });

  for (const retcode of [1100, 1101, 1102, 1205]) {
    it(`synccheck retcode ${retcode} ends the session as remote with that retcode`, async () => {
      const h = await startSyncing({}, { syncCheck: [check(retcode, 0)] });
      await h.until(() => h.top() === 'loggedOut');
      expect(h.emittedOf('logout')).toEqual([{ type: 'logout', reason: 'remote', retcode }]);
      expect(h.callsOf('webwxSync')).toHaveLength(0);
      expect(h.callsOf('logout')).toHaveLength(0);
    });
  }

  it('webwxsync Ret 1101 ends the session as remote', async () => {
    const h = await startSyncing({}, { syncCheck: [check(0, 2)], webwxSync: [refused(1101)] });
    await h.until(() => h.top() === 'loggedOut');
    expect(h.emittedOf('logout')).toEqual([{ type: 'logout', reason: 'remote', retcode: 1101 }]);
  });

  it('a fault emits error, backs off, then checks again; a success resets the budget', async () => {
    const h = await startSyncing(
      {},
      {
        syncCheck: [fails(netError('synccheck')), fails(timeoutError('synccheck')), check(0, 2), check(0, 2)],
        webwxSync: [refused(1, 'odd'), syncAnswer()],
      },
    );
    await h.until(() => h.callsOf('syncCheck').length === 5);
    expect(h.emittedOf('error').map((e) => [e.code, e.message])).toEqual([
      ['network', 'synccheck: network failure (ECONNRESET)'],
      ['timeout', 'synccheck: no answer within 35000 ms'],
      ['refused', 'webwxsync answered 1 (odd)'],
    ]);
    expect(h.context().faults.consecutive).toBe(0);
    expect(h.top()).toBe('syncing');
  });

  it('backs off exponentially between consecutive faults', async () => {
    const h = await startSyncing(
      { timing: { backoffBaseMs: 1000, backoffMaxMs: 100_000 } },
      { syncCheck: [fails(netError('synccheck')), fails(netError('synccheck')), fails(netError('synccheck'))] },
    );
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      await h.until(() => h.clock.nextIn() !== undefined);
      waits.push(h.clock.nextIn() ?? 0);
      await h.fire();
    }
    expect(waits[0]).toBeGreaterThanOrEqual(500);
    expect(waits[0]).toBeLessThanOrEqual(1000);
    expect(waits[1]).toBeGreaterThanOrEqual(1000);
    expect(waits[1]).toBeLessThanOrEqual(2000);
    expect(waits[2]).toBeGreaterThanOrEqual(2000);
    expect(waits[2]).toBeLessThanOrEqual(4000);
  });

  it('gives up with tooManyFailures after maxConsecutiveFailures faults in a row', async () => {
    const faults = Array.from({ length: 4 }, () => fails(netError('synccheck')));
    const h = await startSyncing({ maxConsecutiveFailures: 4 }, { syncCheck: faults });
    await h.until(() => h.top() === 'loggedOut');
    expect(h.callsOf('syncCheck')).toHaveLength(4);
    expect(h.emittedOf('error')).toHaveLength(4);
    expect(h.emittedOf('logout')[0]).toMatchObject({ reason: 'tooManyFailures' });
  });

  it('rests before checking again when a sync brought nothing new', async () => {
    const h = await startSyncing({}, { syncCheck: [check(0, 2, 0)], webwxSync: [syncAnswer({ syncKey: key(10, 20, 30) })] });
    await h.until(() => h.callsOf('webwxSync').length === 1 && h.clock.nextIn() !== undefined);
    expect(h.value()).toMatchObject({ syncing: { loop: 'resting' } });
    expect(h.clock.nextIn()).toBe(1000);
    expect(h.callsOf('syncCheck')).toHaveLength(1);
  });

  it('rests too when the sync brought nothing but a moved key (a server answering selector 7 at once, forever, gets no spin)', async () => {
    const h = await startSyncing({}, { syncCheck: [check(0, 7, 0)], webwxSync: [syncAnswer({ syncKey: key(11, 21, 31) })] });
    await h.until(() => h.callsOf('webwxSync').length === 1 && h.clock.nextIn() !== undefined);
    expect(h.value()).toMatchObject({ syncing: { loop: 'resting' } });
    expect(h.clock.nextIn()).toBe(1000);
    expect(h.callsOf('syncCheck')).toHaveLength(1);
    // The moved key is taken all the same.
    expect(h.context().syncKey).toEqual(key(11, 21, 31));
  });

  it('rests after a sync that only changed a contact, and applies the change', async () => {
    const h = await startSyncing(
      {},
      { syncCheck: [check(0, 4, 0)], webwxSync: [syncAnswer({ syncKey: key(10, 20, 30), mod: [contact('@friend1', 'Renamed')] })] },
    );
    await h.until(() => h.callsOf('webwxSync').length === 1 && h.clock.nextIn() !== undefined);
    expect(h.value()).toMatchObject({ syncing: { loop: 'resting' } });
    expect(h.clock.nextIn()).toBe(1000);
    expect(h.context().contacts['@friend1']?.NickName).toBe('Renamed');
  });
});

describe('syncing: messages', () => {
  it('emits each MsgId once, in server order, across answers, then a checkpoint covering them', async () => {
    const h = await startSyncing(
      {},
      {
        syncCheck: [check(0, 2), check(0, 2)],
        webwxSync: [
          syncAnswer({ syncKey: key(11), messages: [rawMessage('m1', '@friend1', 'a'), rawMessage('m2', '@friend1', 'b'), rawMessage('m1', '@friend1', 'a')] }),
          syncAnswer({ syncKey: key(12), messages: [rawMessage('m2', '@friend1', 'b'), rawMessage('m3', '@friend1', 'c')] }),
        ],
      },
    );
    await h.until(() => h.callsOf('syncCheck').length === 3);
    expect(h.emittedOf('messages').flatMap((m) => m.messages).map((m) => m.MsgId)).toEqual(['m1', 'm2', 'm3']);
    const order = h.emitted.flatMap((e) => (e.type === 'messages' ? e.messages.map((m) => m.MsgId) : e.type === 'checkpoint' ? [`cp:${e.syncKey.List[0]?.Val}`] : []));
    expect(order).toEqual(['m1', 'm2', 'cp:11', 'm3', 'cp:12']);
    expect(h.emittedOf('checkpoint').at(-1)?.delivered).toEqual(['m1', 'm2', 'm3']);
  });

  it('keeps a bounded dedupe window', async () => {
    const h = await startSyncing(
      { dedupeWindow: 2 },
      {
        syncCheck: [check(0, 2), check(0, 2)],
        webwxSync: [
          syncAnswer({ syncKey: key(11), messages: ['m1', 'm2', 'm3'].map((id) => rawMessage(id, '@friend1', id)) }),
          // m1 fell out of the window of 2, so it counts as new again; m3 is still remembered.
          syncAnswer({ syncKey: key(12), messages: ['m3', 'm1'].map((id) => rawMessage(id, '@friend1', id)) }),
        ],
      },
    );
    await h.until(() => h.callsOf('syncCheck').length === 3);
    expect(h.emittedOf('messages').flatMap((m) => m.messages).map((m) => m.MsgId)).toEqual(['m1', 'm2', 'm3', 'm1']);
    expect(h.context().delivered).toEqual(['m3', 'm1']);
  });

  it('decodes content, splits the group sender, and marks our own messages', async () => {
    const h = await startSyncing(
      {},
      {
        syncCheck: [check(0, 2)],
        webwxSync: [
          syncAnswer({
            messages: [
              rawMessage('g1', '@@group1', '@member9:<br/>hi &amp; <span class="emoji emoji1f604"></span>'),
              rawMessage('s1', SELF, 'from my phone', { to: '@friend1' }),
            ],
          }),
        ],
      },
    );
    await h.until(() => h.emittedOf('messages').flatMap((m) => m.messages).length === 2);
    const [group, self] = h.emittedOf('messages').flatMap((m) => m.messages);
    expect(group).toMatchObject({ MsgId: 'g1', IsGroup: true, SenderUserName: '@member9', Content: 'hi & 😄', isSelf: false });
    expect(self).toMatchObject({ MsgId: 's1', IsGroup: false, isSelf: true, Content: 'from my phone' });
  });

  it('asks batchgetcontact for groups with unknown members without holding back their messages', async () => {
    const groups = Array.from({ length: 53 }, (_, i) => `@@g${i}`);
    const h = await startSyncing(
      {},
      {
        syncCheck: [check(0, 2)],
        webwxSync: [syncAnswer({ messages: groups.map((g, i) => rawMessage(`gm${i}`, g, `@m:<br/>x${i}`)) })],
      },
    );
    await h.until(() => h.callsOf('batchGetContact').length === 1);
    // Every message is out while the first batch is still unanswered.
    expect(h.emittedOf('messages').flatMap((m) => m.messages)).toHaveLength(53);
    expect(h.inputsOf('batchGetContact')[0]?.userNames).toEqual(groups.slice(0, 50));
    expect(h.emittedOf('checkpoint')).toHaveLength(1);
    expect(h.context().members.pending).toEqual(groups.slice(50));
  });

  it('fetches the members of webwxinit\'s recent groups as soon as it syncs, with nothing waiting for them', async () => {
    const h = startMachine(BASE_INPUT, {
      ...LOGIN_SCRIPT,
      webwxInit: [initAnswer({ contacts: [contact('@friend1'), contact('@@recent1'), contact('@@recent2'), contact('@@recent1')] })],
      batchGetContact: [batchAnswer([{ name: '@@recent1', members: ['@m1'] }, { name: '@@recent2', members: ['@m2'] }])],
    });
    await h.until(() => h.callsOf('batchGetContact').length === 1 && h.context().members.inFlight.length === 0);
    expect(h.inputsOf('batchGetContact')[0]?.userNames).toEqual(['@@recent1', '@@recent2']);
    // The loop did not wait for it: the first synccheck went out too.
    expect(h.callsOf('syncCheck').length).toBeGreaterThanOrEqual(1);
    expect(h.context().contacts['@@recent1']?.members?.map((m) => m.UserName)).toEqual(['@m1']);
  });

  it('retries a failed member batch, then drops it after the attempt budget', async () => {
    const h = await startSyncing(
      { maxMemberAttempts: 2 },
      {
        syncCheck: [check(0, 2)],
        webwxSync: [syncAnswer({ messages: [rawMessage('g', '@@gx', '@m:<br/>x')] })],
        batchGetContact: [fails(netError('webwxbatchgetcontact')), refused(1)],
      },
    );
    await h.until(() => h.callsOf('batchGetContact').length === 2 && h.context().members.inFlight.length === 0);
    expect(h.inputsOf('batchGetContact').map((i) => i.userNames)).toEqual([['@@gx'], ['@@gx']]);
    expect(h.context().members.pending).toEqual([]);
    expect(h.top()).toBe('syncing');
    // Member faults never spend the loop's budget.
    expect(h.context().faults.consecutive).toBe(0);
  });

  it('fetches members batch after batch, at most 50 names each, and remembers them', async () => {
    const groups = Array.from({ length: 53 }, (_, i) => `@@g${i}`);
    const h = await startSyncing(
      {},
      {
        syncCheck: [check(0, 2), check(0, 2)],
        webwxSync: [
          syncAnswer({ syncKey: key(11), messages: groups.map((g, i) => rawMessage(`gm${i}`, g, `@m:<br/>x${i}`)) }),
          syncAnswer({ syncKey: key(12), messages: [rawMessage('again', '@@g1', '@m:<br/>again')] }),
        ],
        batchGetContact: [
          batchAnswer(groups.slice(0, 50).map((name) => ({ name, members: ['@m', '@n'] }))),
          batchAnswer(groups.slice(50).map((name) => ({ name, members: ['@m'] }))),
        ],
      },
    );
    await h.until(() => h.callsOf('batchGetContact').length === 2 && h.callsOf('syncCheck').length === 3);
    expect(h.inputsOf('batchGetContact').map((i) => i.userNames.length)).toEqual([50, 3]);
    expect(h.context().contacts['@@g1']?.members?.map((m) => m.UserName)).toEqual(['@m', '@n']);
    expect(h.context().members.pending).toEqual([]);
    await settle();
    // A group whose members are known is not asked for again.
    expect(h.callsOf('batchGetContact')).toHaveLength(2);
  });

  it('keeps contacts current from ModContactList and DelContactList', async () => {
    const h = await startSyncing(
      {},
      { syncCheck: [check(0, 4)], webwxSync: [syncAnswer({ mod: [contact('@new1', 'New'), contact('@friend1', 'Renamed')], del: ['@friend2'] })] },
    );
    await h.until(() => h.callsOf('syncCheck').length === 2);
    const contacts = h.context().contacts;
    expect(contacts['@new1']?.NickName).toBe('New');
    expect(contacts['@friend1']?.NickName).toBe('Renamed');
    expect(contacts['@friend2']).toBeUndefined();
  });

  it('treats a hostile user name as data', async () => {
    const h = await startSyncing(
      {},
      { syncCheck: [check(0, 4)], webwxSync: [syncAnswer({ mod: [contact('__proto__', 'x')] })] },
    );
    await h.until(() => h.callsOf('syncCheck').length === 2);
    expect(Object.getPrototypeOf(h.context().contacts)).toBe(Object.prototype);
    expect(Object.keys(h.context().contacts)).toContain('__proto__');
  });
});
