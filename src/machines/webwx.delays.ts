/**
 * The machine's pauses as pure functions of its context, so a simulated clock can drive them and
 * a run is reproducible: the jitter comes from a seed kept in the context, not from Math.random.
 */
import type { WebwxContext, WebwxTiming } from './webwx.types.js';

/** One step of a small uint32 generator (mulberry32's mixing); good enough to spread retries. */
export function nextSeed(seed: number): number {
  return (seed + 0x6d2b79f5) >>> 0;
}

/** A fraction in [0, 1) derived from the seed. */
export function seedFraction(seed: number): number {
  let t = seed >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}

/**
 * Exponential back-off with jitter: the n-th consecutive attempt waits base·2^(n-1), capped, then
 * scaled into [50 %, 100 %] so that many clients failing together do not retry together.
 */
export function backoffMs(baseMs: number, maxMs: number, attempt: number, seed: number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const full = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.round(full * (0.5 + 0.5 * seedFraction(seed)));
}

/** What is left of a minimum spacing after a request that took `elapsedMs`. */
export function remainingPause(minimumMs: number, elapsedMs: number): number {
  return Math.max(0, Math.round(minimumMs - Math.max(0, elapsedMs)));
}

type DelayArgs = { readonly context: WebwxContext };

/** The named delays of `setup({ delays })`. */
export const webwxDelays = {
  /** The pause a `resting` state takes (set by the transition that led there). */
  rest: ({ context }: DelayArgs): number => context.restMs,
  /** Back-off of the login steps and the sync loop, by consecutive faults. */
  backoff: ({ context }: DelayArgs): number => {
    const t: WebwxTiming = context.settings.timing;
    return backoffMs(t.backoffBaseMs, t.backoffMaxMs, context.faults.consecutive, context.seed);
  },
  /** Back-off before the outbox's head is tried again. */
  sendBackoff: ({ context }: DelayArgs): number => {
    const t: WebwxTiming = context.settings.timing;
    return backoffMs(t.sendRetryBaseMs, t.sendRetryMaxMs, context.sendAttempts, context.seed);
  },
  /** Back-off before a batchgetcontact batch is tried again. */
  membersBackoff: ({ context }: DelayArgs): number => {
    const t: WebwxTiming = context.settings.timing;
    return backoffMs(t.backoffBaseMs, t.backoffMaxMs, context.members.attempts, context.seed);
  },
};
