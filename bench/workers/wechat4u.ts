/**
 * wechat4u, the npm package as it ships, with only its hard-coded https hosts repointed at the
 * simulator (as test/integration/simulator/wechat4u.test.ts does): nothing of its behaviour is
 * changed or hooked; the driver only listens to its events.
 */
import { createRequire } from 'node:module';
import type { Driver, DriverSession } from './driver.js';

interface Wechat4uBot {
  CONF: Record<string, unknown>;
  PROP: { uin: string | number };
  contacts: Record<string, unknown>;
  state: string;
  on(event: string, listener: (...args: never[]) => void): void;
  start(): Promise<void>;
  stop(): void;
  checkLogin(): Promise<{ code: number }>;
}

type Wechat4uClass = new () => Wechat4uBot;

let Wechat: Wechat4uClass | null = null;

/** wechat4u installs a process-wide uncaughtException handler when loaded; in its own worker that is its business. */
function loadWechat4u(): Wechat4uClass {
  Wechat ??= createRequire(import.meta.url)('wechat4u') as Wechat4uClass;
  return Wechat;
}

/** Points every https URL of wechat4u's CONF at the simulator, keeping paths and queries. */
function repoint(conf: Record<string, unknown>, origin: string): void {
  for (const [key, value] of Object.entries(conf)) {
    if (typeof value === 'string' && /^https:\/\/[^/]+/.test(value) && (key.startsWith('API_') || key === 'origin' || key === 'baseUri')) {
      conf[key] = value.replace(/^https:\/\/[^/]+/, origin);
    }
  }
}

async function contactCount(origin: string, uin: string): Promise<number> {
  const res = await fetch(`${origin}/__sim/contacts?uin=${encodeURIComponent(uin)}`);
  return ((await res.json()) as unknown[]).length;
}

/** wechat4u loads the contact list in the background after `login`; settled once it holds all of it. */
async function contactsLoaded(bot: Wechat4uBot, origin: string, uin: string): Promise<void> {
  const expected = await contactCount(origin, uin);
  const end = Date.now() + 30_000;
  while (Object.keys(bot.contacts).length < expected && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

export const wechat4uDriver: Driver = {
  preload: async () => void loadWechat4u(),
  async login(origin, onMessage) {
    const Bot = loadWechat4u();
    const bot = new Bot();
    repoint(bot.CONF, origin);
    // After the confirm, wechat4u rebuilds CONF from the redirect's host; repoint the new one too.
    const checkLogin = bot.checkLogin.bind(bot);
    bot.checkLogin = async () => {
      const res = await checkLogin();
      repoint(bot.CONF, origin);
      return res;
    };
    let ended = false;
    bot.on('message', (msg: { MsgType: number }) => onMessage(msg.MsgType));
    // wechat4u reports every failure as an `error` event; an unheard one would throw.
    bot.on('error', () => undefined);
    const syncingAt = new Promise<bigint>((resolve, reject) => {
      // `login` is emitted in the same tick that starts its sync loop (the first synccheck).
      bot.on('login', () => resolve(process.hrtime.bigint()));
      bot.on('logout', () => {
        ended = true;
        reject(new Error('wechat4u: logged out before syncing'));
      });
    });
    void bot.start();
    const at = await syncingAt;
    const uin = String(bot.PROP.uin);
    const session: DriverSession = {
      uin,
      alive: () => !ended && bot.state === 'login',
      stop: () => bot.stop(),
    };
    return { session, syncingAt: at, settled: contactsLoaded(bot, origin, uin) };
  },
};
