/**
 * Watches a client from inside, through the ServiceObserver of its bound actors: which requests
 * are in flight per region of the chart (never two), the sync keys it presents (never going back,
 * never empty), and how many synccheck → webwxsync rounds it made.
 */
import type { SyncKey } from '../../src/codecs/session.js';
import { createWebwxActors, type ServiceObserver } from '../../src/machines/webwx.actors.js';
import type { WebwxActorsOverride } from '../../src/client.js';
import type { ServiceName } from '../../src/services/types.js';

/** The parts of the chart that each run one request at a time. */
export type Region = 'login' | 'loop' | 'outbox' | 'members';

export function regionOf(name: ServiceName): Region {
  if (name === 'syncCheck' || name === 'webwxSync') return 'loop';
  if (name === 'sendText') return 'outbox';
  if (name === 'batchGetContact') return 'members';
  return 'login';
}

/** Key 1's value: the position in the message log (the simulator's keys carry it there). */
export function positionOf(key: SyncKey | null | undefined): number | null {
  const first = key?.List.find((k) => k.Key === 1);
  return first === undefined ? null : Number(first.Val);
}

export interface LoopWatch {
  readonly actors: WebwxActorsOverride;
  /** synccheck answered with a selector, then webwxsync: one round. */
  rounds(): number;
  /** webwxsync calls, the ContinueFlag pages included. */
  syncCalls(): number;
  calls(name: ServiceName): number;
  /** The most requests one region ever had in flight at once. */
  maxInFlight(): Readonly<Record<Region, number>>;
  /** Each time a request started while another of its region was still in flight. */
  readonly overlaps: string[];
  /** Each time a key presented went behind one presented before, or was empty. */
  readonly regressions: string[];
}

export function watchLoop(): LoopWatch {
  const inFlight: Record<Region, number> = { login: 0, loop: 0, outbox: 0, members: 0 };
  const max: Record<Region, number> = { login: 0, loop: 0, outbox: 0, members: 0 };
  const counts = new Map<ServiceName, number>();
  const overlaps: string[] = [];
  const regressions: string[] = [];
  let highest = -Infinity;
  let lastLoopCall: ServiceName | null = null;
  let rounds = 0;

  const presented = (name: ServiceName, key: SyncKey): void => {
    const position = positionOf(key);
    if (position === null || key.Count === 0) {
      regressions.push(`${name} presented an empty key`);
      return;
    }
    if (position < highest) regressions.push(`${name} presented position ${position} after ${highest}`);
    highest = Math.max(highest, position);
  };

  const observer: ServiceObserver = {
    started(name, input) {
      const region = regionOf(name);
      inFlight[region] += 1;
      max[region] = Math.max(max[region], inFlight[region]);
      if (inFlight[region] > 1) overlaps.push(`${name} started with ${inFlight[region] - 1} other ${region} request(s) in flight`);
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (name === 'syncCheck' || name === 'webwxSync') {
        presented(name, (input as { syncKey: SyncKey }).syncKey);
        if (name === 'webwxSync' && lastLoopCall === 'syncCheck') rounds += 1;
        lastLoopCall = name;
      }
    },
    settled(name) {
      inFlight[regionOf(name)] -= 1;
    },
  };

  return {
    actors: (deps) => createWebwxActors(deps, Date.now, observer),
    rounds: () => rounds,
    syncCalls: () => counts.get('webwxSync') ?? 0,
    calls: (name) => counts.get(name) ?? 0,
    maxInFlight: () => ({ ...max }),
    overlaps,
    regressions,
  };
}
