/**
 * Model-based test of the webwx statechart (xstate/graph): the machine itself is the model.
 *
 * 1. `getShortestPaths` traverses the machine from a fresh start and from a stored session, with
 *    every service's answers (one per guard branch) and failures, every delay and the user's SEND
 *    and LOGOUT as events, over a bounded serialisation (model-events.ts) so the graph is finite.
 * 2. Every shortest path is re-run purely, and every event offered at its end is taken once more,
 *    recording (through inspection) which transitions of the definition each step takes; for each
 *    transition the shortest path that takes it is kept.
 * 3. Each kept path is replayed against a LIVE actor with deferred service actors and a simulated
 *    clock (live-replay.ts); after every step the live state must be the model's, at the end the
 *    whole context must be the model's, and the live transitions give the coverage figure.
 *
 * Coverage is measured against `getStateNodes` (every state node) and `toDirectedGraph` (every
 * edge) plus every eventless `always` transition (which toDirectedGraph leaves out), and must be
 * total.
 */
import { describe, expect, it } from 'vitest';
import { createEmptyActor, type AnyActorScope, type AnyStateMachine, type AnyTransitionDefinition, type InspectionEvent } from 'xstate';
import { getShortestPaths, getStateNodes, toDirectedGraph, type DirectedGraphEdge, type DirectedGraphNode } from 'xstate/graph';
import { webwxMachine } from '../../src/machines/webwx.machine.js';
import type { WebwxInput } from '../../src/machines/webwx.types.js';
import {
  describeEvent,
  MODEL_INPUT,
  MODEL_RESTORE_INPUT,
  modelEvents,
  resolveModelEvent,
  serializeModelState,
  type ModelEvent,
  type WebwxSnapshot,
} from './model-events.js';
import { replay, transitionKey, type ReplayStep } from './live-replay.js';

/** The machine as the traversal sees it: internal events (service results, delays) are its events too. */
const model: AnyStateMachine = webwxMachine;

/** An actor scope for pure transitions whose system reports the transitions each microstep takes. */
function recordingScope(): { scope: AnyActorScope; take(): AnyTransitionDefinition[] } {
  const self = createEmptyActor();
  let taken: AnyTransitionDefinition[] = [];
  self.system.inspect((event: InspectionEvent) => {
    if (event.type === '@xstate.microstep') taken.push(...event._transitions);
  });
  const scope: AnyActorScope = {
    self,
    id: 'model',
    sessionId: 'model',
    logger: () => undefined,
    defer: () => undefined,
    emit: () => undefined,
    system: self.system,
    stopChild: () => undefined,
    actionExecutor: () => undefined,
  };
  return {
    scope,
    take() {
      const out = taken;
      taken = [];
      return out;
    },
  };
}

const keyOf = (t: AnyTransitionDefinition): string => transitionKey(t, t.eventType === '' ? 'always' : 'transitions');

interface Plan {
  readonly input: WebwxInput;
  readonly steps: readonly ReplayStep[];
}

interface ModelRun {
  readonly vertices: number;
  /** The snapshot each vertex's shortest path really reaches. */
  readonly snapshots: WebwxSnapshot[];
  readonly plans: Plan[];
  /** Transition keys the pure model takes somewhere. */
  readonly taken: Set<string>;
  readonly reached: Set<string>;
}

/**
 * Traverses from `input`, re-runs every shortest path purely (checking that the serialisation is
 * faithful: the same events lead to the same vertex), then tries every event at every vertex and
 * keeps, per transition, the shortest path that takes it.
 */
function traverse(input: WebwxInput): ModelRun {
  const paths = getShortestPaths(model, {
    input,
    events: modelEvents,
    serializeState: serializeModelState,
  });
  const { scope, take } = recordingScope();
  const taken = new Set<string>();
  const reached = new Set<string>();
  const note = (snapshot: WebwxSnapshot, transitions: AnyTransitionDefinition[]): void => {
    for (const t of transitions) {
      taken.add(keyOf(t));
      reached.add(t.source.id);
    }
    for (const node of snapshot._nodes) reached.add(node.id);
  };

  const initial = model.getInitialSnapshot(scope, input) as WebwxSnapshot;
  note(initial, take());

  // Vertex → the snapshot its path really reaches, and the steps that reach it.
  const reachedBy = new Map<string, { snapshot: WebwxSnapshot; steps: ReplayStep[] }>();
  reachedBy.set(serializeModelState(initial), { snapshot: initial, steps: [] });
  const ordered = [...paths].sort((a, b) => a.steps.length - b.steps.length);
  for (const path of ordered) {
    // alterPath form: steps[0] is xstate.init; steps[i].state is the state after steps[i].event.
    if (path.steps.length <= 1) continue;
    const parentKey = serializeModelState(path.steps[path.steps.length - 2]?.state as WebwxSnapshot);
    const last = path.steps[path.steps.length - 1] as { event: ModelEvent; state: WebwxSnapshot };
    const parent = reachedBy.get(parentKey);
    if (!parent) throw new Error(`no path to ${parentKey}`);
    const event = resolveModelEvent(last.event, parent.snapshot);
    const snapshot = model.transition(parent.snapshot, event, scope) as WebwxSnapshot;
    take();
    const key = serializeModelState(snapshot);
    // A mismatch means the serialisation hides something a guard reads.
    expect(key, `re-running ${describeEvent(event)} from ${parentKey}`).toBe(serializeModelState(last.state));
    reachedBy.set(key, { snapshot, steps: [...parent.steps, { event, state: snapshot }] });
  }

  const best = new Map<string, ReplayStep[]>();
  for (const { snapshot, steps } of reachedBy.values()) {
    if (snapshot.status !== 'active') continue;
    for (const event of modelEvents(snapshot)) {
      const next = model.transition(snapshot, event, scope) as WebwxSnapshot;
      const transitions = take();
      note(next, transitions);
      for (const t of transitions) {
        const key = keyOf(t);
        const known = best.get(key);
        if (!known || known.length > steps.length + 1) best.set(key, [...steps, { event, state: next }]);
      }
    }
  }

  // One replay per maximal path: a path that is the beginning of another adds nothing.
  const candidates = [...new Set(best.values())].sort((a, b) => b.length - a.length);
  const plans: Plan[] = [];
  const eventsOf = (steps: readonly ReplayStep[]): string[] => steps.map((s) => JSON.stringify(s.event));
  for (const steps of candidates) {
    const mine = eventsOf(steps);
    const covered = plans.some((p) => {
      const theirs = eventsOf(p.steps);
      return mine.every((e, i) => theirs[i] === e);
    });
    if (!covered) plans.push({ input, steps });
  }
  return { vertices: paths.length, snapshots: [...reachedBy.values()].map((r) => r.snapshot), plans, taken, reached };
}

function graphEdges(node: DirectedGraphNode, out: DirectedGraphEdge[] = []): DirectedGraphEdge[] {
  out.push(...node.edges);
  node.children.forEach((child) => graphEdges(child, out));
  return out;
}

describe('webwx machine: model-based (xstate/graph)', () => {
  const allNodes = getStateNodes(webwxMachine.root).map((n) => n.id);
  // Every edge of the definition, keyed the way the live inspection keys a taken transition.
  const graphEdgeKeys = [...new Set(graphEdges(toDirectedGraph(webwxMachine)).map((e) => transitionKey(e.transition)))];
  // toDirectedGraph leaves out eventless (`always`) transitions; they are choices too, so they count.
  const eventlessKeys = [webwxMachine.root, ...getStateNodes(webwxMachine.root)].flatMap((node) =>
    (node.always ?? []).map((t) => transitionKey(t, 'always')),
  );
  const allEdges = [...graphEdgeKeys, ...eventlessKeys];

  let memo: ModelRun[] | undefined;
  const modelRuns = (): ModelRun[] => (memo ??= [traverse(MODEL_INPUT), traverse(MODEL_RESTORE_INPUT)]);

  it('holds its invariants in every vertex of the model', () => {
    const snapshots = modelRuns().flatMap((r) => r.snapshots);
    expect(snapshots.length).toBeGreaterThan(100);
    for (const snapshot of snapshots) {
      const c = snapshot.context;
      const where = JSON.stringify(snapshot.value);
      const top = typeof snapshot.value === 'string' ? snapshot.value : Object.keys(snapshot.value)[0];
      if (top === 'syncing') {
        // Never in syncing without a session and a position to sync from.
        expect(c.credentials, where).not.toBeNull();
        expect(c.hosts, where).not.toBeNull();
        expect(c.syncKey?.List.length ?? 0, where).toBeGreaterThan(0);
      }
      if (top === 'loggedOut') {
        // Final, with a reason, and nothing left queued to send.
        expect(snapshot.status, where).toBe('done');
        expect(c.logout?.reason, where).toBeDefined();
        expect(c.outbox, where).toEqual([]);
      } else {
        expect(snapshot.status, where).toBe('active');
      }
      // Budgets are never overrun.
      expect(c.faults.consecutive, where).toBeLessThanOrEqual(c.settings.maxConsecutiveFailures);
      expect(c.sendAttempts, where).toBeLessThan(c.settings.maxSendAttempts);
      expect(c.members.attempts, where).toBeLessThan(c.settings.maxMemberAttempts);
      expect(c.login.qrRefreshes, where).toBeLessThanOrEqual(c.settings.maxQrRefreshes);
    }
  });

  it('reaches every state node and takes every transition, on a live actor that agrees step by step', async () => {
    const runs = modelRuns();
    const plans = runs.flatMap((r) => r.plans);
    const modelTaken = new Set(runs.flatMap((r) => [...r.taken]));
    const modelReached = new Set(runs.flatMap((r) => [...r.reached]));

    const liveTaken = new Set<string>();
    const liveReached = new Set<string>();
    let steps = 0;
    for (const plan of plans) {
      const result = await replay(webwxMachine, plan.input, plan.steps);
      const end = plan.steps[plan.steps.length - 1]?.state as WebwxSnapshot;
      // The live actor ends exactly where the model does: same state, same context, same status.
      expect(result.final.value).toEqual(end.value);
      expect(result.final.status).toBe(end.status);
      expect(result.final.context).toEqual(end.context);
      expect(result.crashes).toEqual([]);
      result.taken.forEach((k) => liveTaken.add(k));
      result.reached.forEach((id) => liveReached.add(id));
      steps += plan.steps.length;
    }

    const missingNodes = allNodes.filter((id) => !liveReached.has(id));
    const missingEdges = allEdges.filter((k) => !liveTaken.has(k));
    const pct = (n: number, of: number): string => `${((100 * n) / of).toFixed(1)}%`;
    const reachedCount = allNodes.length - missingNodes.length;
    const takenCount = allEdges.length - missingEdges.length;
    console.log(
      [
        `webwx model: ${runs.map((r) => r.vertices).join(' + ')} vertices (fresh + restored), ${plans.length} paths replayed live (${steps} steps)`,
        `  states reached:    model ${allNodes.filter((id) => modelReached.has(id)).length}/${allNodes.length}, live ${reachedCount}/${allNodes.length} (${pct(reachedCount, allNodes.length)})`,
        `  transitions taken: model ${allEdges.filter((k) => modelTaken.has(k)).length}/${allEdges.length}, live ${takenCount}/${allEdges.length} (${pct(takenCount, allEdges.length)})` +
          ` = ${graphEdgeKeys.filter((k) => liveTaken.has(k)).length}/${graphEdgeKeys.length} edges of toDirectedGraph` +
          ` + ${eventlessKeys.filter((k) => liveTaken.has(k)).length}/${eventlessKeys.length} eventless`,
        ...missingNodes.map((id) => `  state never reached: ${id}`),
        ...missingEdges.map((k) => `  transition never taken: ${k}`),
      ].join('\n'),
    );
    expect(missingNodes).toEqual([]);
    expect(missingEdges).toEqual([]);
  });
});
