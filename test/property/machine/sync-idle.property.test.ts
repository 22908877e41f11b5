import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SyncBody } from '../../../src/codecs/sync.js';
import { applySyncAnswer, initialContext, syncAnswerBringsNothing } from '../../../src/machines/webwx.machine.js';
import type { WebwxContext } from '../../../src/machines/webwx.types.js';

const ids = fc.constantFrom('1', '2', '3', '4', '5');
const key = fc.array(fc.record({ Key: fc.constantFrom(1, 2, 3), Val: fc.integer({ min: 0, max: 3 }) }), { maxLength: 3 }).map((List) => ({ Count: List.length, List }));

const body = fc.record({
  ids: fc.array(ids, { maxLength: 4 }),
  mod: fc.boolean(),
  del: fc.boolean(),
  SyncKey: key,
  SyncCheckKey: fc.option(key, { nil: undefined }),
});

function contextWith(delivered: string[], syncKey: WebwxContext['syncKey'], syncCheckKey: WebwxContext['syncCheckKey'], window: number): WebwxContext {
  const base = initialContext({ deviceId: 'e123456789012345', loginOrigin: 'http://127.0.0.1:1', uos: false, seed: 1, stored: null, dedupeWindow: window });
  return { ...base, delivered, syncKey, syncCheckKey, user: { UserName: '@me', NickName: 'me', Uin: 1 } } as WebwxContext;
}

describe('syncAnswerBringsNothing', () => {
  // Invariant: the guard's cheap test answers exactly what applying the answer would say.
  it('equals applySyncAnswer(...).bringsNothing for any context and answer', () => {
    fc.assert(
      fc.property(fc.array(ids, { maxLength: 5 }), fc.option(key, { nil: null }), fc.option(key, { nil: null }), body, (delivered, syncKey, syncCheckKey, b) => {
        const context = contextWith(delivered, syncKey as WebwxContext['syncKey'], syncCheckKey as WebwxContext['syncCheckKey'], 2000);
        const answer = {
          BaseResponse: { Ret: 0 },
          AddMsgList: b.ids.map((MsgId) => ({ MsgId, FromUserName: '@a', ToUserName: '@me', MsgType: 1, Content: 'x', CreateTime: 1 })),
          ModContactList: b.mod ? [{ UserName: '@c', NickName: 'c' }] : [],
          DelContactList: b.del ? [{ UserName: '@d' }] : [],
          SyncKey: b.SyncKey,
          ...(b.SyncCheckKey ? { SyncCheckKey: b.SyncCheckKey } : {}),
        } as unknown as SyncBody;
        expect(syncAnswerBringsNothing(context, answer)).toBe(applySyncAnswer(context, answer).bringsNothing);
      }),
    );
  });

  it('a dedupe window of 0 keeps no MsgId (slice(-0) would keep them all)', () => {
    const context = contextWith([], null, null, 0);
    const answer = {
      BaseResponse: { Ret: 0 },
      AddMsgList: [{ MsgId: '9', FromUserName: '@a', ToUserName: '@me', MsgType: 1, Content: 'x', CreateTime: 1 }],
      SyncKey: { Count: 1, List: [{ Key: 1, Val: 1 }] },
    } as unknown as SyncBody;
    expect(applySyncAnswer(context, answer).patch.delivered).toEqual([]);
  });
});

describe('the dedupe window across pages', () => {
  const page = (pageIds: readonly string[]): SyncBody =>
    ({
      BaseResponse: { Ret: 0 },
      AddMsgList: pageIds.map((MsgId) => ({ MsgId, FromUserName: '@a', ToUserName: '@me', MsgType: 1, Content: 'x', CreateTime: 1 })),
      SyncKey: { Count: 1, List: [{ Key: 1, Val: 1 }] },
    }) as unknown as SyncBody;

  /** The plain definition: deliver an id unless it is among the last `window` delivered ones. */
  function naive(stored: readonly string[], pages: readonly (readonly string[])[], window: number): { told: string[][]; last: string[] } {
    let kept = window > 0 ? stored.slice(-window) : [];
    const told: string[][] = [];
    for (const ids of pages) {
      const now: string[] = [];
      for (const id of ids) {
        if (kept.includes(id) || now.includes(id)) continue;
        now.push(id);
      }
      kept = window > 0 ? [...kept, ...now].slice(-window) : [];
      told.push(now);
    }
    return { told, last: kept };
  }

  // Invariant: the Set kept beside the window (moved from page to page, never rebuilt) drops
  // exactly the repeats the window itself names, whatever the window size, the stored window
  // (repeats included) and a page applied twice to the same context.
  it('delivers what a plain window would, page after page', () => {
    const id = fc.integer({ min: 0, max: 12 }).map(String);
    fc.assert(
      fc.property(
        fc.array(id, { maxLength: 8 }),
        fc.array(fc.array(id, { maxLength: 6 }), { maxLength: 12 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 11 }),
        (stored, pages, window, replayAt) => {
          const expected = naive(stored, pages, window);
          // As initialContext trims a stored window.
          let context = contextWith(window > 0 ? stored.slice(-window) : [], null, null, window);
          const told: string[][] = [];
          pages.forEach((ids, index) => {
            // Asking the same context twice (a guard, a test) must not change the second answer.
            if (index === replayAt) applySyncAnswer(context, page(ids));
            const outcome = applySyncAnswer(context, page(ids));
            told.push(outcome.messages.map((m) => m.MsgId as string));
            context = { ...context, ...outcome.patch };
          });
          expect(told).toEqual(expected.told);
          expect(context.delivered).toEqual(expected.last);
        },
      ),
    );
  });
});
