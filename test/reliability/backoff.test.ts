/**
 * No spin: under a server that keeps failing, the request rate stays under the bound the
 * configured back-off gives (scaled-down delays, and the real default delays over a short
 * window); under synccheck answers with odd selectors (3, 6, 7, 99…) that come back at once, the
 * loop still rests between rounds.
 *
 * Back-off after the k-th consecutive fault waits base·2^(k-1), capped at max, scaled by a jitter
 * in [50 %, 100 %] (webwx.delays.ts), so the k-th gap is at least ½·min(max, base·2^(k-1)).
 */
import { describe, expect, it } from 'vitest';
import { createWebwxClient, type WebwxClient } from '../../src/client.js';
import { startSimulator, type RequestRecord, type Simulator } from '../../src/simulator/index.js';
import { DEFAULT_TIMING } from '../../src/machines/webwx.types.js';
import { startHostileProxy } from './hostile-proxy.js';
import { printFigures, sleep, until } from './support.js';

/** The least the k-th back-off (k from 1) can wait. */
const leastBackoff = (baseMs: number, maxMs: number, k: number): number => 0.5 * Math.min(maxMs, baseMs * 2 ** (k - 1));

/** The most requests a window of `windowMs` can hold, the first at its start, each gap at its least. */
function mostRequests(baseMs: number, maxMs: number, windowMs: number): number {
  let n = 1;
  let elapsed = 0;
  for (let k = 1; ; k++) {
    elapsed += leastBackoff(baseMs, maxMs, k);
    if (elapsed > windowMs) return n;
    n++;
  }
}

/** Clock granularity and the time between the client's send and the server's timestamp. */
const SLACK_MS = 5;

async function loggedIn(sim: Simulator, client: WebwxClient, states: string[]): Promise<string> {
  client.on('state', ({ state }) => states.push(state));
  await client.start();
  await until(() => states.includes('syncing'), 15_000, 'the login');
  return sim.control.sessions().at(-1)!.uin;
}

/** The requests of `endpoint` from the first faulted one on, within `windowMs` of it. */
function faulted(sim: Simulator, endpoint: 'synccheck' | 'webwxsync', since: number, windowMs: number): RequestRecord[] {
  const requests = sim.control.requests({ since, endpoint });
  const first = requests[0];
  return first ? requests.filter((r) => r.time - first.time <= windowMs) : [];
}

async function persistentFailure(delays: { backoffBaseMs: number; backoffMaxMs: number } | null, windowMs: number, endpoint: 'synccheck' | 'webwxsync' = 'synccheck') {
  const sim = await startSimulator({ hold: 150, auto: true, autoDelay: 10, contacts: 5 });
  const states: string[] = [];
  const client = createWebwxClient({ loginOrigin: sim.origin, maxConsecutiveFailures: 10_000, ...(delays ? { delays: { checkPauseMs: 20, ...delays } } : {}) });
  try {
    const uin = await loggedIn(sim, client, states);
    const since = sim.control.requests().at(-1)!.seq;
    sim.control.setFaults({ rules: [{ endpoint, kind: 'status', status: 500, uin }] });
    // For webwxsync: a message waits, so every synccheck answers at once that there is something new.
    if (endpoint === 'webwxsync') sim.control.message({ uin, from: sim.control.contacts(uin).find((c) => !c.UserName.startsWith('@@'))!.UserName, text: 'unreadable' });
    await until(() => sim.control.requests({ since, endpoint }).length > 0, 15_000, `the first faulted ${endpoint}`);
    const firstAt = sim.control.requests({ since, endpoint })[0]!.time;
    await sleep(Math.max(0, firstAt + windowMs + 50 - Date.now()));
    const checks = faulted(sim, endpoint, since, windowMs);
    return { checks, states };
  } finally {
    await client.stop();
    await sim.close();
  }
}

function gapsOf(checks: readonly RequestRecord[]): number[] {
  return checks.slice(1).map((r, i) => r.time - checks[i]!.time);
}

describe('back-off under a server that keeps failing (synccheck answers HTTP 500)', () => {
  it('scaled delays (base 20 ms, max 160 ms): every gap at least its back-off, requests under the bound', { timeout: 30_000 }, async () => {
    const base = 20;
    const max = 160;
    const windowMs = 2_000;
    const { checks, states } = await persistentFailure({ backoffBaseMs: base, backoffMaxMs: max }, windowMs);
    const gaps = gapsOf(checks);
    const bound = mostRequests(base, max, windowMs);
    printFigures('backoff-scaled', { baseMs: base, maxMs: max, windowMs, requests: checks.length, bound, perSecondSteadyBound: 1000 / (0.5 * max), gaps });
    gaps.forEach((gap, i) => expect(gap, `gap ${i + 1}`).toBeGreaterThanOrEqual(leastBackoff(base, max, i + 1) - SLACK_MS));
    expect(checks.length).toBeLessThanOrEqual(bound);
    // It keeps trying (no giving up inside the budget), at the capped pace.
    expect(checks.length).toBeGreaterThanOrEqual(5);
    expect(states).not.toContain('loggedOut');
  });

  it('webwxsync failing while every synccheck says "new": the back-off still grows (a good synccheck does not reset it)', { timeout: 30_000 }, async () => {
    const base = 20;
    const max = 160;
    const windowMs = 1_500;
    const { checks, states } = await persistentFailure({ backoffBaseMs: base, backoffMaxMs: max }, windowMs, 'webwxsync');
    const gaps = gapsOf(checks);
    const bound = mostRequests(base, max, windowMs);
    printFigures('backoff-webwxsync', { baseMs: base, maxMs: max, windowMs, requests: checks.length, bound, gaps });
    gaps.forEach((gap, i) => expect(gap, `gap ${i + 1}`).toBeGreaterThanOrEqual(leastBackoff(base, max, i + 1) - SLACK_MS));
    expect(checks.length).toBeLessThanOrEqual(bound);
    expect(checks.length).toBeGreaterThanOrEqual(4);
    expect(states).not.toContain('loggedOut');
  });

  it('the real default delays (base 1 s, max 10 s): at most 4 requests in 4.5 s', { timeout: 30_000 }, async () => {
    const windowMs = 4_500;
    const { checks, states } = await persistentFailure(null, windowMs);
    const gaps = gapsOf(checks);
    const bound = mostRequests(DEFAULT_TIMING.backoffBaseMs, DEFAULT_TIMING.backoffMaxMs, windowMs);
    printFigures('backoff-default', { baseMs: DEFAULT_TIMING.backoffBaseMs, maxMs: DEFAULT_TIMING.backoffMaxMs, windowMs, requests: checks.length, bound, gaps });
    expect(bound).toBe(4);
    gaps.forEach((gap, i) => expect(gap, `gap ${i + 1}`).toBeGreaterThanOrEqual(leastBackoff(DEFAULT_TIMING.backoffBaseMs, DEFAULT_TIMING.backoffMaxMs, i + 1) - SLACK_MS));
    expect(checks.length).toBeLessThanOrEqual(bound);
    expect(checks.length).toBeGreaterThanOrEqual(2);
    expect(states).not.toContain('loggedOut');
  });
});

describe('odd selectors', () => {
  it('synccheck answering selectors 3, 6, 7, 1, 5, 99 at once, forever: one round per checkPauseMs at most', { timeout: 30_000 }, async () => {
    const sim = await startSimulator({ hold: 150, auto: true, autoDelay: 10, contacts: 5 });
    const proxy = await startHostileProxy(sim.origin);
    sim.control.setRedirectOrigin(proxy.origin);
    const checkPauseMs = 100;
    const client = createWebwxClient({ loginOrigin: proxy.origin, delays: { checkPauseMs, pollPauseMs: 20 } });
    const errors: string[] = [];
    client.on('error', ({ code }) => errors.push(code));
    const states: string[] = [];
    try {
      await loggedIn(sim, client, states);
      const selectors = [3, 6, 7, 1, 5, 99];
      proxy.set((req) =>
        req.endpoint === 'synccheck'
          ? { answer: { headers: { 'content-type': 'text/javascript' }, body: `window.synccheck={retcode:"0",selector:"${selectors[req.nth % selectors.length]}"}` } }
          : undefined,
      );
      const since = sim.control.requests().at(-1)!.seq;
      const windowMs = 1_500;
      // The synccheck parked before the switch comes back within the hold; count from then on.
      await sleep(200);
      const from = Date.now();
      const checksBefore = proxy.tampered('synccheck');
      const syncsBefore = sim.control.requests({ since, endpoint: 'webwxsync' }).length;
      await sleep(windowMs);
      const checks = proxy.tampered('synccheck') - checksBefore;
      const syncs = sim.control.requests({ since, endpoint: 'webwxsync' }).length - syncsBefore;
      const elapsed = Date.now() - from;
      const bound = Math.ceil(elapsed / checkPauseMs) + 1;
      printFigures('odd-selectors', { checkPauseMs, windowMs: elapsed, synccheck: checks, webwxsync: syncs, bound });
      expect(checks).toBeGreaterThanOrEqual(5);
      expect(checks).toBeLessThanOrEqual(bound);
      expect(syncs).toBeLessThanOrEqual(bound);
      // Every odd selector is answered with a webwxsync, none is a fault, the session goes on.
      expect(syncs).toBeGreaterThanOrEqual(checks - 1);
      expect(errors).toEqual([]);
      expect(states.at(-1)).toBe('syncing');
    } finally {
      await client.stop();
      await proxy.close();
      await sim.close();
    }
  });
});
