/**
 * Ours: webwx-machine as it ships (the built dist/, default options), pointed at the simulator.
 */
import type { Driver, DriverSession } from './driver.js';

type Engine = typeof import('../../src/index.js');

let engine: Engine | null = null;

/**
 * The built package, loaded once: the harness's snapshot of dist/ (BENCH_DIST), else dist/ itself
 * (bench/ and .bench-tmp/ are both two levels below the root).
 */
async function loadEngine(): Promise<Engine> {
  const dist = process.env['BENCH_DIST'] ?? new URL('../../dist/', import.meta.url).href;
  engine ??= (await import(new URL('index.js', dist).href)) as Engine;
  return engine;
}

export const oursDriver: Driver = {
  preload: async () => void (await loadEngine()),
  async login(origin, onMessage) {
    const { createWebwxClient } = await loadEngine();
    const client = createWebwxClient({ loginOrigin: origin });
    let uin = '';
    let ended = false;
    client.on('message', ({ message }) => onMessage(message.MsgType));
    client.on('login', ({ user }) => {
      uin = String(user.Uin);
    });
    const syncingAt = new Promise<bigint>((resolve, reject) => {
      client.on('state', ({ state }) => {
        if (state === 'syncing') resolve(process.hrtime.bigint());
      });
      client.on('logout', (info) => {
        ended = true;
        reject(new Error(`ours: logged out before syncing (${info.reason})`));
      });
    });
    await client.start();
    const at = await syncingAt;
    const session: DriverSession = {
      get uin() {
        return uin;
      },
      alive: () => !ended && client.state() === 'syncing',
      stop: () => void client.stop(),
    };
    // The contact list is told before `syncing`: nothing else is pending.
    return { session, syncingAt: at, settled: Promise.resolve() };
  },
};
