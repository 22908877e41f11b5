/**
 * idle-sessions: N logged-in sessions in one client process, parked on synccheck (the simulator
 * holds each for 25 s, then answers "nothing" and the client polls again). Figures, measured in
 * the worker (started with --expose-gc): heap and RSS growth per session after GC — from before
 * the first login to after the CPU window — and the CPU the process used over the window, as % of
 * one core.
 *
 * Every account has a small contact list (CONTACTS below) so the figure is the engine's cost per
 * session rather than the user's data. Logins run LOGIN_CONCURRENCY at a time; the window starts
 * after every session is parked and the login traffic has settled.
 *
 * ours      createWebwxClient × N (dist/, default options)
 * wechat4u  new Wechat() × N, repointed at the simulator
 * limit     the bare loop × N: credentials, a cookie map and one parked request per session
 * goals     heap and RSS ≤ 64 KiB per session and ≤ half of wechat4u's; idle CPU ≤ 2 % of a core
 */
import type { MeasuredCase, RunValues, Variant, Who } from '../measure.js';
import { runWorker, startSimulator } from '../processes.js';

const CONTACTS = 10;
const SEED = 20_240_602;
const HOLD_MS = 25_000;

interface Windows {
  readonly windowMs: number;
  readonly settleMs: number;
  readonly concurrency: number;
}

/**
 * The window is a whole number of holds, so that every session polls the same number of times in
 * it whatever its phase: the contestants log in at different speeds, and with a 60 s window a
 * session polled two or three times depending on when it parked (±40 % between runs). The
 * headline takes three holds (75 s, the "60 s" rounded up to whole rounds); the other
 * sizes, for the growth curve, one; warm-ups only warm the machine.
 */
function windowsOf(size: number, headline: boolean, quick: boolean, warmup: boolean): Windows {
  if (quick) return { windowMs: 2_000, settleMs: 500, concurrency: 10 };
  return { windowMs: warmup ? 5_000 : headline ? 3 * HOLD_MS : HOLD_MS, settleMs: 5_000, concurrency: Math.min(25, size) };
}

const variant = (size: number, headline: boolean): Variant => ({
  size,
  tag: String(size),
  headline,
  sampleSize: `${size.toLocaleString('en')} sessions`,
});

async function measure(who: Who, variantOf: Variant, quick: boolean, warmup: boolean): Promise<RunValues> {
  const w = windowsOf(variantOf.size, variantOf.headline, quick, warmup);
  const sim = await startSimulator({ hold: HOLD_MS, contacts: CONTACTS, seed: SEED });
  try {
    const result = await runWorker(
      who,
      { kind: 'idle', origin: sim.origin, sessions: variantOf.size, concurrency: w.concurrency, settleMs: w.settleMs, windowMs: w.windowMs },
      { exposeGc: true, timeoutMs: 600_000 + w.windowMs + variantOf.size * 500 },
    );
    const v = result.values;
    if ((v['alive'] ?? 0) < variantOf.size) throw new Error(`${who}: only ${v['alive']} of ${variantOf.size} sessions alive after the window`);
    // Each parked session answers one synccheck per hold: the CPU of one idle round, phase-free.
    // A window shorter than a hold (quick runs, warm-ups) may hold no round at all: not a figure.
    const rounds = variantOf.size * ((v['windowMs'] ?? w.windowMs) / HOLD_MS);
    return { ...v, cpuUsPerRound: w.windowMs >= HOLD_MS ? ((v['cpuMs'] ?? Number.NaN) * 1000) / rounds : Number.NaN };
  } finally {
    await sim.close();
  }
}

const idleSessions: MeasuredCase = {
  kind: 'measured',
  name: 'idle-sessions',
  description: 'N sessions in one client process parked on synccheck (hold 25 s): memory per session after GC, idle CPU',
  contestants: ['ours', 'wechat4u', 'limit'],
  clock: 'memory: process.memoryUsage() after gc (--expose-gc), growth from before the first login; CPU: process.cpuUsage over the window ÷ its wall time',
  figures: [
    {
      key: 'heapKiB',
      row: 'idle-sessions.heap',
      unit: 'KiB/session',
      better: 'lower',
      goals: [
        { on: 'ours', atMost: 64 },
        { on: 'ratioVsWechat4u', atMost: 0.5 },
      ],
      total: { unit: 'MiB of heap', of: (value, size) => (value * size) / 1024 },
    },
    {
      key: 'rssKiB',
      row: 'idle-sessions.rss',
      unit: 'KiB/session',
      better: 'lower',
      goals: [
        { on: 'ours', atMost: 64 },
        { on: 'ratioVsWechat4u', atMost: 0.5 },
      ],
      total: { unit: 'MiB of RSS', of: (value, size) => (value * size) / 1024 },
    },
    {
      key: 'cpuPct',
      row: 'idle-sessions.cpu',
      unit: '% of a core',
      better: 'lower',
      goals: [{ on: 'ours', atMost: 2 }],
      total: { unit: '% of a core', of: (value) => value },
    },
    {
      key: 'cpuUsPerRound',
      row: 'idle-sessions.cpu-per-round',
      unit: 'µs CPU/round',
      better: 'lower',
    },
  ],
  variants: (quick) => (quick ? [variant(10, false), variant(20, false), variant(40, true)] : [variant(100, false), variant(500, false), variant(1000, true)]),
  rounds: (quick) => (quick ? { runs: 1, warmup: 0 } : { runs: 5, warmup: 1 }),
  measure: (who, ctx) => measure(who, ctx.variant, ctx.quick, ctx.warmup),
};

export default idleSessions;
