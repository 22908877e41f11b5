/**
 * The statechart's live position, read from xstate's inspection stream: only the root actor's
 * snapshots count (the invoked promise actors report too), and of each one only the event type
 * and the state value are kept. The context (credentials, cookies, keys) is never read here.
 */
import type { InspectionEvent } from 'xstate';
import { activeNodeIds, activeStatePaths, topOf } from './active-states.js';
import type { ConsoleUpdate } from './view.js';

export interface TransitionTracker {
  /** The updates one inspection event causes: none, or a `transition` and the new `state`. */
  observe(event: InspectionEvent): ConsoleUpdate[];
}

const samePaths = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((p, i) => p === b[i]);

export function createTransitionTracker(machineId: string, now: () => number = Date.now): TransitionTracker {
  let current: readonly string[] = [];
  let seq = 0;
  return {
    observe(event) {
      if (event.type !== '@xstate.snapshot' || event.actorRef.sessionId !== event.rootId) return [];
      const value = (event.snapshot as { value?: unknown }).value;
      const paths = activeStatePaths(value);
      // Events handled without moving (a SEND queued by an action, a self-loop) are not transitions.
      if (samePaths(paths, current)) return [];
      const from = current;
      current = paths;
      seq += 1;
      const type = typeof event.event?.type === 'string' ? event.event.type : '(unknown)';
      return [
        { kind: 'transition', entry: { seq, at: now(), event: type, from, to: paths } },
        { kind: 'state', top: topOf(paths), paths, nodeIds: activeNodeIds(machineId, paths) },
      ];
    },
  };
}
