/**
 * Fidelity proof: wechat4u, a client written against the real servers and used for years, runs
 * unchanged against the simulator — uuid, login with the simulated phone, contacts, injected
 * messages (direct and group), a sent text that shows up in /__sim/sent, and its logout once the
 * server ends the session with 1101. Only its hard-coded https hosts are repointed.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/simulator/index.js';

interface Wechat4uConf {
  [key: string]: unknown;
}
interface Wechat4uMessage {
  MsgId: string;
  MsgType: number;
  FromUserName: string;
  ToUserName: string;
  Content: string;
  OriginalContent: string;
}
interface Wechat4uBot {
  CONF: Wechat4uConf;
  PROP: { uin: string; sid: string; skey: string; passTicket: string };
  user: { UserName: string };
  contacts: Record<string, { UserName: string; MemberList?: unknown[] }>;
  state: string;
  on(event: string, listener: (...args: never[]) => void): void;
  start(): Promise<void>;
  stop(): void;
  sendMsg(text: string, to: string): Promise<{ MsgID: string; BaseResponse: { Ret: number } }>;
  checkLogin(): Promise<{ code: number }>;
}

/** Points every https URL of wechat4u's CONF at the simulator, keeping paths and queries. */
function repoint(conf: Wechat4uConf, origin: string): void {
  for (const [key, value] of Object.entries(conf)) {
    if (typeof value === 'string' && /^https:\/\/[^/]+/.test(value) && (key.startsWith('API_') || key === 'origin' || key === 'baseUri')) {
      conf[key] = value.replace(/^https:\/\/[^/]+/, origin);
    }
  }
}

function loadWechat4u(): new () => Wechat4uBot {
  // wechat4u installs a process-wide uncaughtException handler on load; keep it out of the test runner.
  const before = new Set(process.listeners('uncaughtException'));
  const Wechat = createRequire(import.meta.url)('wechat4u') as new () => Wechat4uBot;
  for (const listener of process.listeners('uncaughtException')) {
    if (!before.has(listener)) process.off('uncaughtException', listener);
  }
  return Wechat;
}

function waitFor<T>(register: (resolve: (value: T) => void) => void, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('wechat4u against the simulator', () => {
  let sim: Simulator;
  let bot: Wechat4uBot;
  const messages: Wechat4uMessage[] = [];
  const errors: unknown[] = [];
  let avatar: string | null = null;
  let loggedOut = false;

  beforeAll(async () => {
    sim = await startSimulator({ hold: 1500, contacts: 80, pageSize: 30, seed: 4 });
    const Wechat = loadWechat4u();
    bot = new Wechat();
    repoint(bot.CONF, sim.origin);
    // After the confirm, wechat4u rebuilds CONF from the redirect's host; repoint the new one too.
    const checkLogin = bot.checkLogin.bind(bot);
    bot.checkLogin = async () => {
      const res = await checkLogin();
      repoint(bot.CONF, sim.origin);
      return res;
    };
    bot.on('message', (msg: Wechat4uMessage) => messages.push(msg));
    bot.on('error', (err: unknown) => errors.push(err));
    bot.on('user-avatar', (a: string) => {
      avatar = a;
      setTimeout(() => sim.control.confirm(), 50);
    });
    bot.on('uuid', (uuid: string) => setTimeout(() => sim.control.scan({ uuid }), 50));
    bot.on('logout', () => {
      loggedOut = true;
    });
  });

  afterAll(async () => {
    if (!loggedOut) bot.stop();
    await sim.close();
  });

  it('logs in: uuid from jslogin, 201 with the avatar, 200, credentials from the 301 newloginpage', async () => {
    await Promise.all([waitFor<void>((done) => bot.on('login', () => done()), 15_000, 'login'), bot.start()]);
    expect(avatar).toMatch(/^data:img\/jpg;base64,\/9j\//);
    const creds = sim.control.credentials();
    expect(bot.PROP.uin).toBe(creds.uin);
    expect(bot.PROP.sid).toBe(creds.sid);
    expect(bot.PROP.skey).toBe(creds.skey);
    // wechat4u keeps the XML's text, still percent-encoded, as the pass_ticket.
    expect(bot.PROP.passTicket).toBe(creds.passTicket);
    expect(bot.user.UserName).toBe(creds.userName);
    // wechat4u polls with tip=0 from the start; the simulator records that as a wrong tip.
    const uuid = sim.control.requests({ endpoint: 'login' })[0]!.query['uuid']!;
    const tips = sim.control.uuid(uuid)!.tips;
    expect(tips[0]).toEqual({ tip: '0', expected: 1, ok: false });
  });

  it('loads every contact page and the groups through batchgetcontact', async () => {
    const all = sim.control.contacts();
    await until(() => all.every((c) => bot.contacts[c.UserName] !== undefined), 10_000, 'all contacts');
    const pages = sim.control.requests({ endpoint: 'webwxgetcontact' });
    expect(pages.map((r) => r.query['seq'])).toEqual(['0', '30', '60']);
    const groups = all.filter((c) => c.UserName.startsWith('@@'));
    expect(groups.length).toBeGreaterThan(0);
    await until(() => groups.every((g) => (bot.contacts[g.UserName]?.MemberList?.length ?? 0) > 0), 10_000, 'group members');
  });

  it('receives injected messages, direct and in a group, through synccheck and webwxsync', async () => {
    const person = sim.control.contacts().find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@') && c.NickName !== '')!;
    const direct = sim.control.message({ from: person.UserName, text: 'hello <there> & 你好\nsecond line' });
    const group = sim.control.contacts().find((c) => c.UserName.startsWith('@@'))!;
    const member = sim.control.members(group.UserName)[0]!;
    const inGroup = sim.control.message({ group: group.UserName, from: member.UserName, text: '群里说话' });
    await until(() => messages.some((m) => m.MsgId === direct.msgId) && messages.some((m) => m.MsgId === inGroup.msgId), 10_000, 'messages');
    const got = messages.find((m) => m.MsgId === direct.msgId)!;
    expect(got.FromUserName).toBe(person.UserName);
    expect(got.OriginalContent).toBe('hello &lt;there&gt; &amp; 你好<br/>second line');
    expect(got.Content).toBe('hello <there> &amp; 你好\nsecond line');
    const groupMsg = messages.find((m) => m.MsgId === inGroup.msgId)!;
    expect(groupMsg.FromUserName).toBe(group.UserName);
    expect(groupMsg.OriginalContent).toBe(`${member.UserName}:<br/>群里说话`);
    // wechat4u formats SyncCheckKey for synccheck: the simulator's key 1001 tells the two apart.
    const checks = sim.control.requests({ endpoint: 'synccheck' });
    expect(checks.some((r) => /1001_\d+$/.test(r.query['synckey'] ?? ''))).toBe(true);
  });

  it('sends a text that shows up in /__sim/sent', async () => {
    const person = sim.control.contacts().find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'))!;
    const answer = await bot.sendMsg('pong from wechat4u', person.UserName);
    expect(answer.BaseResponse.Ret).toBe(0);
    const res = await fetch(`${sim.origin}/__sim/sent`);
    const sent = (await res.json()) as { to: string; content: string; msgId: string }[];
    const mine = sent.find((s) => s.content === 'pong from wechat4u');
    expect(mine).toEqual(expect.objectContaining({ to: person.UserName, msgId: answer.MsgID }));
  });

  it('sees its logout once the server ends the session with 1101', async () => {
    const res = await fetch(`${sim.origin}/__sim/logout`, { method: 'POST', body: JSON.stringify({ retcode: 1101 }) });
    expect(res.status).toBe(200);
    // wechat4u compares synccheck's "1101" with a number, fails three times, restarts, and only
    // then hears 1101 from webwxinit: about eleven seconds of its own back-off (setTimeout), which
    // the test fast-forwards while the HTTP traffic runs for real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      for (let i = 0; i < 400 && !loggedOut; i++) {
        await vi.advanceTimersByTimeAsync(250);
        for (let j = 0; j < 20; j++) await new Promise((r) => setImmediate(r));
      }
    } finally {
      vi.useRealTimers();
    }
    expect(loggedOut).toBe(true);
    const checks = sim.control.requests({ endpoint: 'synccheck' });
    expect(checks.length).toBeGreaterThan(0);
    const inits = sim.control.requests({ endpoint: 'webwxinit' });
    expect(inits.length).toBe(2);
  }, 30_000);
});
