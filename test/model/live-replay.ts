/**
 * Replays a model path against a LIVE webwx actor: every invoked service is a deferred promise
 * that the path settles (a `xstate.done.actor.<id>` step resolves the pending call of `<id>` with
 * the step's output, an error step rejects it), every `xstate.after.<delay>.<state>` step fires
 * the very timer the live actor scheduled for that delay, and user events are sent as they are.
 * Inspection records the transitions the live actor really took, for the coverage figure.
 */
import {
  createActor,
  fromPromise,
  SimulatedClock,
  type AnyEventObject,
  type AnyStateMachine,
  type AnyTransitionDefinition,
  type InspectionEvent,
} from 'xstate';
import type { WebwxActorName, WebwxInput } from '../../src/machines/webwx.types.js';
import { settle } from '../unit/machine/harness.js';
import type { WebwxSnapshot } from './model-events.js';

/** Every actor the chart invokes (a Record, so a new actor name fails to type-check here). */
const ACTOR_NAMES: Record<WebwxActorName, true> = {
  getUuid: true,
  pollLogin: true,
  newLoginPage: true,
  webwxInit: true,
  statusNotify: true,
  getContact: true,
  batchGetContact: true,
  syncCheck: true,
  webwxSync: true,
  sendText: true,
  pushLogin: true,
  logout: true,
};

export interface DeferredCall {
  /** The invoke id (what the done/error event types name). */
  readonly id: string;
  readonly input: unknown;
  readonly signal: AbortSignal;
  settled: boolean;
  resolve(output: unknown): void;
  reject(error: unknown): void;
}

/** Actors whose calls wait until the replay settles them. */
export function deferredActors(): { actors: Record<WebwxActorName, ReturnType<typeof fromPromise<unknown, unknown>>>; calls: DeferredCall[] } {
  const calls: DeferredCall[] = [];
  const make = () =>
    fromPromise<unknown, unknown>(
      ({ input, signal, self }) =>
        new Promise((resolve, reject) => {
          const call: DeferredCall = {
            id: self.id,
            input,
            signal,
            settled: false,
            resolve: (output) => {
              call.settled = true;
              resolve(output);
            },
            reject: (error) => {
              call.settled = true;
              reject(error);
            },
          };
          calls.push(call);
        }),
    );
  const actors = Object.fromEntries(Object.keys(ACTOR_NAMES).map((name) => [name, make()])) as Record<
    WebwxActorName,
    ReturnType<typeof fromPromise<unknown, unknown>>
  >;
  return { actors, calls };
}

type ScheduledEvents = Record<string, { readonly event: { readonly type: string } }>;

/**
 * A SimulatedClock that knows which scheduled event each timer carries, so a replay can fire the
 * timer of one named delay even while other regions have timers of their own pending. Firing a
 * timer before the others is a legitimate interleaving: the regions' timers are independent.
 */
export class ModelClock extends SimulatedClock {
  private readonly callbacks = new Map<number, () => void>();
  private readonly timerOf = new Map<string, number>();
  /** The actor system's scheduled events (set once the actor exists). */
  scheduled: () => ScheduledEvents = () => ({});

  override setTimeout(fn: (...args: unknown[]) => void, timeout: number): number {
    const id = super.setTimeout(fn, timeout) as number;
    this.callbacks.set(id, () => fn());
    // The scheduler records its event just before it asks for the timer: the unclaimed entry is ours.
    for (const key of Object.keys(this.scheduled())) {
      if (!this.timerOf.has(key)) this.timerOf.set(key, id);
    }
    return id;
  }

  override clearTimeout(id: number): void {
    super.clearTimeout(id);
    this.callbacks.delete(id);
    for (const [key, timer] of this.timerOf) if (timer === id) this.timerOf.delete(key);
  }

  /** Fires the pending timer of the delayed event `type`; false when no such timer is pending. */
  fire(type: string): boolean {
    for (const [key, scheduled] of Object.entries(this.scheduled())) {
      if (scheduled.event.type !== type) continue;
      const id = this.timerOf.get(key);
      const callback = id === undefined ? undefined : this.callbacks.get(id);
      if (id === undefined || !callback) return false;
      this.clearTimeout(id);
      callback();
      return true;
    }
    return false;
  }
}

/**
 * A transition's identity across the graph and the running machine: its source, its event and its
 * position among that source's transitions for the event (eventless ones are formatted twice by
 * xstate, once in `transitions` and once in `always`, as different objects in the same order).
 */
export function transitionKey(t: AnyTransitionDefinition, list: 'always' | 'transitions' = 'transitions'): string {
  const source = t.source;
  const siblings: readonly unknown[] =
    list === 'always' && t.eventType === '' ? (source.always ?? []) : (source.transitions.get(t.eventType) ?? []);
  const index = siblings.indexOf(t);
  if (index < 0) throw new Error(`transition ${t.eventType} of ${source.id} not found among its siblings`);
  return `${source.id} | ${t.eventType === '' ? 'always' : t.eventType} | #${index}`;
}

export interface ReplayResult {
  /** Keys of the transitions the live actor took. */
  readonly taken: Set<string>;
  /** Ids of the state nodes the live actor was in (or left by a taken transition). */
  readonly reached: Set<string>;
  readonly final: WebwxSnapshot;
  readonly calls: readonly DeferredCall[];
  readonly crashes: readonly unknown[];
}

export interface ReplayStep {
  readonly event: AnyEventObject;
  /** The model's state after the event. */
  readonly state: WebwxSnapshot;
}

/**
 * Runs `steps` on a live actor and checks, after every step, that the live state value is the
 * model's. Returns what the live actor did; throws (with the step) on the first divergence.
 */
export async function replay(machine: AnyStateMachine, input: WebwxInput, steps: readonly ReplayStep[]): Promise<ReplayResult> {
  const { actors, calls } = deferredActors();
  const clock = new ModelClock();
  const taken = new Set<string>();
  const reached = new Set<string>();
  const crashes: unknown[] = [];
  const live = machine.provide({ actors });
  const actor = createActor(live, {
    input,
    clock,
    inspect: (event: InspectionEvent) => {
      // Only the machine takes microsteps (its children are promise actors).
      if (event.type !== '@xstate.microstep') return;
      for (const t of event._transitions) {
        taken.add(transitionKey(t, t.eventType === '' ? 'always' : 'transitions'));
        reached.add(t.source.id);
      }
      for (const node of (event.snapshot as WebwxSnapshot)._nodes) reached.add(node.id);
    },
  });
  clock.scheduled = () => actor.system.getSnapshot()._scheduledEvents as ScheduledEvents;
  actor.subscribe({ error: (err) => crashes.push(err) });
  actor.start();
  for (const node of actor.getSnapshot()._nodes) reached.add(node.id);
  await settle();

  for (const [index, step] of steps.entries()) {
    const { event } = step;
    const where = `step ${index + 1} (${event.type}) from ${JSON.stringify(actor.getSnapshot().value)}`;
    if (event.type.startsWith('xstate.done.actor.') || event.type.startsWith('xstate.error.actor.')) {
      const id = event.type.replace(/^xstate\.(done|error)\.actor\./, '');
      const pending = calls.filter((c) => c.id === id && !c.settled && !c.signal.aborted);
      if (pending.length !== 1) throw new Error(`${where}: expected one pending ${id} call, found ${pending.length}`);
      const call = pending[0] as DeferredCall;
      if (event.type.startsWith('xstate.done.')) call.resolve((event as { output?: unknown }).output);
      else call.reject((event as { error?: unknown }).error);
    } else if (event.type.startsWith('xstate.after.')) {
      if (!clock.fire(event.type)) throw new Error(`${where}: no timer pending for it`);
    } else {
      actor.send(event);
    }
    await settle();
    const value = actor.getSnapshot().value;
    if (JSON.stringify(value) !== JSON.stringify(step.state.value)) {
      throw new Error(`${where}: live state ${JSON.stringify(value)}, model ${JSON.stringify(step.state.value)}`);
    }
  }
  const final = actor.getSnapshot() as WebwxSnapshot;
  actor.stop();
  return { taken, reached, final, calls, crashes };
}
