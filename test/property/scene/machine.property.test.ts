import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { SceneLoginEvent } from '../../../src/machines/scene-login.types.js';
import { scriptedMachine, settle, T0, topState, type Snap } from '../../unit/scene/machine-helpers.js';

const LIFETIME_S = 300;
const EXPIRES_AT = T0 + LIFETIME_S * 1000;

/** Times around the expiry edge, where the interesting orders are. */
const time = fc.oneof(
  fc.integer({ min: T0, max: EXPIRES_AT - 1 }),
  fc.integer({ min: EXPIRES_AT, max: EXPIRES_AT + 600_000 }),
  fc.constantFrom(EXPIRES_AT - 1, EXPIRES_AT, EXPIRES_AT + 1),
);
const openid = fc.constantFrom('oKnownA', 'oKnownB', 'oNewC', 'oNewD');
const event: fc.Arbitrary<SceneLoginEvent> = fc.oneof(
  fc.record({ type: fc.constant('SCAN' as const), openid, follow: fc.constantFrom('subscribe' as const, 'SCAN' as const), at: time }),
  fc.record({ type: fc.constant('BIND' as const), phone: fc.constantFrom('13800138000', '13900139000', 'bad', ''), at: time }),
  fc.record({ type: fc.constant('EXPIRE' as const), at: time }),
);

interface Run {
  readonly snapshots: Snap[];
  readonly final: Snap;
}

async function run(events: readonly SceneLoginEvent[]): Promise<Run> {
  const { machine } = scriptedMachine({ accounts: { oKnownA: 'user-A', oKnownB: 'user-B' }, takenPhones: ['13900139000'] });
  const actor = createActor(machine, { input: { sceneId: 'scene1', expireSeconds: LIFETIME_S, now: T0 } });
  const snapshots: Snap[] = [];
  actor.subscribe((s) => snapshots.push(s));
  actor.start();
  await settle(actor);
  for (const e of events) {
    if (actor.getSnapshot().status === 'done') break;
    actor.send(e);
    await settle(actor);
  }
  const final = actor.getSnapshot();
  actor.stop();
  return { snapshots, final };
}

describe('sceneLoginMachine properties', () => {
  it('never logs in from a scan at or after expiry, whatever the order of events', async () => {
    // Invariant: loggedIn ⇒ the scan that started it happened before expiresAt; and a run whose
    // scans all come after expiry never reaches loggedIn.
    await fc.assert(
      fc.asyncProperty(fc.array(event, { maxLength: 12 }), async (events) => {
        const { final } = await run(events);
        if (topState(final) === 'loggedIn') {
          expect(final.context.scannedAt).not.toBeNull();
          expect(final.context.scannedAt!).toBeLessThan(final.context.expiresAt);
        }
        if (events.filter((e) => e.type === 'SCAN').every((e) => e.at >= EXPIRES_AT)) {
          expect(topState(final)).not.toBe('loggedIn');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('logs a scene in at most once and never changes who is logged in', async () => {
    // Invariant: across every snapshot, the machine enters loggedIn at most once, and once there
    // the openid and userId stay those of the first login (replays, second scans, expiry and
    // late bindings change nothing).
    await fc.assert(
      fc.asyncProperty(fc.array(event, { maxLength: 14 }), async (events) => {
        const { snapshots } = await run(events);
        let entries = 0;
        let first: { openid: string | null; userId: string | null } | null = null;
        let previous = '';
        for (const s of snapshots) {
          const state = topState(s);
          if (state === 'loggedIn' && previous !== 'loggedIn') entries += 1;
          if (state === 'loggedIn') {
            first ??= { openid: s.context.openid, userId: s.context.userId };
            expect({ openid: s.context.openid, userId: s.context.userId }).toEqual(first);
          }
          if (previous === 'loggedIn' || previous === 'expired' || previous === 'failed') expect(state).toBe(previous);
          previous = state;
        }
        expect(entries).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  it('only the first scanner of a scene can be the one logged in', async () => {
    // Invariant: the logged-in openid is the openid of the first SCAN accepted in pending.
    await fc.assert(
      fc.asyncProperty(fc.array(event, { maxLength: 12 }), async (events) => {
        const { snapshots, final } = await run(events);
        if (topState(final) !== 'loggedIn') return;
        const firstScanned = snapshots.find((s) => topState(s) === 'scanned');
        expect(firstScanned?.context.openid).toBe(final.context.openid);
      }),
      { numRuns: 200 },
    );
  });
});
