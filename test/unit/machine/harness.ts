/**
 * Runs the webwx machine with scripted actors and a simulated clock. Each invoked actor takes the
 * next step of its service's script; a service with no step left hangs until it is aborted, which
 * is how a test parks the machine in a state (and how it observes the abort signal).
 */
import { createActor, fromPromise, SimulatedClock } from 'xstate';
import { topStateOf, webwxMachine } from '../../../src/machines/webwx.machine.js';
import type {
  WebwxActorName,
  WebwxActorOutputs,
  WebwxContext,
  WebwxEmitted,
  WebwxInput,
} from '../../../src/machines/webwx.types.js';
import type { ServiceInputs } from '../../../src/services/types.js';

/** A step that makes the actor reject with `error`. */
export class Fails {
  constructor(readonly error: unknown) {}
}
export const fails = (error: unknown): Fails => new Fails(error);

/** A step computed from the actor's input. */
export type Computed<N extends WebwxActorName> = (input: ServiceInputs[N]) => WebwxActorOutputs[N] | Fails;

export type Step<N extends WebwxActorName> = WebwxActorOutputs[N] | Fails | Computed<N>;
export type Script = { [N in WebwxActorName]?: Step<N>[] };

export interface Call {
  readonly name: WebwxActorName;
  readonly input: unknown;
  readonly signal: AbortSignal;
}

/** A SimulatedClock that also knows which timers are pending, so a test can jump to the next one. */
export class TestClock extends SimulatedClock {
  readonly pending = new Map<number, number>();

  override setTimeout(fn: (...args: unknown[]) => void, timeout: number): number {
    const id: number = super.setTimeout(() => {
      this.pending.delete(id);
      fn();
    }, timeout);
    this.pending.set(id, this.now() + timeout);
    return id;
  }

  override clearTimeout(id: number): void {
    this.pending.delete(id);
    super.clearTimeout(id);
  }

  /** ms until the earliest pending timer, or undefined when none is pending. */
  nextIn(): number | undefined {
    const dues = [...this.pending.values()];
    return dues.length === 0 ? undefined : Math.max(0, Math.min(...dues) - this.now());
  }
}

/** Lets every resolved actor promise run (they chain through microtasks). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

const ALL: readonly WebwxActorName[] = [
  'getUuid',
  'pollLogin',
  'newLoginPage',
  'webwxInit',
  'statusNotify',
  'getContact',
  'batchGetContact',
  'syncCheck',
  'webwxSync',
  'sendText',
  'pushLogin',
  'logout',
];

export const TEST_DEVICE_ID = 'e123456789012345';

/**
 * Actors that answer from a script (copied, so one script object can serve several tests) and
 * record every call with its input and abort signal.
 */
export function scriptedActors(script: Script = {}) {
  const queues = Object.fromEntries(Object.entries(script).map(([name, steps]) => [name, [...(steps as unknown[])]])) as Script;
  const calls: Call[] = [];
  const scriptOf = <N extends WebwxActorName>(name: N): Step<N>[] => {
    const existing = queues[name] as Step<N>[] | undefined;
    if (existing) return existing;
    const fresh: Step<N>[] = [];
    (queues as Record<string, unknown>)[name] = fresh;
    return fresh;
  };

  const actorFor = <N extends WebwxActorName>(name: N) =>
    fromPromise<WebwxActorOutputs[N], ServiceInputs[N]>(({ input: actorInput, signal }) => {
      calls.push({ name, input: actorInput, signal });
      const queue = scriptOf(name);
      if (queue.length === 0) {
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject({ code: 'aborted', endpoint: 'login', message: 'aborted' })),
        );
      }
      const step = queue.shift() as Step<N>;
      const resolved = typeof step === 'function' ? (step as Computed<N>)(actorInput) : step;
      return resolved instanceof Fails ? Promise.reject(resolved.error) : Promise.resolve(resolved as WebwxActorOutputs[N]);
    });

  const actors = Object.fromEntries(ALL.map((name) => [name, actorFor(name)])) as unknown as Parameters<
    typeof webwxMachine.provide
  >[0]['actors'];
  return {
    actors,
    calls,
    /** Adds steps to a service's script. */
    script<N extends WebwxActorName>(name: N, ...steps: Step<N>[]): void {
      scriptOf(name).push(...steps);
    },
  };
}

export function startMachine(input: Partial<WebwxInput> = {}, script: Script = {}) {
  const clock = new TestClock();
  const { actors, calls, script: addSteps } = scriptedActors(script);
  const machine = webwxMachine.provide({ actors });
  const emitted: WebwxEmitted[] = [];
  const states: string[] = [];
  const crashes: unknown[] = [];
  const actor = createActor(machine, {
    input: { deviceId: TEST_DEVICE_ID, seed: 42, ...input },
    clock,
  });
  actor.on('*', (event) => emitted.push(event as WebwxEmitted));
  actor.subscribe({
    next: (snapshot) => {
      const top = topStateOf(snapshot.value);
      if (states[states.length - 1] !== top) states.push(top);
    },
    error: (err) => crashes.push(err),
  });
  actor.start();

  const harness = {
    actor,
    clock,
    calls,
    emitted,
    states,
    crashes,
    script: addSteps,
    callsOf(name: WebwxActorName): Call[] {
      return calls.filter((c) => c.name === name);
    },
    inputsOf<N extends WebwxActorName>(name: N): ServiceInputs[N][] {
      return calls.filter((c) => c.name === name).map((c) => c.input as ServiceInputs[N]);
    },
    emittedOf<T extends WebwxEmitted['type']>(type: T): Extract<WebwxEmitted, { type: T }>[] {
      return emitted.filter((e): e is Extract<WebwxEmitted, { type: T }> => e.type === type);
    },
    context(): WebwxContext {
      return actor.getSnapshot().context;
    },
    value(): unknown {
      return actor.getSnapshot().value;
    },
    top(): string {
      return topStateOf(actor.getSnapshot().value);
    },
    /** Advances the clock to the next pending timer (if any) and lets the machine react. */
    async fire(): Promise<number | undefined> {
      await settle();
      const next = clock.nextIn();
      if (next === undefined) return undefined;
      clock.increment(next);
      await settle();
      return next;
    },
    /** Fires timers until `done` holds (or fails the test after `maxSteps`). */
    async until(done: () => boolean, maxSteps = 100): Promise<void> {
      await settle();
      if (crashes.length > 0) throw crashes[0];
      for (let i = 0; i < maxSteps && !done(); i++) {
        if ((await harness.fire()) === undefined && !done()) {
          throw new Error(`stuck in ${JSON.stringify(actor.getSnapshot().value)} with no timer pending`);
        }
      }
      if (!done()) throw new Error(`condition not reached; state ${JSON.stringify(actor.getSnapshot().value)}`);
    },
  };
  return harness;
}

export type Harness = ReturnType<typeof startMachine>;
