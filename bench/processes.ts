/**
 * The processes of a measurement: the simulator (`node dist/simulator/main.js`, the standalone
 * entry point, so it never shares a process with a client) and the client workers
 * (bench/workers/main.ts, compiled to plain JavaScript once per bench run so a worker is plain
 * node running the shipped build — no TypeScript loader in the measured process). Both load a
 * snapshot of dist/ taken when the run starts.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import ts from 'typescript';
import type { FromWorker, Job, ToWorker, WorkerContestant } from './workers/protocol.js';

const ROOT = new URL('../', import.meta.url);
const WORKERS_SRC = new URL('./workers/', import.meta.url);
// Two levels below the root, like bench/workers/, so the workers' `../../dist/` means the same.
// BENCH_WORKERS_DIR names another folder there, so a probe can run beside a long bench run.
const WORKERS_OUT = new URL(`.bench-tmp/${process.env['BENCH_WORKERS_DIR'] ?? 'workers'}/`, ROOT);

const DIST_SNAPSHOT = new URL(`.bench-tmp/${process.env['BENCH_WORKERS_DIR'] ?? 'workers'}-dist/`, ROOT);

let snapshot: URL | null = null;

/**
 * A copy of dist/ taken once per bench run: the simulator and every worker load it, so one run
 * measures one build even while others rebuild dist/ in the same checkout.
 */
export function distSnapshot(): URL {
  if (snapshot) return snapshot;
  rmSync(DIST_SNAPSHOT, { recursive: true, force: true });
  cpSync(new URL('dist/', ROOT), DIST_SNAPSHOT, { recursive: true });
  snapshot = DIST_SNAPSHOT;
  return snapshot;
}

export interface EngineIdentity {
  /** HEAD when the run started. */
  readonly commit: string;
  /** src/ had uncommitted changes (the build may hold them). */
  readonly srcDirty: boolean;
  /** sha256 over the measured build's JavaScript files (paths and contents). */
  readonly distSha256: string;
}

function jsFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsFiles(`${dir}/${e.name}`, `${prefix}${e.name}/`) : e.name.endsWith('.js') ? [`${prefix}${e.name}`] : [],
  );
}

/** Which engine a run measured. */
export function engineIdentity(): EngineIdentity {
  const git = (...args: string[]): string => {
    try {
      return execFileSync('git', args, { cwd: fileURLToPath(ROOT), encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  const dir = fileURLToPath(distSnapshot());
  const hash = createHash('sha256');
  for (const file of jsFiles(dir).sort()) hash.update(file).update('\0').update(readFileSync(`${dir}/${file}`));
  return { commit: git('rev-parse', 'HEAD'), srcDirty: git('status', '--porcelain', '--', 'src') !== '', distSha256: hash.digest('hex') };
}

let compiled: string | null = null;

/** Transpiles bench/workers/*.ts (type-only imports vanish; `.js` specifiers already point at the outputs). */
export function compileWorkers(): string {
  if (compiled) return compiled;
  mkdirSync(WORKERS_OUT, { recursive: true });
  for (const file of readdirSync(WORKERS_SRC).filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(new URL(file, WORKERS_SRC), 'utf8');
    const out = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, sourceMap: false },
    });
    writeFileSync(new URL(file.replace(/\.ts$/, '.js'), WORKERS_OUT), out.outputText);
  }
  compiled = fileURLToPath(new URL('main.js', WORKERS_OUT));
  return compiled;
}

/** CPU seconds a process has used so far (Linux /proc; utime + stime at 100 ticks per second). */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

export interface SimulatorOptions {
  readonly hold: number;
  readonly contacts: number;
  readonly seed: number;
}

export interface SimulatorProcess {
  readonly origin: string;
  readonly pid: number;
  close(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts the standalone simulator with the automatic phone at zero delay; resolves with its origin. */
export async function startSimulator(options: SimulatorOptions): Promise<SimulatorProcess> {
  const args = [
    fileURLToPath(new URL('simulator/main.js', distSnapshot())),
    '--port',
    '0',
    '--auto',
    '--auto-delay',
    '0',
    '--hold',
    String(options.hold),
    '--contacts',
    String(options.contacts),
    '--seed',
    String(options.seed),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2000);
  });
  const origin = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(line.trim()));
    child.once('exit', (code) => reject(new Error(`the simulator exited (${code}) before listening: ${stderr}`)));
  });
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(origin)) throw new Error(`the simulator printed ${JSON.stringify(origin)} instead of its origin`);
  return {
    origin,
    pid: child.pid!,
    close: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}

/** The environment without loader options (the parent runs under tsx, a child must not), naming the build to load. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_DIST: distSnapshot().href };
  delete env['NODE_OPTIONS'];
  return env;
}

export interface WorkerResult {
  readonly values: Readonly<Record<string, number>>;
  readonly marks: Readonly<Record<string, string>>;
}

export interface WorkerHandle {
  readonly pid: number;
}

export interface WorkerOptions {
  readonly exposeGc?: boolean;
  /** Called when the worker says `ready` (the sync job): the result is awaited after it returns. */
  readonly onReady?: (worker: WorkerHandle, uin: string) => Promise<void>;
  readonly onProgress?: (text: string) => void;
  readonly timeoutMs: number;
}

/** Forks one client worker for one job and resolves with what it measured; the worker is killed after. */
export async function runWorker(contestant: WorkerContestant, job: Job, options: WorkerOptions): Promise<WorkerResult> {
  const profileDir = process.env['BENCH_CPU_PROF'];
  const extraFlags = (process.env['BENCH_WORKER_FLAGS'] ?? '').split(' ').filter((f) => f.length > 0);
  const execArgv = [...(options.exposeGc ? ['--expose-gc'] : []), ...extraFlags, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${contestant}-${job.kind}-${Date.now()}.cpuprofile`] : [])];
  const child = fork(compileWorkers(), [], {
    execArgv,
    stdio: ['ignore', process.env['BENCH_WORKER_STDOUT'] ? 'inherit' : 'ignore', 'pipe', 'ipc'],
    env: cleanEnv(),
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2000);
  });
  try {
    return await new Promise<WorkerResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${contestant} ${job.kind}: no result within ${options.timeoutMs} ms`)), options.timeoutMs);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        reject(err);
      };
      child.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          (options.onReady?.({ pid: child.pid! }, message.uin) ?? Promise.resolve()).catch((err: unknown) => fail(err instanceof Error ? err : new Error(String(err))));
        } else if (message.type === 'progress') {
          options.onProgress?.(message.text);
        } else if (message.type === 'result') {
          clearTimeout(timer);
          resolve({ values: message.values, marks: message.marks ?? {} });
        } else {
          fail(new Error(`${contestant} ${job.kind}: ${message.message}`));
        }
      });
      child.once('exit', (code, signal) => fail(new Error(`${contestant} ${job.kind}: the worker exited (${code ?? signal}) ${stderr.trim()}`)));
      const start: ToWorker = { type: 'job', contestant, job };
      child.send(start);
    });
  } finally {
    // Asked to leave, a worker writes its CPU profile (if any); one that does not leave in time is killed.
    if (child.connected) child.send({ type: 'exit' } satisfies ToWorker);
    const timer = setTimeout(() => child.kill('SIGKILL'), profileDir ? 10_000 : 1_000);
    child.kill('SIGCONT');
    await exited(child);
    clearTimeout(timer);
  }
}
