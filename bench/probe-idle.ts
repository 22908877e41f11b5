/**
 * `tsx bench/probe-idle.ts [ours|wechat4u|limit] [sessions] [windowMs] [holdMs]`: one idle-sessions
 * measurement of one contestant at one size, printed as the worker reports it. The hold is the
 * case's 25 s unless given: a short one (200 ms) makes every round run with warm caches, which
 * separates what a round's code costs from what waking up to it costs. For checking one
 * change to the engine in a minute instead of the whole case's half hour; not a result (one run,
 * no warm-up, no other contestant in the same run). Combine with BENCH_HEAP_SNAPSHOT=<dir> or
 * BENCH_WINDOW_PROF=<dir> (existing folders) to look inside.
 */
import { runWorker, startSimulator } from './processes.js';
import type { WorkerContestant } from './workers/protocol.js';

const who = (process.argv[2] ?? 'ours') as WorkerContestant;
const sessions = Number(process.argv[3] ?? 1000);
const windowMs = Number(process.argv[4] ?? 25_000);
const holdMs = Number(process.argv[5] ?? 25_000);

const sim = await startSimulator({ hold: holdMs, contacts: 10, seed: 20_240_602 });
try {
  const { values } = await runWorker(
    who,
    { kind: 'idle', origin: sim.origin, sessions, concurrency: 25, settleMs: 5_000, windowMs },
    { exposeGc: true, timeoutMs: 900_000 + windowMs },
  );
  // Approximate for short holds: a round lasts the hold plus its own round trip.
  const rounds = (sessions * windowMs) / holdMs;
  console.log(`${who} × ${sessions}:`, JSON.stringify(values));
  if (windowMs >= holdMs) console.log(`CPU per idle round: ${(((values['cpuMs'] ?? 0) * 1000) / rounds).toFixed(0)} µs`);
} finally {
  await sim.close();
}
