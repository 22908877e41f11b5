/**
 * The engine against the simulator over real loopback HTTP, both in this process: a simulator with
 * short holds, clients with millisecond pauses, and an event recorder whose `waitFor` resolves on
 * the first matching event (past or future) so tests wait for behaviour instead of sleeping.
 */
import { afterEach, expect } from 'vitest';
import { createWebwxClient, type WebwxClient, type WebwxClientEventName, type WebwxClientEvents, type WebwxClientOptions } from '../../../src/client.js';
import type { Message } from '../../../src/codecs/content.js';
import { startSimulator, type RequestRecord, type SimEndpoint, type Simulator, type SimulatorOptions } from '../../../src/simulator/index.js';

/** Generous: the machine shares 2 cores with other test runs. */
export const WAIT_MS = 10_000;

/** Pauses small enough that back-offs take milliseconds, large enough that loops never spin. */
export const FAST_DELAYS: NonNullable<WebwxClientOptions['delays']> = {
  pollPauseMs: 20,
  checkPauseMs: 20,
  backoffBaseMs: 10,
  backoffMaxMs: 80,
  sendRetryBaseMs: 10,
  sendRetryMaxMs: 80,
};

export type Recorded = { [E in WebwxClientEventName]: { readonly event: E; readonly payload: WebwxClientEvents[E]; readonly at: number } }[WebwxClientEventName];

const EVENT_NAMES: readonly WebwxClientEventName[] = ['state', 'qr', 'scanned', 'login', 'contacts', 'message', 'sent', 'sendFailed', 'error', 'logout'];

export interface Recorder {
  readonly events: Recorded[];
  of<E extends WebwxClientEventName>(event: E): WebwxClientEvents[E][];
  /** The first `event` (already seen or still to come) that passes `predicate`. */
  waitFor<E extends WebwxClientEventName>(
    event: E,
    predicate?: (payload: WebwxClientEvents[E]) => boolean,
    timeoutMs?: number,
  ): Promise<WebwxClientEvents[E]>;
  /** Resolves once `count` messages passing `predicate` were delivered; answers them in order. */
  messages(count: number, predicate?: (m: Message) => boolean, timeoutMs?: number): Promise<Message[]>;
  /** The `state` values in order. */
  states(): string[];
}

export function record(client: WebwxClient): Recorder {
  const events: Recorded[] = [];
  const waiters = new Set<() => void>();
  let seq = 0;
  for (const name of EVENT_NAMES) {
    client.on(name, (payload) => {
      events.push({ event: name, payload, at: seq++ } as Recorded);
      for (const wake of [...waiters]) wake();
    });
  }
  const of = <E extends WebwxClientEventName>(event: E): WebwxClientEvents[E][] =>
    events.filter((e) => e.event === event).map((e) => e.payload as WebwxClientEvents[E]);

  function until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        const found = probe();
        if (found === undefined) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        const seen = events.map((e) => e.event + (e.event === 'state' ? `:${(e.payload as { state: string }).state}` : '')).join(', ');
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; events so far: ${seen}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
      };
      const wake = (): void => void check();
      if (!check()) waiters.add(wake);
    });
  }

  return {
    events,
    of,
    waitFor: (event, predicate = () => true, timeoutMs = WAIT_MS) =>
      until(() => of(event).find(predicate), timeoutMs, `event "${event}"`),
    messages: (count, predicate = () => true, timeoutMs = WAIT_MS) =>
      until(
        () => {
          const found = of('message').map((m) => m.message).filter(predicate);
          return found.length >= count ? found : undefined;
        },
        timeoutMs,
        `${count} messages`,
      ),
    states: () => of('state').map((s) => s.state),
  };
}

// ---------------------------------------------------------------------------------------------
// Lifetimes: everything a test starts is ended after it, whatever happened.

const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch(() => undefined);
  }
});

/** Ends a resource after the test (clients before the simulator they talk to: reverse order). */
export function onCleanup(cleanup: () => Promise<unknown>): void {
  cleanups.push(cleanup);
}

export async function startSim(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ hold: 300, autoDelay: 30, contacts: 30, ...options });
  onCleanup(() => sim.close());
  return sim;
}

export interface TestClient {
  readonly client: WebwxClient;
  readonly rec: Recorder;
}

/** A client of `sim` with fast delays; not started. */
export function makeClient(sim: Simulator, options: WebwxClientOptions = {}): TestClient {
  const client = createWebwxClient({
    loginOrigin: sim.origin,
    delays: FAST_DELAYS,
    // Above the simulator's hold, far below the real 35 s: a lost long poll costs little.
    longPollTimeoutMs: 5_000,
    requestTimeoutMs: 5_000,
    ...options,
  });
  const rec = record(client);
  // stop() never sends webwxlogout: a test that wants it calls logout() itself.
  onCleanup(() => client.stop());
  return { client, rec };
}

/** Starts a client and has the phone scan and confirm its QR (by hand, not the automatic phone). */
export async function loginByHand(sim: Simulator, t: TestClient): Promise<{ uin: string }> {
  await t.client.start();
  const qr = await t.rec.waitFor('qr');
  await waitParked(sim, 'login', qr.uuid);
  const scanned = sim.control.scan({ uuid: qr.uuid });
  await t.rec.waitFor('scanned');
  sim.control.confirm({ uuid: qr.uuid });
  await t.rec.waitFor('state', (s) => s.state === 'syncing');
  return { uin: scanned.uin ?? '' };
}

/** Until a request of `endpoint` (for `uuid`, when given) reached the simulator. */
export async function waitParked(sim: Simulator, endpoint: SimEndpoint, uuid?: string, timeoutMs = WAIT_MS): Promise<void> {
  await until(() => sim.control.requests({ endpoint }).some((r) => uuid === undefined || r.query['uuid'] === uuid), timeoutMs, `a ${endpoint} request`);
}

/** Polls a condition on the simulator's side (its request log, sessions) until it holds. */
export async function until(condition: () => boolean, timeoutMs = WAIT_MS, what = 'a condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Like `until`, for a condition that needs I/O (a session file, a store). */
export async function eventually(condition: () => Promise<boolean>, timeoutMs = WAIT_MS, what = 'a condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Fails when any recorded event carries one of the session's secrets (events may reach logs and stdout). */
export function expectNoSecrets(rec: Recorder, secrets: { sid: string; skey: string; passTicket: string; dataTicket: string; authTicket: string }): void {
  const text = JSON.stringify(rec.events);
  const { sid, skey, passTicket, dataTicket, authTicket } = secrets;
  for (const [name, value] of Object.entries({ sid, skey, passTicket, dataTicket, authTicket })) {
    expect(text.includes(value), `${name} in an event`).toBe(false);
    // The pass_ticket also as decoded once, the way a careless URL would show it.
    if (name === 'passTicket') expect(text.includes(decodeURIComponent(value)), 'decoded passTicket in an event').toBe(false);
  }
}

/** The DeviceIDs a request presented (BaseRequest and the synccheck query). */
export function deviceIdsOf(r: RequestRecord): string[] {
  const ids: string[] = [];
  const base = (r.body as { BaseRequest?: { DeviceID?: unknown } } | null)?.BaseRequest;
  if (base && typeof base.DeviceID === 'string') ids.push(base.DeviceID);
  if (r.query['deviceid'] !== undefined) ids.push(r.query['deviceid']);
  return ids;
}
