import type { InspectionEvent } from 'xstate';
import { describe, expect, it } from 'vitest';
import { createTransitionTracker } from '../../../src/web/transitions.js';

const ROOT = 'x:0';

function snapshotEvent(value: unknown, eventType: string, sessionId = ROOT, context: unknown = {}): InspectionEvent {
  return {
    type: '@xstate.snapshot',
    rootId: ROOT,
    actorRef: { sessionId } as never,
    event: { type: eventType },
    snapshot: { value, context, status: 'active' } as never,
  } as InspectionEvent;
}

describe('createTransitionTracker', () => {
  it('reports each move of the root actor as a transition and the new active states', () => {
    const tracker = createTransitionTracker('webwx', () => 42);
    expect(tracker.observe(snapshotEvent({ uuid: 'requesting' }, 'xstate.init'))).toEqual([
      { kind: 'transition', entry: { seq: 1, at: 42, event: 'xstate.init', from: [], to: ['uuid.requesting'] } },
      { kind: 'state', top: 'uuid', paths: ['uuid.requesting'], nodeIds: ['webwx_uuid', 'webwx_uuid_requesting'] },
    ]);
    const next = tracker.observe(snapshotEvent({ awaitingScan: 'polling' }, 'xstate.done.actor.getUuid'));
    expect(next[0]).toEqual({
      kind: 'transition',
      entry: { seq: 2, at: 42, event: 'xstate.done.actor.getUuid', from: ['uuid.requesting'], to: ['awaitingScan.polling'] },
    });
  });

  it('ignores invoked actors, other inspection events and events that did not move the machine', () => {
    const tracker = createTransitionTracker('webwx');
    tracker.observe(snapshotEvent('loggedOut', 'xstate.init'));
    expect(tracker.observe(snapshotEvent('loggedOut', 'SEND'))).toEqual([]);
    expect(tracker.observe(snapshotEvent({ other: 'x' }, 'xstate.done', 'x:7'))).toEqual([]);
    expect(tracker.observe({ type: '@xstate.event', rootId: ROOT, actorRef: { sessionId: ROOT }, event: { type: 'LOGOUT' }, sourceRef: undefined } as never)).toEqual([]);
  });

  it('never carries the context (credentials, cookies, keys) into what it reports', () => {
    const tracker = createTransitionTracker('webwx');
    const context = { credentials: { skey: '@crypt_SECRET', wxsid: 'SIDSECRET', passTicket: 'PTSECRET' }, cookies: 'wxuin=1234' };
    const updates = tracker.observe(snapshotEvent({ syncing: { loop: 'checking', outbox: 'idle', members: 'idle' } }, 'xstate.done.actor.getContact', ROOT, context));
    expect(updates).toHaveLength(2);
    const text = JSON.stringify(updates);
    for (const secret of ['SECRET', 'wxuin', 'credentials', 'cookies']) expect(text).not.toContain(secret);
  });
});
