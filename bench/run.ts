/**
 * `npm run bench [-- --quick] [-- --only=<case>[,<case>]]`: runs every case in bench/cases/
 * (each file's default export is a BenchCase), prints a table and writes bench/results.json.
 *   --quick   5 measured runs after 2 warm-up rounds (default: 15 after 3)
 *   --only    run only the named cases
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { formatTable, runCase, type BenchCase, type CaseResult, type RunOptions } from './harness.js';

interface Args {
  readonly quick: boolean;
  readonly only: readonly string[] | null;
}

function parseArgs(argv: readonly string[]): Args {
  const onlyArg = argv.find((a) => a.startsWith('--only='));
  return {
    quick: argv.includes('--quick'),
    only: onlyArg ? onlyArg.slice('--only='.length).split(',').filter((s) => s.length > 0) : null,
  };
}

const CASES_DIR = new URL('./cases/', import.meta.url);

function isBenchCase(value: unknown): value is BenchCase {
  const c = value as Partial<BenchCase> | null;
  return typeof c === 'object' && c !== null && typeof c.name === 'string' && typeof c.prepare === 'function';
}

/** Every `bench/cases/*.ts` file (not starting with `_`) is a case: adding a file registers it. */
async function loadCases(): Promise<BenchCase[]> {
  const files = readdirSync(CASES_DIR)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('_'))
    .sort();
  const cases: BenchCase[] = [];
  for (const file of files) {
    const module = (await import(new URL(file, CASES_DIR).href)) as { default?: unknown };
    if (!isBenchCase(module.default)) throw new Error(`bench/cases/${file} does not export a BenchCase as default`);
    cases.push(module.default);
  }
  return cases;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const options: RunOptions = args.quick ? { quick: true, runs: 5, warmup: 2 } : { quick: false, runs: 15, warmup: 3 };
  const all = await loadCases();
  const selected = args.only ? all.filter((c) => args.only!.includes(c.name)) : all;
  if (selected.length === 0) throw new Error(`no such case: ${args.only?.join(', ')}; cases: ${all.map((c) => c.name).join(', ')}`);

  const results: CaseResult[] = [];
  for (const c of selected) {
    process.stderr.write(`${c.name}: ${c.description} — ${options.warmup} warm-up + ${options.runs} measured rounds…\n`);
    results.push(await runCase(c, options));
  }

  const cpuList = cpus();
  const report = {
    node: process.version,
    cpu: `${cpuList[0]?.model.trim() ?? 'unknown'} × ${cpuList.length}`,
    cases: results,
  };
  console.log(formatTable(results));
  writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
  console.log('\nwritten: bench/results.json');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
