/**
 * Measured cases: each run is a whole measurement (usually a simulator process and a client
 * worker process) that reports named quantities — msg/s, KiB per session, % of a core — instead
 * of a function timed in this process. A case may run at several sizes (its variants) so that the
 * growth is visible; one size is the headline that carries the goals. Rounds interleave the
 * contestants and rotate who goes first, exactly as the in-process harness does.
 */
import { median, pairedRatio, spreadOf, type CaseResult, type Spread } from './harness.js';

export type Who = 'ours' | 'wechat4u' | 'limit';

export interface GoalSpec {
  /** `ours` bounds the figure itself; the ratios are ours ÷ theirs. */
  readonly on: 'ours' | 'ratioVsLimit' | 'ratioVsWechat4u';
  readonly atMost?: number;
  readonly atLeast?: number;
}

export interface FigureSpec {
  /** The quantity's key in what a run reports. */
  readonly key: string;
  /** The row's name (the headline size; other sizes add `@tag`). */
  readonly row: string;
  readonly unit: string;
  readonly better: 'lower' | 'higher';
  /** Checked on the headline size only. */
  readonly goals?: readonly GoalSpec[];
  /** The whole cost at a size, from the figure, for the scaling verdict (absent: not judged). */
  readonly total?: { readonly unit: string; readonly of: (value: number, size: number) => number };
}

export interface Variant {
  readonly size: number;
  /** Short, for row names: `1k`, `500`. */
  readonly tag: string;
  readonly headline: boolean;
  /** In words, for the table: "20,000 messages". */
  readonly sampleSize: string;
}

export type RunValues = Readonly<Record<string, number>>;

export interface RunContext {
  readonly variant: Variant;
  /** A warm-up run is discarded: a case may make it shorter. */
  readonly warmup: boolean;
  readonly quick: boolean;
}

export interface MeasuredCase {
  readonly kind: 'measured';
  readonly name: string;
  readonly description: string;
  readonly contestants: readonly Who[];
  readonly figures: readonly FigureSpec[];
  variants(quick: boolean): readonly Variant[];
  /** Rounds per variant (default: the run's). */
  rounds?(quick: boolean, variant: Variant): { readonly runs: number; readonly warmup: number };
  measure(who: Who, ctx: RunContext): Promise<RunValues>;
  /** What the clock and the setup were, for the record. */
  readonly clock: string;
}

export interface ScalingResult {
  readonly case: string;
  readonly figure: string;
  readonly unit: string;
  readonly sizes: readonly number[];
  readonly totals: Readonly<Partial<Record<Who, readonly number[]>>>;
  /** Slope of log(total) over log(size): 1 is proportional. */
  readonly exponent: Readonly<Partial<Record<Who, number>>>;
  /** Cost per unit added between the two largest sizes ÷ between the two smallest: 1 is linear. */
  readonly marginalRatio: Readonly<Partial<Record<Who, number>>>;
  readonly verdict: Readonly<Partial<Record<Who, string>>>;
}

export interface MeasuredResult {
  readonly rows: CaseResult[];
  readonly scaling: ScalingResult[];
}

export interface MeasureOptions {
  readonly quick: boolean;
  readonly runs: number;
  readonly warmup: number;
  readonly log: (line: string) => void;
}

/** Six significant digits: enough for any figure here, whatever its magnitude. */
export const tidy = (n: number): number => (Number.isFinite(n) ? Number(n.toPrecision(6)) : n);
const round3 = tidy;

/** Least-squares slope of y over x. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

/**
 * Whether a cost grows linearly with size. The marginal ratio compares the cost of each unit added
 * between the two largest sizes with that between the two smallest: a fixed start-up cost does not
 * move it (unlike the log-log exponent, which it pulls below 1), a per-unit cost that grows does.
 */
export function scalingVerdict(sizes: readonly number[], totals: readonly number[]): { exponent: number; marginalRatio: number; verdict: string } {
  const exponent = slope(
    sizes.map((s) => Math.log(s)),
    totals.map((t) => Math.log(Math.max(t, Number.MIN_VALUE))),
  );
  const last = sizes.length - 1;
  const first = (totals[1]! - totals[0]!) / (sizes[1]! - sizes[0]!);
  const late = (totals[last]! - totals[last - 1]!) / (sizes[last]! - sizes[last - 1]!);
  const marginalRatio = first > 0 ? late / first : Number.NaN;
  let verdict: string;
  if (!Number.isFinite(marginalRatio)) verdict = 'flat (no growth to judge)';
  else if (marginalRatio > 1.3) verdict = 'superlinear';
  else if (marginalRatio < 0.7) verdict = 'sublinear';
  else verdict = 'linear';
  return { exponent: round3(exponent), marginalRatio: round3(marginalRatio), verdict };
}

function goalText(goals: readonly GoalSpec[]): string {
  return goals.map((g) => (g.atMost !== undefined ? `${g.on} <= ${g.atMost}` : `${g.on} >= ${g.atLeast}`)).join(' and ');
}

function goalMet(goals: readonly GoalSpec[], figures: { ours: number; ratioVsLimit: number | null; ratioVsWechat4u: number | null }): boolean | null {
  let all = true;
  for (const g of goals) {
    const value = figures[g.on];
    if (value === null || !Number.isFinite(value)) return null;
    if (g.atMost !== undefined && !(value <= g.atMost)) all = false;
    if (g.atLeast !== undefined && !(value >= g.atLeast)) all = false;
  }
  return all;
}

const finite = (xs: readonly number[]): number[] => xs.filter((x) => Number.isFinite(x));
const medianOrNull = (xs: readonly number[]): number | null => (finite(xs).length === 0 ? null : median(finite(xs)));

/** Paired ratio over the rounds where both runs produced a figure. */
function pairedOrNull(ours: readonly number[], other: readonly number[]): number | null {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < Math.min(ours.length, other.length); i++) {
    if (Number.isFinite(ours[i]) && Number.isFinite(other[i]) && other[i] !== 0) {
      a.push(ours[i]!);
      b.push(other[i]!);
    }
  }
  return a.length === 0 ? null : pairedRatio(a, b);
}

const nanSpread: Spread = { min: Number.NaN, max: Number.NaN, relative: Number.NaN };
const spreadOrNaN = (xs: readonly number[]): Spread => (finite(xs).length === 0 ? nanSpread : spreadOf(finite(xs)));

type Samples = Record<Who, Record<string, number>[]>;

/** Runs one contestant once; a failed run is retried once, then recorded as NaN figures. */
async function measureOnce(c: MeasuredCase, who: Who, ctx: RunContext, log: (line: string) => void): Promise<Record<string, number>> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      return { ...(await c.measure(who, ctx)) };
    } catch (err) {
      log(`  ${who}: run failed (attempt ${attempt}): ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { failed: 1 };
}

function describeRun(c: MeasuredCase, values: Record<string, number>): string {
  if (values['failed'] === 1) return 'failed';
  return c.figures.map((f) => `${Number.isFinite(values[f.key]) ? round3(values[f.key]!) : '—'} ${f.unit}`).join(', ');
}

async function runVariant(c: MeasuredCase, variant: Variant, options: MeasureOptions): Promise<{ samples: Samples; runs: number; warmup: number }> {
  const { runs, warmup } = c.rounds?.(options.quick, variant) ?? { runs: options.runs, warmup: options.warmup };
  const samples: Samples = { ours: [], wechat4u: [], limit: [] };
  for (let round = 0; round < warmup + runs; round++) {
    const isWarmup = round < warmup;
    for (let i = 0; i < c.contestants.length; i++) {
      const who = c.contestants[(round + i) % c.contestants.length]!;
      const values = await measureOnce(c, who, { variant, warmup: isWarmup, quick: options.quick }, options.log);
      options.log(`  ${c.name}@${variant.tag} ${isWarmup ? 'warm-up' : `round ${round - warmup + 1}/${runs}`} ${who}: ${describeRun(c, values)}`);
      if (!isWarmup) samples[who].push(values);
    }
  }
  return { samples, runs, warmup };
}

interface VariantRows {
  readonly rows: CaseResult[];
  /** Unrounded medians per figure and contestant, for the scaling verdict. */
  readonly medians: readonly Readonly<Record<Who, number | null>>[];
}

function rowsOf(c: MeasuredCase, variant: Variant, samples: Samples, runs: number, warmup: number): VariantRows {
  const has = (who: Who): boolean => c.contestants.includes(who);
  const series = (who: Who, key: string): number[] => samples[who].map((v) => v[key] ?? Number.NaN);
  const keys = new Set<string>();
  for (const who of c.contestants) for (const v of samples[who]) for (const k of Object.keys(v)) keys.add(k);
  const figureKeys = new Set(c.figures.map((f) => f.key));
  const details: Record<string, Record<string, number | null>> = {};
  for (const key of [...keys].filter((k) => !figureKeys.has(k)).sort()) {
    details[key] = Object.fromEntries(c.contestants.map((who) => [who, ((m) => (m === null ? null : round3(m)))(medianOrNull(series(who, key)))]));
  }
  const medians = c.figures.map((f) => ({
    ours: medianOrNull(series('ours', f.key)),
    wechat4u: has('wechat4u') ? medianOrNull(series('wechat4u', f.key)) : null,
    limit: has('limit') ? medianOrNull(series('limit', f.key)) : null,
  }));
  const rows = c.figures.map((f): CaseResult => {
    const ours = series('ours', f.key);
    const wechat4u = has('wechat4u') ? series('wechat4u', f.key) : null;
    const limit = has('limit') ? series('limit', f.key) : null;
    const oursMedian = medianOrNull(ours) ?? Number.NaN;
    const ratioVsWechat4u = wechat4u ? pairedOrNull(ours, wechat4u) : null;
    const ratioVsLimit = limit ? pairedOrNull(ours, limit) : null;
    const goals = variant.headline && f.goals && f.goals.length > 0 ? f.goals : null;
    const r = (n: number | null): number | null => (n === null ? null : round3(n));
    return {
      name: variant.headline ? f.row : `${f.row}@${variant.tag}`,
      case: c.name,
      unit: f.unit,
      better: f.better,
      ours: round3(oursMedian),
      wechat4u: wechat4u ? r(medianOrNull(wechat4u)) : null,
      limit: limit ? r(medianOrNull(limit)) : null,
      ratioVsWechat4u: r(ratioVsWechat4u),
      ratioVsLimit: r(ratioVsLimit),
      goal: goals ? goalText(goals) : null,
      met: goals ? goalMet(goals, { ours: oursMedian, ratioVsLimit, ratioVsWechat4u }) : null,
      samples: {
        runs,
        warmup,
        size: variant.sampleSize,
        clock: c.clock,
        spread: { ours: spreadOrNaN(ours), wechat4u: wechat4u ? spreadOrNaN(wechat4u) : null, limit: limit ? spreadOrNaN(limit) : null },
        ours: ours.map(round3),
        wechat4u: wechat4u ? wechat4u.map(round3) : null,
        limit: limit ? limit.map(round3) : null,
        details,
      },
    };
  });
  return { rows, medians };
}

function scalingOf(c: MeasuredCase, variants: readonly Variant[], perVariant: readonly VariantRows[]): ScalingResult[] {
  if (variants.length < 3) return [];
  const sizes = variants.map((v) => v.size);
  const out: ScalingResult[] = [];
  c.figures.forEach((f, fi) => {
    if (!f.total) return;
    const totals: Partial<Record<Who, number[]>> = {};
    const exponent: Partial<Record<Who, number>> = {};
    const marginalRatio: Partial<Record<Who, number>> = {};
    const verdict: Partial<Record<Who, string>> = {};
    for (const who of c.contestants) {
      const medians = perVariant.map((v) => v.medians[fi]![who]);
      if (medians.some((m) => m === null || !Number.isFinite(m))) continue;
      const t = medians.map((m, i) => round3(f.total!.of(m as number, sizes[i]!)));
      totals[who] = t;
      const v = scalingVerdict(sizes, t);
      exponent[who] = v.exponent;
      marginalRatio[who] = v.marginalRatio;
      verdict[who] = v.verdict;
    }
    out.push({ case: c.name, figure: f.row, unit: f.total.unit, sizes, totals, exponent, marginalRatio, verdict });
  });
  return out;
}

export async function runMeasuredCase(c: MeasuredCase, options: MeasureOptions): Promise<MeasuredResult> {
  const variants = c.variants(options.quick);
  const perVariant: VariantRows[] = [];
  for (const variant of variants) {
    options.log(`${c.name}@${variant.tag}: ${variant.sampleSize}`);
    const { samples, runs, warmup } = await runVariant(c, variant, options);
    perVariant.push(rowsOf(c, variant, samples, runs, warmup));
  }
  // Headline rows first, then the other sizes in order.
  const headline = variants.findIndex((v) => v.headline);
  const ordered = [...(headline >= 0 ? perVariant[headline]!.rows : []), ...perVariant.filter((_, i) => i !== headline).flatMap((v) => v.rows)];
  return { rows: ordered, scaling: scalingOf(c, variants, perVariant) };
}

export function isMeasuredCase(value: unknown): value is MeasuredCase {
  const c = value as Partial<MeasuredCase> | null;
  return typeof c === 'object' && c !== null && c.kind === 'measured' && typeof c.measure === 'function';
}

/** Three significant digits, for display. */
export const short = (n: number | undefined): string => (n === undefined ? '—' : Number.isFinite(n) ? String(Number(n.toPrecision(3))) : String(n));

/** The scaling verdicts as text, one line per figure. */
export function formatScaling(scaling: readonly ScalingResult[]): string {
  const lines: string[] = [];
  for (const s of scaling) {
    lines.push(`${s.figure} — whole cost (${s.unit}) at ${s.sizes.map((n) => n.toLocaleString('en')).join(' / ')}:`);
    for (const who of ['ours', 'wechat4u', 'limit'] as const) {
      const t = s.totals[who];
      if (!t) continue;
      lines.push(
        `  ${who.padEnd(8)} ${t.map((x) => Number(x.toPrecision(3)).toLocaleString('en')).join(' / ').padEnd(28)} ${s.verdict[who]} (marginal ratio ${short(s.marginalRatio[who])}, log-log exponent ${short(s.exponent[who])})`,
      );
    }
  }
  return lines.join('\n');
}
