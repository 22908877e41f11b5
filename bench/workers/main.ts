/**
 * A client worker: forked by the harness with an IPC channel, it receives one job for one
 * contestant, runs it, reports figures measured inside its own process (CPU with
 * process.cpuUsage, memory with process.memoryUsage after gc), and exits.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { bareDriver } from './bare.js';
import type { Driver, DriverSession } from './driver.js';
import { oursDriver } from './ours.js';
import { COUNTED_MSG_TYPES, type FromWorker, type IdleJob, type LoginJob, type SyncJob, type ToWorker, type WorkerContestant } from './protocol.js';
import { wechat4uDriver } from './wechat4u.js';

const DRIVERS: Readonly<Record<WorkerContestant, Driver>> = { ours: oursDriver, wechat4u: wechat4uDriver, limit: bareDriver };

function tell(message: FromWorker): void {
  process.send?.(message);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

/** Collects until the heap stops shrinking: one gc() can leave garbage a second one finds. */
function settleHeap(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the memory job needs --expose-gc');
  let before = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 6; i++) {
    gc();
    const now = process.memoryUsage().heapUsed;
    if (now >= before * 0.999) break;
    before = now;
  }
}

/**
 * sync: log in, settle, say `ready`; the harness suspends this process, queues the messages,
 * resumes it. The result is when the last of `count` messages reached the handler, and the CPU
 * this process used from `ready` to then (nothing runs while it is suspended).
 */
async function syncJob(driver: Driver, job: SyncJob): Promise<void> {
  let delivered = 0;
  let finish: (at: bigint) => void = () => undefined;
  const allDelivered = new Promise<bigint>((resolve) => {
    finish = resolve;
  });
  const onMessage = (msgType: number): void => {
    if (!COUNTED_MSG_TYPES.includes(msgType)) return;
    delivered++;
    if (delivered === job.count) finish(process.hrtime.bigint());
  };
  const { session, settled } = await driver.login(job.origin, onMessage);
  await settled;
  // Let the login's first sync (the status notify) finish, so the client is parked on synccheck.
  await sleep(500);
  delivered = 0;
  const profile = await windowProfiler('sync-drain', 250);
  const cpu0 = process.cpuUsage();
  tell({ type: 'ready', uin: session.uin });
  const lastAt = await allDelivered;
  const cpuMs = cpuMsSince(cpu0);
  await profile.stop();
  tell({ type: 'result', values: { cpuMs, delivered }, marks: { lastDelivery: String(lastAt) } });
  session.stop();
}

/**
 * BENCH_WINDOW_PROF=<dir>: a CPU profile of the measured span only — the idle window, the login,
 * the drain of the queued messages —
 * which --cpu-prof would bury under module loading and logins. The profiler's own cost is then
 * part of the span's CPU figure.
 */
async function windowProfiler(name: string, intervalUs: number): Promise<{ stop(): Promise<void> }> {
  const dir = process.env['BENCH_WINDOW_PROF'];
  if (!dir) return { stop: async () => undefined };
  const session = new Session();
  session.connect();
  const post = (method: string): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, (err, result) => (err ? reject(err) : resolve(result))));
  await post('Profiler.enable');
  await new Promise<void>((resolve, reject) =>
    session.post('Profiler.setSamplingInterval', { interval: intervalUs }, (err) => (err ? reject(err) : resolve())),
  );
  await post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** idle: log in `sessions` sessions, let them park on synccheck, weigh them, then watch the CPU. */
async function idleJob(driver: Driver, job: IdleJob): Promise<void> {
  settleHeap();
  const base = process.memoryUsage();
  const sessions: DriverSession[] = [];
  const t0 = process.hrtime.bigint();
  let next = 0;
  const loginOne = async (): Promise<void> => {
    while (next < job.sessions) {
      next++;
      const { session, settled } = await driver.login(job.origin, () => undefined);
      await settled;
      sessions.push(session);
      if (sessions.length % 100 === 0) tell({ type: 'progress', text: `${sessions.length}/${job.sessions} sessions` });
    }
  };
  await Promise.all(Array.from({ length: Math.min(job.concurrency, job.sessions) }, loginOne));
  const loginSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // No gc() here: its concurrent sweeping would run on V8's helper threads inside the window, and
  // forced collections reset V8's heap sizing, which then regrows inside it. Measured (probe-idle,
  // 1,000 sessions, three pairs): with a gc() after the logins the window cost 4.3–4.7 % of a core,
  // without 3.8–4.0 %, although without it a full collection of the logins' garbage may fall in it.
  await sleep(job.settleMs);
  // A coarse interval: over a long idle window a fine one would cost more CPU than the sessions.
  const profile = await windowProfiler('idle-window', 1000);
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  await sleep(job.windowMs);
  const cpuMs = cpuMsSince(cpu0);
  await profile.stop();
  const wallMs = Number(process.hrtime.bigint() - wall0) / 1e6;
  settleHeap();
  const after = process.memoryUsage();
  // BENCH_HEAP_SNAPSHOT=<dir>: a heap snapshot of the parked sessions, to see what each one holds.
  const snapshotDir = process.env['BENCH_HEAP_SNAPSHOT'];
  if (snapshotDir) writeHeapSnapshot(join(snapshotDir, `idle-${process.pid}.heapsnapshot`));
  const n = job.sessions;
  const perSessionKiB = (now: number, then: number): number => (now - then) / n / 1024;
  tell({
    type: 'result',
    values: {
      heapKiB: perSessionKiB(after.heapUsed, base.heapUsed),
      rssKiB: perSessionKiB(after.rss, base.rss),
      externalKiB: perSessionKiB(after.external, base.external),
      cpuPct: (cpuMs / wallMs) * 100,
      cpuMs,
      windowMs: wallMs,
      loginSeconds,
      alive: sessions.filter((s) => s.alive()).length,
    },
  });
  for (const s of sessions) s.stop();
}

/** One login from start() to the sync loop: wall ms and CPU ms. */
async function timedLogin(driver: Driver, origin: string, profileName: string): Promise<{ ms: number; cpuMs: number; session: DriverSession }> {
  const profile = await windowProfiler(profileName, 100);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const { session, syncingAt } = await driver.login(origin, () => undefined);
  const cpuMs = cpuMsSince(cpu0);
  await profile.stop();
  return { ms: Number(syncingAt - t0) / 1e6, cpuMs, session };
}

/**
 * login: from start to the sync loop — first cold (a fresh process: every function runs for the
 * first time), then warm (a second session in the same process), which isolates the steady cost.
 */
async function loginJob(driver: Driver, job: LoginJob): Promise<void> {
  const cold = await timedLogin(driver, job.origin, 'login-cold');
  // The first session stays parked; its side traffic (contact list, first sync) ends first.
  await sleep(300);
  const warm = await timedLogin(driver, job.origin, 'login-warm');
  tell({ type: 'result', values: { ms: cold.ms, cpuMs: cold.cpuMs, warmMs: warm.ms, warmCpuMs: warm.cpuMs } });
  cold.session.stop();
  warm.session.stop();
}

async function run(message: Extract<ToWorker, { type: 'job' }>): Promise<void> {
  const driver = DRIVERS[message.contestant];
  await driver.preload();
  const job = message.job;
  if (job.kind === 'sync') await syncJob(driver, job);
  else if (job.kind === 'idle') await idleJob(driver, job);
  else await loginJob(driver, job);
}

process.on('message', (message: ToWorker) => {
  if (message.type === 'exit') {
    process.exit(0);
  }
  run(message).catch((err: unknown) => tell({ type: 'failed', message: err instanceof Error ? err.message : String(err) }));
});
