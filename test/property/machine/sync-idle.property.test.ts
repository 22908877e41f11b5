import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SyncBody } from '../../../src/codecs/sync.js';
import { applySyncAnswer, initialContext, syncAnswerIsIdle } from '../../../src/machines/webwx.machine.js';
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

describe('syncAnswerIsIdle', () => {
  // Invariant: the guard's cheap idle test answers exactly what applying the answer would say.
  it('equals applySyncAnswer(...).idle for any context and answer', () => {
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
        expect(syncAnswerIsIdle(context, answer)).toBe(applySyncAnswer(context, answer).idle);
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
