/**
 * `tsx bench/heap.ts <file.heapsnapshot> [sessions] [--top=N]`: what a heap holds, by constructor
 * (self sizes summed), divided by the number of sessions. Snapshots come from
 * `BENCH_HEAP_SNAPSHOT=<dir> npm run bench -- --only=idle-sessions` (written after the window).
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: readonly string[]; readonly node_types: readonly [readonly string[]] } };
  readonly nodes: readonly number[];
  readonly strings: readonly string[];
}

export interface HeapRow {
  readonly key: string;
  readonly count: number;
  readonly bytes: number;
}

/** Self size and count per `type:name` (closures by function name, objects by constructor). */
export function heapByConstructor(s: Snapshot): HeapRow[] {
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const width = fields.length;
  const fType = fields.indexOf('type');
  const fName = fields.indexOf('name');
  const fSize = fields.indexOf('self_size');
  const rows = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + fType]!] ?? '?';
    let name = s.strings[s.nodes[i + fName]!] ?? '?';
    // Strings are named by their content: group them all.
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '';
    const key = `${type}:${name.slice(0, 80)}`;
    const row = rows.get(key) ?? { count: 0, bytes: 0 };
    row.count++;
    row.bytes += s.nodes[i + fSize]!;
    rows.set(key, row);
  }
  return [...rows].map(([key, r]) => ({ key, ...r })).sort((a, b) => b.bytes - a.bytes);
}

function main(): void {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: tsx bench/heap.ts <file.heapsnapshot> [sessions] [--top=N]');
    process.exitCode = 2;
    return;
  }
  const sessions = Number(process.argv[3] ?? 1) || 1;
  const top = Number(process.argv.find((a) => a.startsWith('--top='))?.slice(6) ?? 40);
  const rows = heapByConstructor(JSON.parse(readFileSync(file, 'utf8')) as Snapshot);
  const total = rows.reduce((a, r) => a + r.bytes, 0);
  console.log(`heap: ${(total / 1024 / 1024).toFixed(1)} MiB; per session (÷${sessions}): ${(total / sessions / 1024).toFixed(1)} KiB\n`);
  console.log('  KiB/session   count/session  type:constructor');
  for (const r of rows.slice(0, top)) {
    console.log(`${(r.bytes / sessions / 1024).toFixed(2).padStart(11)}   ${(r.count / sessions).toFixed(1).padStart(13)}  ${r.key}`);
  }
}

if (process.argv[1]?.endsWith('heap.ts')) main();
