/**
 * What the harness and a client worker say to each other over the fork IPC channel. A worker is
 * one contestant (ours, wechat4u, or the bare limit) in its own process, so that its heap, RSS
 * and CPU figures are its own; it runs exactly one job and exits.
 */

export type WorkerContestant = 'ours' | 'wechat4u' | 'limit';

/** Messages of the injected types are counted as deliveries (the login's status notify is not). */
export const COUNTED_MSG_TYPES: readonly number[] = [1, 49];

export interface SyncJob {
  readonly kind: 'sync';
  readonly origin: string;
  /** Deliveries to wait for after `ready`. */
  readonly count: number;
}

export interface IdleJob {
  readonly kind: 'idle';
  readonly origin: string;
  readonly sessions: number;
  /** Logins in flight at once. */
  readonly concurrency: number;
  /** Pause after the last login before the first measurement, so the login traffic has settled. */
  readonly settleMs: number;
  /** The CPU window. */
  readonly windowMs: number;
}

export interface LoginJob {
  readonly kind: 'login';
  readonly origin: string;
}

export type Job = SyncJob | IdleJob | LoginJob;

/** Parent → worker: one job, then `exit` once the result is in (so --cpu-prof can write its profile). */
export type ToWorker = { readonly type: 'job'; readonly contestant: WorkerContestant; readonly job: Job } | { readonly type: 'exit' };

/** Worker → parent. Times are process.hrtime.bigint() values as decimal strings (CLOCK_MONOTONIC, shared by every process). */
export type FromWorker =
  | { readonly type: 'ready'; readonly uin: string }
  | { readonly type: 'progress'; readonly text: string }
  | { readonly type: 'result'; readonly values: Readonly<Record<string, number>>; readonly marks?: Readonly<Record<string, string>> }
  | { readonly type: 'failed'; readonly message: string };

/** The memory figures a worker reports, bytes. */
export interface MemorySample {
  readonly heapUsed: number;
  readonly rss: number;
}
