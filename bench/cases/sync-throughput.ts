/**
 * sync-throughput: one logged-in session; the simulator queues M messages (a realistic mix, see
 * bench/inject.ts) and answers webwxsync in pages of 50 with ContinueFlag. Figure: messages
 * delivered to the user's handler per second of wall time.
 *
 * The simulator has no bulk injection, and one control call per message runs at a few thousand
 * per second — slower than the engines drain them — so injecting while the client runs would
 * measure the injection. Instead the client process is suspended (SIGSTOP) once it is parked on
 * synccheck, all M messages are injected, and the clock starts when it is resumed (SIGCONT): to
 * the client that is one bulk injection at the moment of resumption. The clock stops at the M-th
 * delivery (the worker's hrtime; CLOCK_MONOTONIC is shared by every process on the machine).
 * Recorded besides: the client's CPU per message (steadier than wall time on a shared machine),
 * the rate counted from the first injection call, the injection rate, the simulator's CPU.
 *
 * ours      createWebwxClient (dist/, default options), counting `message` events
 * wechat4u  the npm package repointed at the simulator, counting its `message` events
 * limit     the bare loop (bench/workers/bare.ts): the same HTTP calls, JSON.parse only
 * goals     ours ≥ 3 × wechat4u and ≥ 0.5 × the limit (msg/s)
 */
import { injectAll, messageMix } from '../inject.js';
import type { MeasuredCase, RunValues, Variant, Who } from '../measure.js';
import { processCpuMs, runWorker, startSimulator } from '../processes.js';

const CONTACTS = 120;
const SEED = 20_240_601;
const INJECT_CONCURRENCY = 16;

const variant = (size: number, headline: boolean): Variant => ({
  size,
  tag: size >= 1000 ? `${size / 1000}k` : String(size),
  headline,
  sampleSize: `${size.toLocaleString('en')} messages`,
});

async function measure(who: Who, size: number): Promise<RunValues> {
  const sim = await startSimulator({ hold: 25_000, contacts: CONTACTS, seed: SEED });
  try {
    let firstInjection = 0n;
    let injected = 0n;
    let resumed = 0n;
    let simCpu0 = 0;
    const result = await runWorker(
      who,
      { kind: 'sync', origin: sim.origin, count: size },
      {
        timeoutMs: 120_000 + size * 20,
        onReady: async ({ pid }, uin) => {
          const bodies = await messageMix(sim.origin, uin, size);
          process.kill(pid, 'SIGSTOP');
          firstInjection = process.hrtime.bigint();
          await injectAll(sim.origin, bodies, INJECT_CONCURRENCY);
          injected = process.hrtime.bigint();
          simCpu0 = processCpuMs(sim.pid);
          resumed = process.hrtime.bigint();
          process.kill(pid, 'SIGCONT');
        },
      },
    );
    const simCpuMs = processCpuMs(sim.pid) - simCpu0;
    const last = BigInt(result.marks['lastDelivery'] ?? '0');
    const seconds = (from: bigint, to: bigint): number => Number(to - from) / 1e9;
    const cpuMs = result.values['cpuMs'] ?? Number.NaN;
    return {
      msgsPerSec: size / seconds(resumed, last),
      cpuUsPerMsg: (cpuMs * 1000) / size,
      drainSeconds: seconds(resumed, last),
      msgsPerSecFromFirstInjection: size / seconds(firstInjection, last),
      injectionPerSec: size / seconds(firstInjection, injected),
      simulatorCpuUsPerMsg: (simCpuMs * 1000) / size,
    };
  } finally {
    await sim.close();
  }
}

const syncThroughput: MeasuredCase = {
  kind: 'measured',
  name: 'sync-throughput',
  description: 'one session drains M queued messages (pages of 50 with ContinueFlag); msg/s from the injection to the last delivery',
  contestants: ['ours', 'wechat4u', 'limit'],
  clock:
    'wall clock from the (bulk) injection to the last delivery; the client was suspended while the simulator queued the messages one control call each. CPU: the client process (process.cpuUsage)',
  figures: [
    {
      key: 'msgsPerSec',
      row: 'sync-throughput',
      unit: 'msg/s',
      better: 'higher',
      goals: [
        { on: 'ratioVsWechat4u', atLeast: 3 },
        { on: 'ratioVsLimit', atLeast: 0.5 },
      ],
      total: { unit: 's to drain', of: (value, size) => size / value },
    },
    {
      key: 'cpuUsPerMsg',
      row: 'sync-throughput.cpu',
      unit: 'µs CPU/msg',
      better: 'lower',
      total: { unit: 's of client CPU', of: (value, size) => (value * size) / 1e6 },
    },
  ],
  variants: (quick) => (quick ? [variant(500, false), variant(1000, false), variant(2000, true)] : [variant(1000, false), variant(5000, false), variant(20_000, true)]),
  rounds: (quick) => (quick ? { runs: 2, warmup: 0 } : { runs: 5, warmup: 1 }),
  measure: (who, ctx) => measure(who, ctx.variant.size),
};

export default syncThroughput;
