/**
 * `tsx bench/profile.ts <file.cpuprofile> [--top=N] [--focus=text]`: where a worker's CPU went.
 * Profiles come from `BENCH_CPU_PROF=<dir> npm run bench -- --only=<case>` (every worker then runs
 * with --cpu-prof). Prints self time by function and by package/file, and the inclusive time of
 * the engine's own functions, so a missed goal can be pinned to a file and a function.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** `node_modules/<pkg>` for dependencies, the path below the project for our files, `(node)` for built-ins. */
export function ownerOf(url: string): string {
  if (url === '') return '(native/vm)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return '(node)';
  const own = /\/(dist|src|bench|\.bench-tmp)\/(.*)$/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

const SUSPENDED_MS = 100;

export interface ProfileSummary {
  readonly totalMs: number;
  readonly selfByFunction: readonly [string, number][];
  readonly selfByOwner: readonly [string, number][];
  readonly inclusiveByFunction: readonly [string, number][];
}

export function summarize(profile: CpuProfile, focus?: string): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfMs = new Map<number, number>();
  // A sample interval far beyond the sampling period means the process was suspended (the sync
  // case stops the worker while it queues messages): that time was not spent on the stack it lands on.
  profile.samples.forEach((id, i) => {
    const delta = (profile.timeDeltas[i] ?? 0) / 1000;
    if (delta <= SUSPENDED_MS) selfMs.set(id, (selfMs.get(id) ?? 0) + delta);
  });
  const label = (f: CallFrame): string => `${f.functionName || '(anonymous)'} ${ownerOf(f.url)}:${f.lineNumber + 1}`;
  const idle = new Set(['(idle)', '(program)', '(garbage collector)']);
  const selfFn = new Map<string, number>();
  const selfOwner = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const [id, ms] of selfMs) {
    const node = byId.get(id)!;
    const f = node.callFrame;
    if (f.functionName === '(idle)') continue;
    total += ms;
    const key = idle.has(f.functionName) ? f.functionName : label(f);
    selfFn.set(key, (selfFn.get(key) ?? 0) + ms);
    const owner = idle.has(f.functionName) ? f.functionName : ownerOf(f.url);
    selfOwner.set(owner, (selfOwner.get(owner) ?? 0) + ms);
    // Inclusive time of every distinct frame on the stack (counted once per sample stack).
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      const k = label(frame);
      if (seen.has(k)) continue;
      seen.add(k);
      if (focus === undefined || k.includes(focus)) inclusive.set(k, (inclusive.get(k) ?? 0) + ms);
    }
  }
  const sorted = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs: total, selfByFunction: sorted(selfFn), selfByOwner: sorted(selfOwner), inclusiveByFunction: sorted(inclusive) };
}

function main(): void {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: tsx bench/profile.ts <file.cpuprofile> [--top=N] [--focus=text]');
    process.exitCode = 2;
    return;
  }
  const top = Number(process.argv.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
  const focus = process.argv.find((a) => a.startsWith('--focus='))?.slice(8);
  const s = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, focus ?? 'dist/');
  const pct = (ms: number): string => `${ms.toFixed(0).padStart(7)} ms ${((ms / s.totalMs) * 100).toFixed(1).padStart(5)} %`;
  console.log(`busy: ${s.totalMs.toFixed(0)} ms\n\nself time by package / file:`);
  for (const [k, ms] of s.selfByOwner.slice(0, top)) console.log(`${pct(ms)}  ${k}`);
  console.log('\nself time by function:');
  for (const [k, ms] of s.selfByFunction.slice(0, top)) console.log(`${pct(ms)}  ${k}`);
  console.log(`\ninclusive time of ${focus ?? 'dist/'} functions:`);
  for (const [k, ms] of s.inclusiveByFunction.slice(0, top)) console.log(`${pct(ms)}  ${k}`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/bench\//, '/bench/'))) main();
