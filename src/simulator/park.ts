/**
 * Long polls. A parked request costs one timer and one watcher entry, nothing per session beyond
 * that, so a thousand parked synchecks are cheap. It answers as soon as the world changes in a way
 * that gives it an answer, when its deadline passes, or at once when the simulator closes.
 */
import type { World } from './world.js';

interface Parked {
  /** Answers now with the timeout answer (used by close()). */
  flush(): void;
}

export interface ParkOptions<T> {
  readonly key: string;
  /** An answer if there is one now, null to keep waiting. */
  readonly evaluate: () => T | null;
  /** Epoch ms (on the parker's clock) when to stop waiting and answer `onTimeout()`. */
  readonly deadline: number;
  readonly onTimeout: () => T;
  /** Aborted when the client goes away: the promise then gives null. */
  readonly signal: AbortSignal;
}

export class Parker {
  private readonly parked = new Set<Parked>();
  private closed = false;

  constructor(
    private readonly world: World,
    /** The clock deadlines are read on: the world's, so an expiry and its wake agree. */
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.parked.size;
  }

  wait<T>(options: ParkOptions<T>): Promise<T | null> {
    const first = options.evaluate();
    if (first !== null) return Promise.resolve(first);
    if (this.closed) return Promise.resolve(options.onTimeout());
    if (options.signal.aborted) return Promise.resolve(null);
    return new Promise<T | null>((resolve) => {
      let settled = false;
      const finish = (value: T | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        unwatch();
        options.signal.removeEventListener('abort', onAbort);
        this.parked.delete(entry);
        resolve(value);
      };
      const onAbort = (): void => finish(null);
      const entry: Parked = { flush: () => finish(options.onTimeout()) };
      const unwatch = this.world.watch(options.key, () => {
        const value = options.evaluate();
        if (value !== null) finish(value);
      });
      // Node's timers run on the loop's cached monotonic time and may fire a millisecond before
      // the wall clock reaches the deadline; answering then would see the world one tick early
      // (a QR not yet expired gives 408 instead of 400), so an early timer is armed again.
      const arm = (): NodeJS.Timeout =>
        setTimeout(() => {
          if (this.now() < options.deadline) timer = arm();
          else finish(options.onTimeout());
        }, Math.max(1, options.deadline - this.now()));
      let timer = arm();
      options.signal.addEventListener('abort', onAbort, { once: true });
      this.parked.add(entry);
    });
  }

  /** Answers every parked request with its timeout answer; later waits answer at once. */
  closeAll(): void {
    this.closed = true;
    for (const entry of [...this.parked]) entry.flush();
  }
}
