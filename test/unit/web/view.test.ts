import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyUpdate, createConsoleHub, INITIAL_STATE, LIMITS, type ConsoleUpdate, type FeedEntry } from '../../../src/web/view.js';

const textEntry = (i: number, content = `hello ${i}`): FeedEntry => ({
  dir: 'in',
  MsgId: String(1000 + i),
  time: 1_700_000_000 + i,
  from: '@friend',
  fromLabel: 'Friend',
  type: 1,
  typeName: 'Text',
  content,
  isSelf: false,
  isGroup: false,
});

describe('applyUpdate', () => {
  it('walks the login: QR, scan (QR gone, avatar), login (name), a new QR starts over', () => {
    let s = applyUpdate(INITIAL_STATE, { kind: 'qr', image: 'data:image/svg+xml,q1' });
    expect(s).toMatchObject({ qr: 'data:image/svg+xml,q1', scanned: false, seq: 1 });
    s = applyUpdate(s, { kind: 'scanned', avatar: 'data:image/jpeg;base64,AAAA' });
    expect(s).toMatchObject({ qr: null, scanned: true, avatar: 'data:image/jpeg;base64,AAAA' });
    s = applyUpdate(s, { kind: 'login', user: { NickName: '小明', UserName: '@me' } });
    expect(s.user).toEqual({ NickName: '小明', UserName: '@me' });
    const again = applyUpdate(applyUpdate(INITIAL_STATE, { kind: 'scanned', avatar: null }), { kind: 'qr', image: 'q2' });
    expect(again).toMatchObject({ qr: 'q2', scanned: false, avatar: null });
  });

  it('keeps the newest entries when a list is full', () => {
    let s = INITIAL_STATE;
    for (let i = 0; i < LIMITS.feed + 5; i++) s = applyUpdate(s, { kind: 'feed', entry: textEntry(i) });
    expect(s.feed).toHaveLength(LIMITS.feed);
    expect(s.feed[0]).toMatchObject({ MsgId: String(1000 + 5) });
    expect(s.feed.at(-1)).toMatchObject({ MsgId: String(1000 + LIMITS.feed + 4) });
  });

  // Invariant: whatever arrives, every list stays within its bound and seq counts the updates.
  it('bounds every list and counts updates, for any sequence', () => {
    const update: fc.Arbitrary<ConsoleUpdate> = fc.oneof(
      fc.nat(500).map((i): ConsoleUpdate => ({ kind: 'feed', entry: textEntry(i) })),
      fc.nat(500).map((i): ConsoleUpdate => ({ kind: 'transition', entry: { seq: i, at: i, event: 'E', from: [], to: ['x'] } })),
      fc.nat(500).map((i): ConsoleUpdate => ({ kind: 'error', entry: { at: i, code: 'network', message: 'm' } })),
      fc.constant<ConsoleUpdate>({ kind: 'scanned', avatar: null }),
    );
    fc.assert(
      fc.property(fc.array(update, { maxLength: 400 }), (updates) => {
        const s = updates.reduce(applyUpdate, INITIAL_STATE);
        expect(s.seq).toBe(updates.length);
        expect(s.feed.length).toBeLessThanOrEqual(LIMITS.feed);
        expect(s.transitions.length).toBeLessThanOrEqual(LIMITS.transitions);
        expect(s.errors.length).toBeLessThanOrEqual(LIMITS.errors);
      }),
      { numRuns: 50 },
    );
  });
});

describe('createConsoleHub', () => {
  it('masks secrets before it keeps or sends an update', () => {
    const hub = createConsoleHub();
    const heard: ConsoleUpdate[] = [];
    hub.subscribe((u) => heard.push(u));
    hub.publish({ kind: 'error', entry: { at: 1, code: 'badResponse', message: 'GET /webwxsync?skey=@crypt_1234abcd&pass_ticket=SECRETPT failed' } });
    hub.publish({ kind: 'feed', entry: textEntry(1, '<error><skey>@crypt_99</skey><wxsid>SIDSID</wxsid></error>') });
    const everything = JSON.stringify([hub.state(), heard]);
    for (const secret of ['@crypt_1234abcd', 'SECRETPT', '@crypt_99', 'SIDSID']) expect(everything).not.toContain(secret);
    expect(hub.state().errors[0]?.message).toContain('skey=***');
  });

  it('hands every listener the update and the seq it produced; a throwing listener does not stop the rest', () => {
    const hub = createConsoleHub();
    const seqs: number[] = [];
    hub.subscribe(() => {
      throw new Error('broken page');
    });
    const off = hub.subscribe((_u, seq) => seqs.push(seq));
    hub.publish({ kind: 'scanned', avatar: null });
    hub.publish({ kind: 'contacts', count: 3, list: [] });
    off();
    hub.publish({ kind: 'logout', info: { reason: 'user' } });
    expect(seqs).toEqual([1, 2]);
    expect(hub.state()).toMatchObject({ seq: 3, contactsCount: 3, logout: { reason: 'user' } });
  });
});
