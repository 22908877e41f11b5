/**
 * login-latency: from start to the sync loop (the `syncing` state, wechat4u's `login` event, the
 * bare chain's first synccheck), with the simulator's automatic phone scanning and confirming at
 * zero delay and its long-poll holds in force (25 s: a poll that has to wait, waits for real).
 * Every run is a fresh worker process and a fresh simulator: a cold start, as a user sees it (the
 * headline, with the goal). The clock starts after the library is loaded, just before the client
 * is created and started. The worker then logs a second session in (`.warm`): every function has
 * run once, so that figure is the steady cost without first-run compilation.
 *
 * ours      createWebwxClient().start() → state `syncing` (contacts loaded first)
 * wechat4u  bot.start() → `login` (emitted as its sync loop starts; its contact list loads after)
 * limit     the bare request chain: jslogin, login poll (tip 1, then 0), newloginpage, webwxinit,
 *           statusnotify, webwxgetcontact, first synccheck sent
 * goal      ours ≤ 1.1 × the limit
 */
import type { MeasuredCase, RunValues, Who } from '../measure.js';
import { runWorker, startSimulator } from '../processes.js';

const CONTACTS = 120;
const SEED = 20_240_603;

async function measure(who: Who): Promise<RunValues> {
  const sim = await startSimulator({ hold: 25_000, contacts: CONTACTS, seed: SEED });
  try {
    return (await runWorker(who, { kind: 'login', origin: sim.origin }, { timeoutMs: 60_000 })).values;
  } finally {
    await sim.close();
  }
}

const loginLatency: MeasuredCase = {
  kind: 'measured',
  name: 'login-latency',
  description: 'cold start to the sync loop with the automatic phone at zero delay (holds 25 s)',
  contestants: ['ours', 'wechat4u', 'limit'],
  clock: 'wall clock in the worker (process.hrtime) from start() to the sync loop; CPU: process.cpuUsage over the same span',
  figures: [
    { key: 'ms', row: 'login-latency', unit: 'ms', better: 'lower', goals: [{ on: 'ratioVsLimit', atMost: 1.1 }] },
    { key: 'cpuMs', row: 'login-latency.cpu', unit: 'ms CPU', better: 'lower' },
    { key: 'warmMs', row: 'login-latency.warm', unit: 'ms', better: 'lower' },
    { key: 'warmCpuMs', row: 'login-latency.warm-cpu', unit: 'ms CPU', better: 'lower' },
  ],
  variants: () => [{ size: 1, tag: 'cold', headline: true, sampleSize: `a login, ${CONTACTS} contacts` }],
  rounds: (quick) => (quick ? { runs: 3, warmup: 1 } : { runs: 9, warmup: 1 }),
  measure: (who) => measure(who),
};

export default loginLatency;
