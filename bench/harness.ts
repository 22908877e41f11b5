/**
 * The benchmark harness: a case names up to three contestants — ours, wechat4u doing the same
 * job, and the bare limit (what no implementation can beat, e.g. JSON.parse alone) — and a goal.
 * Contestants run interleaved, round by round, so that drift on a shared machine hits all alike;
 * each run is timed alone after a garbage collection. Times are medians with their spread; ratios
 * are medians of the per-round ratios. This file times functions in this process (contacts-decode);
 * cases measured in simulator and client processes use bench/measure.ts, with the same rules.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export type Contestant = () => unknown;

/** What a case prepares once, before any timing. */
export interface PreparedCase {
  readonly ours: Contestant;
  readonly wechat4u?: Contestant;
  readonly limit?: Contestant;
  /** The sample each run handles, in words, e.g. "10,000 contacts (7.2 MB)". */
  readonly sampleSize: string;
}

export interface Goal {
  /** Which ratio the goal bounds. */
  readonly ratio: 'ratioVsLimit' | 'ratioVsWechat4u';
  readonly atMost: number;
}

export interface BenchCase {
  readonly name: string;
  readonly unit: 'ms';
  readonly description: string;
  readonly goal: Goal | null;
  prepare(options: { readonly quick: boolean }): PreparedCase | Promise<PreparedCase>;
}

export interface RunOptions {
  readonly quick: boolean;
  /** Measured rounds after warm-up (at least 5). */
  readonly runs: number;
  readonly warmup: number;
}

export interface Spread {
  readonly min: number;
  readonly max: number;
  /** (max − min) / median: how far apart the fastest and slowest run were. */
  readonly relative: number;
}

export interface CaseResult {
  /** The row's name: a case's headline figure is named for the case, other rows add `.figure` or `@size`. */
  readonly name: string;
  /** The case (file in bench/cases) that produced the row; results of separate `--only` runs merge by it. */
  readonly case?: string;
  readonly unit: string;
  /** Which direction is better; ratios are always ours ÷ theirs in the row's unit. */
  readonly better?: 'lower' | 'higher';
  readonly ours: number;
  readonly wechat4u: number | null;
  readonly limit: number | null;
  readonly ratioVsWechat4u: number | null;
  readonly ratioVsLimit: number | null;
  readonly goal: string | null;
  readonly met: boolean | null;
  readonly samples: {
    readonly runs: number;
    readonly warmup: number;
    readonly size: string;
    readonly clock: string;
    readonly wallMedian?: { readonly ours: number; readonly wechat4u: number | null; readonly limit: number | null };
    readonly spread: { readonly ours: Spread; readonly wechat4u: Spread | null; readonly limit: Spread | null };
    readonly ours: readonly number[];
    readonly wechat4u: readonly number[] | null;
    readonly limit: readonly number[] | null;
    /** Medians of the other quantities each run reported (per contestant), for the record. */
    readonly details?: Readonly<Record<string, Readonly<Record<string, number | null>>>>;
  };
}

/** A collector: the benchmark process may call it between runs without being started with --expose-gc. */
function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as unknown;
  return typeof gc === 'function' ? (gc as () => void) : (): void => undefined;
}

const collect = gcFunction();

/** Keeps results alive so the optimiser cannot drop a contestant's work. */
let sink: unknown;

interface Timing {
  readonly cpu: number;
  readonly wall: number;
}

/**
 * Times one run by the process's CPU time (user + system) and by the wall clock. CPU time is the
 * figure reported: on a shared machine the wall clock mostly measures other processes' load.
 */
async function timeOnce(run: Contestant): Promise<Timing> {
  collect();
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  const out = run();
  // A contestant may be async (wechat4u's methods return promises); the await is part of its cost.
  sink = out instanceof Promise ? await out : out;
  const wall = Number(process.hrtime.bigint() - wall0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return { cpu: (cpu.user + cpu.system) / 1000, wall };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function spreadOf(xs: readonly number[]): Spread {
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  return { min, max, relative: (max - min) / median(xs) };
}

export const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/** The median over rounds of ours[i] / other[i]. */
export function pairedRatio(ours: readonly number[], other: readonly number[]): number {
  return median(ours.map((t, i) => t / other[i]!));
}

function goalText(goal: Goal): string {
  return `${goal.ratio} <= ${goal.atMost}`;
}

export async function runCase(c: BenchCase, options: RunOptions): Promise<CaseResult> {
  const prepared = await c.prepare({ quick: options.quick });
  const contestants: [keyof Pick<PreparedCase, 'ours' | 'wechat4u' | 'limit'>, Contestant][] = [['ours', prepared.ours]];
  if (prepared.limit) contestants.push(['limit', prepared.limit]);
  if (prepared.wechat4u) contestants.push(['wechat4u', prepared.wechat4u]);
  const times: Record<string, number[]> = { ours: [], limit: [], wechat4u: [] };
  const wall: Record<string, number[]> = { ours: [], limit: [], wechat4u: [] };
  for (let round = 0; round < options.warmup + options.runs; round++) {
    // Rotate who goes first, so no contestant always runs right after another's garbage.
    for (let i = 0; i < contestants.length; i++) {
      const [who, run] = contestants[(round + i) % contestants.length]!;
      const timing = await timeOnce(run);
      if (round >= options.warmup) {
        times[who]!.push(timing.cpu);
        wall[who]!.push(timing.wall);
      }
    }
  }
  void sink;
  const ours = median(times['ours']!);
  const limit = prepared.limit ? median(times['limit']!) : null;
  const wechat4u = prepared.wechat4u ? median(times['wechat4u']!) : null;
  // Ratios are medians of per-round ratios: the runs of one round are adjacent in time, so load
  // from other processes on a shared machine mostly cancels out of each pair.
  const ratioVsLimit = limit !== null ? pairedRatio(times['ours']!, times['limit']!) : null;
  const ratioVsWechat4u = wechat4u !== null ? pairedRatio(times['ours']!, times['wechat4u']!) : null;
  const bounded = c.goal === null ? null : c.goal.ratio === 'ratioVsLimit' ? ratioVsLimit : ratioVsWechat4u;
  return {
    name: c.name,
    case: c.name,
    unit: c.unit,
    better: 'lower',
    ours: round3(ours),
    wechat4u: wechat4u === null ? null : round3(wechat4u),
    limit: limit === null ? null : round3(limit),
    ratioVsWechat4u: ratioVsWechat4u === null ? null : round3(ratioVsWechat4u),
    ratioVsLimit: ratioVsLimit === null ? null : round3(ratioVsLimit),
    goal: c.goal === null ? null : goalText(c.goal),
    met: c.goal === null || bounded === null ? null : bounded <= c.goal.atMost,
    samples: {
      runs: options.runs,
      warmup: options.warmup,
      size: prepared.sampleSize,
      clock: 'process CPU time (user + system); wall-clock medians under wallMedian',
      wallMedian: {
        ours: round3(median(wall['ours']!)),
        wechat4u: prepared.wechat4u ? round3(median(wall['wechat4u']!)) : null,
        limit: prepared.limit ? round3(median(wall['limit']!)) : null,
      },
      spread: {
        ours: spreadOf(times['ours']!),
        wechat4u: prepared.wechat4u ? spreadOf(times['wechat4u']!) : null,
        limit: prepared.limit ? spreadOf(times['limit']!) : null,
      },
      ours: times['ours']!.map(round3),
      wechat4u: prepared.wechat4u ? times['wechat4u']!.map(round3) : null,
      limit: prepared.limit ? times['limit']!.map(round3) : null,
    },
  };
}

/** Enough digits to read a figure, whatever its magnitude (2 decimals below 10, none from 100). */
export function formatNumber(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  if (abs >= 100) return Math.round(n).toLocaleString('en');
  return n.toFixed(abs >= 10 ? 1 : abs >= 0.1 || abs === 0 ? 2 : 3);
}

const fmtRatio = (n: number | null): string => (n === null || !Number.isFinite(n) ? '—' : `${n.toFixed(n >= 100 ? 0 : 2)}`);

/** A plain-text table of the results, one line per row. Ratios are ours ÷ theirs. */
export function formatTable(results: readonly CaseResult[]): string {
  const header = ['case', 'unit', 'better', 'ours', 'wechat4u', 'limit', 'ours/wechat4u', 'ours/limit', 'goal', 'met', 'spread', 'runs', 'sample'];
  const rows = results.map((r) => [
    r.name,
    r.unit,
    r.better ?? 'lower',
    formatNumber(r.ours),
    formatNumber(r.wechat4u),
    formatNumber(r.limit),
    fmtRatio(r.ratioVsWechat4u),
    fmtRatio(r.ratioVsLimit),
    r.goal ?? '—',
    r.met === null ? '—' : r.met ? 'yes' : 'NO',
    Number.isFinite(r.samples.spread.ours.relative) ? `±${(r.samples.spread.ours.relative * 50).toFixed(0)}%` : '—',
    String(r.samples.runs),
    r.samples.size,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
