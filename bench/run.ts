/**
 * `npm run bench [-- --quick] [-- --only=<case>[,<case>]]`: runs every case in bench/cases/
 * (each file's default export is a BenchCase, timed in this process, or a MeasuredCase, measured
 * in simulator and client child processes), prints a table and writes bench/results.json.
 *   --quick   reduced sizes, windows and rounds (a check that every case works, not a result)
 *   --only    run only the named cases; their rows replace those of the same cases in an existing
 *             bench/results.json of the same kind (full or quick), the others are kept
 *   --report-only  rewrite the chart and the docs block from bench/results.json, run nothing
 * Environment, for finding causes: BENCH_CPU_PROF=<dir> (every worker runs with --cpu-prof),
 * BENCH_WINDOW_PROF=<dir> (a profile of the idle window), BENCH_HEAP_SNAPSHOT=<dir> (a heap
 * snapshot of the parked sessions), BENCH_WORKER_FLAGS="<node flags>"; read them with
 * bench/profile.ts and bench/heap.ts.
 * A full run also writes the chart (docs/img/benchmarks.svg) and the results block of
 * docs/benchmarks.md from the complete results file.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { formatTable, runCase, type BenchCase, type CaseResult, type RunOptions } from './harness.js';
import { formatScaling, isMeasuredCase, runMeasuredCase, type MeasuredCase, type ScalingResult } from './measure.js';
import { engineIdentity } from './processes.js';
import { writeReport, type BenchReport } from './report.js';

interface Args {
  readonly quick: boolean;
  readonly only: readonly string[] | null;
  /** Only rewrite the chart and the docs block from bench/results.json. */
  readonly reportOnly: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const onlyArg = argv.find((a) => a.startsWith('--only='));
  return {
    quick: argv.includes('--quick'),
    only: onlyArg ? onlyArg.slice('--only='.length).split(',').filter((s) => s.length > 0) : null,
    reportOnly: argv.includes('--report-only'),
  };
}

const CASES_DIR = new URL('./cases/', import.meta.url);
const RESULTS = new URL('./results.json', import.meta.url);

type AnyCase = BenchCase | MeasuredCase;

function isBenchCase(value: unknown): value is BenchCase {
  const c = value as Partial<BenchCase> | null;
  return typeof c === 'object' && c !== null && typeof c.name === 'string' && typeof c.prepare === 'function';
}

/** Every `bench/cases/*.ts` file (not starting with `_`) is a case: adding a file registers it. */
async function loadCases(): Promise<AnyCase[]> {
  const files = readdirSync(CASES_DIR)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('_'))
    .sort();
  const cases: AnyCase[] = [];
  for (const file of files) {
    const module = (await import(new URL(file, CASES_DIR).href)) as { default?: unknown };
    if (!isBenchCase(module.default) && !isMeasuredCase(module.default)) throw new Error(`bench/cases/${file} does not export a BenchCase or MeasuredCase as default`);
    cases.push(module.default);
  }
  return cases;
}

/** The previous results of the same kind, to merge a partial (`--only`) run into. */
function previousReport(quick: boolean): BenchReport | null {
  if (!existsSync(RESULTS)) return null;
  try {
    const report = JSON.parse(readFileSync(RESULTS, 'utf8')) as BenchReport;
    return (report.quick ?? false) === quick && Array.isArray(report.cases) ? report : null;
  } catch {
    return null;
  }
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.reportOnly) {
    const report = previousReport(false);
    if (!report) throw new Error('--report-only needs bench/results.json from a full run');
    for (const written of writeReport(report)) console.log(`written: ${written}`);
    return;
  }
  const options: RunOptions = args.quick ? { quick: true, runs: 5, warmup: 2 } : { quick: false, runs: 15, warmup: 3 };
  const all = await loadCases();
  const selected = args.only ? all.filter((c) => args.only!.includes(c.name)) : all;
  if (selected.length === 0) throw new Error(`no such case: ${args.only?.join(', ')}; cases: ${all.map((c) => c.name).join(', ')}`);
  if (args.quick) log('--quick: reduced sizes, windows and rounds; the figures are a check, not a result.');

  const started = Date.now();
  // The snapshot of dist/ every child process of this run loads, and what it is.
  const engine = engineIdentity();
  log(`engine: ${engine.commit.slice(0, 7)}${engine.srcDirty ? ' (src/ has uncommitted changes)' : ''}, build sha256 ${engine.distSha256.slice(0, 12)}`);
  const rows: CaseResult[] = [];
  const scaling: ScalingResult[] = [];
  for (const c of selected) {
    log(`${c.name}: ${c.description}`);
    if (isMeasuredCase(c)) {
      const result = await runMeasuredCase(c, { ...options, log });
      rows.push(...result.rows);
      scaling.push(...result.scaling);
    } else {
      log(`  ${options.warmup} warm-up + ${options.runs} measured rounds…`);
      rows.push(await runCase(c, options));
    }
  }

  const ran = new Set(selected.map((c) => c.name));
  const previous = args.only ? previousReport(args.quick) : null;
  const keep = <T extends { readonly case?: string; readonly name?: string }>(items: readonly T[]): T[] => items.filter((r) => !ran.has(r.case ?? r.name ?? ''));
  const order = all.map((c) => c.name);
  const byCase = (a: CaseResult, b: CaseResult): number => order.indexOf(a.case ?? a.name) - order.indexOf(b.case ?? b.name);
  const cpuList = cpus();
  const report: BenchReport = {
    node: process.version,
    cpu: `${cpuList[0]?.model.trim() ?? 'unknown'} × ${cpuList.length}`,
    quick: args.quick,
    date: new Date().toISOString(),
    engine,
    cases: [...keep(previous?.cases ?? []), ...rows].sort(byCase),
    scaling: [...keep(previous?.scaling ?? []), ...scaling].sort((a, b) => order.indexOf(a.case) - order.indexOf(b.case)),
  };

  console.log(formatTable(rows));
  if (scaling.length > 0) console.log(`\nscaling (is the whole cost linear in the size?)\n${formatScaling(scaling)}`);
  writeFileSync(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwritten: bench/results.json (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  if (!args.quick) {
    for (const written of writeReport(report)) console.log(`written: ${written}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
