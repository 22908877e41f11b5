/**
 * The order that makes exactly-once across kills possible (docs/reliability.md, "How exactly-once
 * works"): for a store that can stage, each message is covered by a staged session before the
 * listeners see it, and that session is committed right after they return, in the same tick; the
 * keys move only with the checkpoint after the whole answer. A kill can then only fall before the
 * stage (message told again: it was never told), between listener and commit (the residual window)
 * or after the commit (message dropped by the next process: it was told).
 */
import { describe, expect, it } from 'vitest';
import type { SessionStore, StagedSave, StoredSession } from '../../src/session/types.js';
import { memorySessionStore } from '../../src/session/index.js';
import { loginByHand, makeClient, startSim } from '../integration/engine/harness.js';
import { positionOf } from './loop-watch.js';

type Step = { readonly what: 'stage' | 'commit' | 'told'; readonly id?: string; readonly delivered?: number; readonly position?: number | null; readonly tick: number };

describe('staged saves around each delivery', () => {
  it('stage (covering the message, old keys) → listeners → commit, in one tick; keys move after the whole answer', async () => {
    const steps: Step[] = [];
    let tick = 0;
    const bump = (): void => {
      tick++;
      setImmediate(bump);
    };
    const inner = memorySessionStore();
    let stored: StoredSession | null = null;
    const store: SessionStore = {
      load: () => inner.load(),
      save: (s) => inner.save(s),
      clear: () => inner.clear(),
      stage(session): StagedSave {
        steps.push({ what: 'stage', id: session.delivered.at(-1), delivered: session.delivered.length, position: positionOf(session.syncKey), tick });
        return {
          commit() {
            stored = session;
            steps.push({ what: 'commit', id: session.delivered.at(-1), tick });
          },
          discard() {},
        };
      },
    };
    const sim = await startSim({ syncPageSize: 3 });
    const t = makeClient(sim, { session: store });
    t.client.on('message', ({ message }) => steps.push({ what: 'told', id: message.MsgId, tick }));
    const { uin } = await loginByHand(sim, t);
    bump();
    const friend = sim.control.contacts(uin).find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'))!.UserName;
    steps.length = 0;
    const before = positionOf(stored!.syncKey)!;
    const sent = [1, 2, 3, 4, 5].map((i) => sim.control.message({ uin, from: friend, text: `m${i}` }).msgId);
    await t.rec.messages(5, (m) => sent.includes(m.MsgId));
    await t.client.stop();

    const stagedPositions: (number | null | undefined)[] = [];
    for (const id of sent) {
      const at = steps.findIndex((s) => s.what === 'told' && s.id === id);
      const [stage, told, commit] = [steps[at - 1]!, steps[at]!, steps[at + 1]!];
      // Staged right before, covering this message; committed right after; nothing in between.
      expect(stage).toMatchObject({ what: 'stage', id });
      expect(commit).toMatchObject({ what: 'commit', id });
      expect(new Set([stage.tick, told.tick, commit.tick]).size, `one tick for ${id}`).toBe(1);
      stagedPositions.push(stage.position);
    }
    // The k-th message is the log entry ending at position head − 5 + k. While it is told, the
    // staged keys are still before it (a resume from them gets it again, and the window drops it);
    // only the checkpoint after its page moves them past it.
    const head = sim.control.sessions().find((x) => x.uin === uin)!.head;
    // The simulator's key 1 is a base plus the log position; the last save covers the whole log.
    const base = positionOf(stored!.syncKey)! - head;
    stagedPositions.forEach((position, k) => {
      expect(position! - base, `keys staged with message ${k + 1}`).toBeLessThan(head - 5 + k + 1);
      expect(position!).toBeGreaterThanOrEqual(before);
    });
    expect(steps.filter((s) => s.what === 'stage').some((s) => s.position === before)).toBe(true);
    expect(stored!.delivered.slice(-5)).toEqual(sent);
  });
});
