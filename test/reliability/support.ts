/**
 * What the reliability campaigns share: the CI/soak size switch, a seeded generator (a run is
 * reproducible from its seed), and the figures each campaign prints when it is done.
 */
import { appendFileSync } from 'node:fs';

/** `WEBWX_SOAK=1` runs every campaign at its large size. */
export const SOAK = process.env['WEBWX_SOAK'] === '1';

/** CI size or soak size. */
export const sized = (ci: number, soak: number): number => (SOAK ? soak : ci);

/** A seed from `WEBWX_SEED` (to replay a failure), else the given one. */
export function seedOr(fallback: number): number {
  const given = Number(process.env['WEBWX_SEED']);
  return Number.isSafeInteger(given) && given > 0 ? given : fallback;
}

/** mulberry32: a small, fast, seeded uint32 generator; answers fractions in [0, 1). */
export function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An integer in [min, max] from `random`. */
export const between = (random: () => number, min: number, max: number): number => min + Math.floor(random() * (max - min + 1));

/**
 * Prints a campaign's figures as one line (and appends it to `WEBWX_FIGURES_FILE` when set, which
 * is how docs/reliability.md's soak figures are collected).
 */
export function printFigures(campaign: string, figures: Readonly<Record<string, unknown>>): void {
  const line = JSON.stringify({ campaign, soak: SOAK, ...figures });
  console.log(`[reliability] ${line}`);
  const file = process.env['WEBWX_FIGURES_FILE'];
  if (file) appendFileSync(file, `${line}\n`);
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every few ms until it holds. */
export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * Waits until `progress()` reaches `target`, as long as it keeps growing: fails only after
 * `stallMs` without progress. For a backlog whose size depends on the machine's speed (a liveness
 * check, not a speed check). Reads the progress once per poll, every `pollMs`: reading it may be
 * costly for the process that also runs the simulator.
 */
export async function untilProgressing(progress: () => number, target: number, stallMs: number, what: string, pollMs = 5): Promise<void> {
  let last = -Infinity;
  let lastMovedAt = Date.now();
  for (;;) {
    const now = progress();
    if (now >= target) return;
    if (now > last) {
      last = now;
      lastMovedAt = Date.now();
    } else if (Date.now() - lastMovedAt > stallMs) {
      throw new Error(`no progress for ${stallMs} ms waiting for ${what}`);
    }
    await sleep(pollMs);
  }
}
