/** The simulator's small parts: fault selection, the SyncKey model, message content, secrets' shapes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeContent } from '../../../src/codecs/content.js';
import { formatSyncKey } from '../../../src/codecs/sync.js';
import { createRng } from '../../../src/simulator/generate.js';
import { checkFaultPlan, FaultInjector } from '../../../src/simulator/faults.js';
import { createKeyBase, initSyncKey, parseSyncKeyParam, positionOfKey, syncCheckKey, syncSyncKey } from '../../../src/simulator/synckeys.js';
import { buildMessage, encodeTextContent, typedParts } from '../../../src/simulator/messages.js';
import { makePassTicket, makeSkey, makeUuid } from '../../../src/simulator/credentials.js';
import { passTicketMatches, World } from '../../../src/simulator/world.js';
import { Parker } from '../../../src/simulator/park.js';
import { SIM_ENDPOINTS } from '../../../src/simulator/types.js';
import { asMsgId } from '../../../src/codecs/common.js';
import { Uuid } from '../../../src/codecs/common.js';

describe('FaultInjector', () => {
  it('skips `after` matches, fires at most `times`, and only on its endpoint and account', () => {
    const faults = new FaultInjector({ rules: [{ endpoint: 'synccheck', kind: 'destroy', after: 2, times: 2, uin: '42' }] }, 1);
    const kinds = Array.from({ length: 6 }, () => faults.decide('synccheck', '42').outcome?.kind ?? null);
    expect(kinds).toEqual([null, null, 'destroy', 'destroy', null, null]);
    expect(faults.decide('synccheck', '43').outcome).toBeNull();
    expect(faults.decide('webwxsync', '42').outcome).toBeNull();
    expect(faults.firedCounts()).toEqual([2]);
  });

  it('adds delays, applies a logout, and lets only the first outcome through', () => {
    const faults = new FaultInjector(
      {
        rules: [
          { endpoint: '*', kind: 'delay', delayMs: 30 },
          { endpoint: 'webwxsync', kind: 'delay', delayMs: 20 },
          { endpoint: 'webwxsync', kind: 'logout', retcode: 1100 },
          { endpoint: 'webwxsync', kind: 'ret', ret: 1205 },
          { endpoint: 'webwxsync', kind: 'truncate' },
        ],
      },
      1,
    );
    expect(faults.decide('webwxsync', null)).toEqual({ delayMs: 50, logout: 1100, outcome: { kind: 'ret', ret: 1205 } });
    // The truncate rule never had a chance, so it did not count a match either.
    expect(faults.firedCounts()).toEqual([1, 1, 1, 1, 0]);
  });

  it('is a pure function of plan, seed and request sequence', () => {
    // Invariant: two injectors with the same plan and seed make the same decisions for the same requests.
    fc.assert(
      fc.property(
        fc.integer(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.constantFrom(...SIM_ENDPOINTS), { maxLength: 60 }),
        (seed, probability, requests) => {
          const plan = { rules: [{ endpoint: 'synccheck' as const, kind: 'status' as const, probability }, { endpoint: '*' as const, kind: 'invalidJson' as const, probability: probability / 2 }] };
          const a = new FaultInjector(plan, seed);
          const b = new FaultInjector(plan, seed);
          for (const endpoint of requests) expect(a.decide(endpoint, null)).toEqual(b.decide(endpoint, null));
        },
      ),
    );
  });

  it('fires about as often as its probability says', () => {
    const faults = new FaultInjector({ seed: 5, rules: [{ endpoint: 'login', kind: 'destroy', probability: 0.3 }] }, 1);
    let fired = 0;
    for (let i = 0; i < 2000; i++) if (faults.decide('login', null).outcome) fired++;
    expect(fired).toBeGreaterThan(500);
    expect(fired).toBeLessThan(700);
  });

  it('validates plans that arrive as JSON', () => {
    expect(checkFaultPlan({ rules: [] }, SIM_ENDPOINTS)).toBeNull();
    expect(checkFaultPlan({ rules: [{ endpoint: 'webwxsync', kind: 'logout', retcode: 1102, after: 3 }] }, SIM_ENDPOINTS)).toBeNull();
    expect(checkFaultPlan(null, SIM_ENDPOINTS)).toMatch(/object/);
    expect(checkFaultPlan({ rules: [{ endpoint: 'webwxsync', kind: 'logout', retcode: 1 }] }, SIM_ENDPOINTS)).toMatch(/retcode/);
    expect(checkFaultPlan({ rules: [{ endpoint: 'webwxsync', kind: 'delay', delayMs: 1.5 }] }, SIM_ENDPOINTS)).toMatch(/delayMs/);
    expect(checkFaultPlan({ seed: 'x', rules: [] }, SIM_ENDPOINTS)).toMatch(/seed/);
  });
});

describe('Parker', () => {
  // A Node timer may fire before the wall clock reaches its deadline; answering then would show
  // the world one tick early (a QR that expires at the deadline would still look pending).
  it('answers its timeout only once its clock has reached the deadline, however early the timer fires', async () => {
    let clock = 1_000;
    const world = new World({ seed: 1, contacts: 0, pageSize: 1, syncPageSize: 1, uuidLifetimeMs: 1 });
    const parker = new Parker(world, () => clock);
    const seenAt: number[] = [];
    const answer = parker.wait({
      key: 'k',
      evaluate: () => null,
      deadline: 1_005,
      onTimeout: () => (seenAt.push(clock), 'timeout'),
      signal: new AbortController().signal,
    });
    let settled = false;
    void answer.then(() => (settled = true));
    // The timer has fired several times over (5 ms each) while the clock stood still.
    await new Promise((r) => setTimeout(r, 40));
    expect(settled).toBe(false);
    expect(parker.size).toBe(1);
    clock = 1_005;
    expect(await answer).toBe('timeout');
    expect(seenAt).toEqual([1_005]);
    expect(parker.size).toBe(0);
  });
});

describe('SyncKey model', () => {
  it('every key names its position in key 1, and the synccheck string parses back to it', () => {
    // Invariant: position → key (any of the three forms) → formatted → parsed → position is the identity.
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 1_000_000 }), (seed, pos) => {
        const base = createKeyBase(createRng(seed), 1_700_000_000_000);
        for (const key of [initSyncKey(base, pos), syncSyncKey(base, pos, 1_700_000_100), syncCheckKey(base, pos, 1_700_000_100)]) {
          expect(key.Count).toBe(key.List.length);
          expect(positionOfKey(base, key.List)).toBe(pos);
          expect(positionOfKey(base, parseSyncKeyParam(formatSyncKey(key))!)).toBe(pos);
        }
      }),
    );
  });

  it('SyncKey and SyncCheckKey differ, so the request log tells which one a client used', () => {
    const base = createKeyBase(createRng(1), 1_700_000_000_000);
    expect(formatSyncKey(syncSyncKey(base, 3, 5))).not.toBe(formatSyncKey(syncCheckKey(base, 3, 5)));
    expect(initSyncKey(base, 0).List.map((k) => k.Key)).toEqual([1, 2, 3, 1000]);
  });

  it('refuses malformed synccheck keys', () => {
    for (const bad of ['', '1_', '_5', '1_2|x', '1-2', '1_2|']) expect(parseSyncKeyParam(bad)).toBeNull();
    expect(parseSyncKeyParam('1_652651920|2_652651939|1000_0')).toEqual([
      { Key: 1, Val: 652651920 },
      { Key: 2, Val: 652651939 },
      { Key: 1000, Val: 0 },
    ]);
    expect(positionOfKey(createKeyBase(createRng(1), 0), [{ Key: 2, Val: 1 }])).toBeNull();
  });
});

describe('message content', () => {
  it('encodes text the way the server writes it', () => {
    expect(encodeTextContent('a & b < c > "d" \'e\'\nf')).toBe('a &amp; b &lt; c &gt; &quot;d&quot; &#39;e&#39;<br/>f');
    expect(encodeTextContent('笑😄 ☀ 🇨🇳')).toBe('笑<span class="emoji emoji1f604"></span> <span class="emoji emoji2600"></span> <span class="emoji emoji1f1e81f1f3"></span>');
  });

  it('the engine’s decoder gives back exactly the text the simulator encoded', () => {
    // Invariant: decodeContent ∘ encodeTextContent is the identity on text without CR and without the
    // emoji variation selector U+FE0F (the web client's sprites drop it, as the simulator does).
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (raw) => {
        const text = raw.replace(/[\r\uFE0F]/g, '');
        expect(decodeContent(encodeTextContent(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('builds full AddMsgList entries for media, app, recall and friend-request types', () => {
    const image = typedParts({ type: 3, text: '', sender: '@a', ticket: 't' });
    expect(image.content.startsWith('&lt;?xml version=&quot;1.0&quot;?&gt;<br/>&lt;msg&gt;')).toBe(true);
    const recall = typedParts({ type: 10002, text: '"x" 撤回了一条消息', sender: '@a', recalledMsgId: '123', ticket: 't' });
    expect(decodeContent(recall.content)).toContain('<msgid>123</msgid>');
    const request = typedParts({ type: 37, text: '我是张三', sender: '@stranger', ticket: 'tk' });
    const msg = buildMessage({ ...request, from: 'fmessage', to: '@me' }, asMsgId('1234567890123456789'), 1_700_000_000);
    expect(msg.RecommendInfo).toEqual(expect.objectContaining({ UserName: '@stranger', Ticket: 'tk' }));
    expect(msg.MsgType).toBe(37);
    expect(msg.NewMsgId).toBe(1234567890123456789);
    const link = typedParts({ type: 49, text: 'A & B', sender: '@a', ticket: 't' });
    expect(link.appMsgType).toBe(5);
    expect(decodeContent(link.content)).toContain('<title>A &amp; B</title>');
  });
});

describe('secrets in the real shapes', () => {
  it('uuids pass the codec, skeys look like @crypt_, pass_tickets are percent-encoded base64 with + and /', () => {
    const rng = createRng(9);
    for (let i = 0; i < 50; i++) {
      expect(Uuid.is(makeUuid(rng))).toBe(true);
      expect(makeSkey(rng)).toMatch(/^@crypt_[0-9a-f]{8}_[0-9a-f]{32}$/);
      const pt = makePassTicket(rng);
      expect(pt).toMatch(/%2B/);
      expect(pt).toMatch(/%2F/);
      expect(decodeURIComponent(pt)).toMatch(/^[A-Za-z0-9+/]+=$/);
      // Accepted as the XML's text and as received once decoded, never decoded twice.
      expect(passTicketMatches(pt, pt)).toBe(true);
      expect(passTicketMatches(decodeURIComponent(pt), pt)).toBe(true);
      expect(passTicketMatches(encodeURIComponent(pt), pt)).toBe(false);
    }
  });
});
