/**
 * `tsx bench/breakdown.ts [pages]`: where ours spends CPU per delivered message in the sync loop,
 * layer by layer, on pages of 50 messages built like the simulator's (bench/inject.ts's mix):
 *
 *   parse      JSON.parse alone (what the bare limit does), then decodeSync (parse + guards)
 *   content    normalizeMessage (emoji spans, entities, the group sender)
 *   machine    applySyncAnswer, the pure step the machine runs per answer
 *   transport  one webwxsync round trip to a static server in another process: node:http with a
 *              keep-alive agent (the limit) vs requestTextKeepAlive (ours) and requestText (got,
 *              what the sync loop used before)
 *   actor      the whole client (xstate actor, emits, client dispatch) with webwxsync answered
 *              from memory: no HTTP, no decoding — logged in against the simulator first
 *
 * and what one idle synccheck round costs (a parked session's only work, every 25 s):
 *
 *   transport  a synccheck GET answered "nothing new": node:http vs requestTextKeepAlive vs requestText
 *   actor      the client's round (invoke, answer, rest, invoke again) with synccheck answered
 *              from memory at once, as if each had been held 25 s
 *
 * Every figure is process CPU (user + system) per message, the best of five passes. It reads the
 * sources (src/), so it measures the working tree; it is a diagnostic, not a benchmark case.
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { fromPromise } from 'xstate';
import { createWebwxClient } from '../src/client.js';
import { asMsgId, decodeSync, encodeJsonAnswer, int, normalizeMessage, okBase, type Answer } from '../src/codecs/index.js';
import type { SyncBody } from '../src/codecs/sync.js';
import { applySyncAnswer } from '../src/machines/webwx.machine.js';
import type { WebwxContext } from '../src/machines/webwx.types.js';
import { createServiceDeps, services } from '../src/services/index.js';
import { requestText } from '../src/services/http.js';
import { requestTextKeepAlive } from '../src/services/keepalive.js';
import { buildMessage, typedParts } from '../src/simulator/messages.js';
import { startSimulator } from './processes.js';

/** Starts the client and waits until it syncs and its login traffic has settled. */
async function syncingAndSettled(client: ReturnType<typeof createWebwxClient>): Promise<void> {
  await new Promise<void>((resolve) => {
    client.on('state', ({ state }) => state === 'syncing' && resolve());
    void client.start();
  });
  await new Promise((r) => setTimeout(r, 500));
}

const PER_PAGE = 50;
const PEOPLE = Array.from({ length: 20 }, (_, i) => `@${String(i).padStart(32, 'p')}`);
const GROUP = `@@${'g'.repeat(64)}`;

/** One webwxsync answer of 50 messages: texts, group texts, emoji, app messages. */
function pageText(p: number, self: string, last: boolean): string {
  const messages = Array.from({ length: PER_PAGE }, (_, j) => {
    const i = p * PER_PAGE + j;
    const inGroup = i % 10 >= 3 && i % 10 <= 5;
    const sender = PEOPLE[i % PEOPLE.length]!;
    const parts = typedParts({ type: i % 10 >= 8 ? 49 : 1, text: `明天下午三点开会 ok <draft> & "final" 😀 #${i}`, sender, ticket: 'x' });
    const content = inGroup ? `${sender}:<br/>${parts.content}` : parts.content;
    return buildMessage({ ...parts, from: inGroup ? GROUP : sender, to: self, content }, asMsgId(String(4_000_000_000_000_000 + i)), 1_700_000_000);
  });
  const key = { Count: 2, List: [{ Key: 1, Val: 1000 + p }, { Key: 1000, Val: 0 }] };
  return encodeJsonAnswer({
    BaseResponse: okBase(),
    AddMsgCount: int(PER_PAGE),
    AddMsgList: messages,
    ModContactCount: int(0),
    ModContactList: [],
    DelContactCount: int(0),
    DelContactList: [],
    ModChatRoomMemberCount: int(0),
    ModChatRoomMemberList: [],
    ContinueFlag: int(last ? 0 : 1),
    SyncKey: key,
    SKey: '',
    SyncCheckKey: key,
  } as never);
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** CPU µs per message of `pass`, the best of five after two warm-ups. */
async function perMessage(messages: number, pass: () => unknown): Promise<number> {
  for (let i = 0; i < 2; i++) await pass();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const c0 = cpuMs();
    await pass();
    best = Math.min(best, cpuMs() - c0);
  }
  return (best * 1000) / messages;
}

const line = (name: string, us: number): void => console.log(`${name.padEnd(58)} ${us.toFixed(2).padStart(7)} µs CPU/msg`);

async function staticServer(body: string): Promise<{ origin: string; close(): void }> {
  const script = `const body = require('fs').readFileSync(0, 'utf8');
require('http').createServer((q, s) => { q.resume(); q.on('end', () => { s.writeHead(200, { 'content-type': 'text/plain' }); s.end(body); }); })
  .listen(0, '127.0.0.1', function () { console.log('http://127.0.0.1:' + this.address().port); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin!.end(body);
  const origin = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  return { origin, close: () => void child.kill() };
}

async function idleTransport(rounds: number): Promise<void> {
  const server = await staticServer('window.synccheck={retcode:"0",selector:"0"}');
  const url = `${server.origin}/cgi-bin/mmwebwx-bin/synccheck?r=1&skey=k&sid=s&uin=1&deviceid=e123456789012345&synckey=1_1%7C2_2&_=1`;
  const agent = new Agent({ keepAlive: true });
  const raw = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const req = request(url, { agent, headers: { cookie: 'wxuin=1; wxsid=s' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      });
      req.on('error', reject);
      req.end();
    });
  const deps = createServiceDeps({});
  await deps.cookieJar.setCookie('wxuin=1; Path=/', server.origin);
  await deps.cookieJar.setCookie('wxsid=s; Path=/', server.origin);
  const synccheck = { endpoint: 'synccheck', role: 'push', method: 'GET', url, referer: `${server.origin}/`, timeoutMs: 35_000 } as const;
  const ours = (): Promise<string> => requestTextKeepAlive(deps, synccheck, new AbortController().signal);
  const viaGot = (): Promise<string> => requestText(deps, synccheck, new AbortController().signal);
  const loop = (fn: () => Promise<string>) => async (): Promise<void> => {
    for (let i = 0; i < rounds; i++) await fn();
  };
  idleLine('idle transport: node:http synccheck round trip (the limit)', await perMessage(rounds, loop(raw)));
  idleLine('idle transport: requestTextKeepAlive synccheck round trip (ours)', await perMessage(rounds, loop(ours)));
  idleLine('idle transport: requestText synccheck round trip (got, before)', await perMessage(rounds, loop(viaGot)));
  agent.destroy();
  server.close();
}

/** The client's idle round with synccheck answered at once from memory ("held 25 s, nothing new"). */
async function idleActor(rounds: number): Promise<number> {
  const sim = await startSimulator({ hold: 25_000, contacts: 10, seed: 6 });
  let left = 0;
  let wake: () => void = () => undefined;
  const client = createWebwxClient({
    loginOrigin: sim.origin,
    actors: (deps) => ({
      syncCheck: fromPromise<{ answer: { retcode: number; selector: number }; elapsedMs: number }, Parameters<typeof services.syncCheck>[1]>(
        async ({ input, signal }) => {
          if (left > 0) {
            left--;
            if (left === 0) wake();
            return { answer: { retcode: 0, selector: 0 }, elapsedMs: 25_000 };
          }
          const started = Date.now();
          return { answer: await services.syncCheck(deps, input, signal), elapsedMs: Date.now() - started };
        },
      ) as never,
    }),
  });
  try {
    await syncingAndSettled(client);
    let best = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 3; round++) {
      const done = new Promise<void>((resolve) => {
        wake = resolve;
      });
      left = rounds;
      const c0 = cpuMs();
      // The parked synccheck returns on phone activity; every later one is answered from memory.
      await fetch(`${sim.origin}/__sim/phone`, { method: 'POST', body: '{}' });
      await done;
      best = Math.min(best, cpuMs() - c0);
      await new Promise((r) => setTimeout(r, 300));
    }
    return (best * 1000) / rounds;
  } finally {
    await client.stop();
    await sim.close();
  }
}

const idleLine = (name: string, us: number): void => console.log(`${name.padEnd(58)} ${us.toFixed(1).padStart(7)} µs CPU/round`);

async function transport(pages: number, body: string): Promise<void> {
  const server = await staticServer(body);
  const url = `${server.origin}/cgi-bin/mmwebwx-bin/webwxsync?sid=s&skey=k&lang=zh_CN&pass_ticket=t`;
  const value = { BaseRequest: { Uin: 1, Sid: 's', Skey: 'k', DeviceID: 'e123456789012345' }, SyncKey: { Count: 1, List: [{ Key: 1, Val: 1 }] }, rr: -1 };
  const agent = new Agent({ keepAlive: true });
  const raw = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const payload = JSON.stringify(value);
      const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), cookie: 'wxuin=1; wxsid=s' };
      const req = request(url, { method: 'POST', agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      });
      req.on('error', reject);
      req.end(payload);
    });
  const deps = createServiceDeps({});
  await deps.cookieJar.setCookie('wxuin=1; Path=/', server.origin);
  await deps.cookieJar.setCookie('wxsid=s; Path=/', server.origin);
  const page = { endpoint: 'webwxsync', role: 'main', method: 'POST', url, referer: `${server.origin}/`, body: { kind: 'json', value } } as const;
  const ours = (): Promise<string> => requestTextKeepAlive(deps, page, new AbortController().signal);
  const viaGot = (): Promise<string> => requestText(deps, page, new AbortController().signal);
  const loop = (fn: () => Promise<string>) => async (): Promise<void> => {
    for (let p = 0; p < pages; p++) await fn();
  };
  line('transport: node:http keep-alive round trip (the limit)', await perMessage(pages * PER_PAGE, loop(raw)));
  line('transport: requestTextKeepAlive round trip (ours: node:http, kept cookies, body.ts)', await perMessage(pages * PER_PAGE, loop(ours)));
  line('transport: requestText round trip (got, tough-cookie, body.ts; before)', await perMessage(pages * PER_PAGE, loop(viaGot)));
  agent.destroy();
  server.close();
}

/** The real client, logged in against the simulator, then fed `pages` answers from memory. */
async function actor(pages: number): Promise<number> {
  const sim = await startSimulator({ hold: 25_000, contacts: 120, seed: 5 });
  let feed: Answer<SyncBody>[] = [];
  let next = 0;
  let self = '';
  const client = createWebwxClient({
    loginOrigin: sim.origin,
    actors: (deps) => ({
      webwxSync: fromPromise<Answer<SyncBody>, Parameters<typeof services.webwxSync>[1]>(async ({ input, signal }) =>
        next < feed.length ? feed[next++]! : services.webwxSync(deps, input, signal),
      ),
    }),
  });
  let delivered = 0;
  let wake: () => void = () => undefined;
  client.on('login', ({ user }) => {
    self = user.UserName;
  });
  client.on('message', ({ message }) => {
    if (message.MsgType === 1 || message.MsgType === 49) delivered++;
    if (delivered === feed.length * PER_PAGE) wake();
  });
  try {
    await syncingAndSettled(client);
    let best = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 3; round++) {
      // Fresh MsgIds every round, or the dedupe window would drop them.
      feed = Array.from({ length: pages }, (_, p) => {
        const answer = decodeSync(pageText(p + round * pages, self, p === pages - 1));
        if (!answer.ok) throw new Error('breakdown: a page does not decode');
        return answer;
      });
      next = 0;
      delivered = 0;
      const done = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const c0 = cpuMs();
      // Phone activity wakes the parked synccheck; the webwxsync that follows reads the feed.
      await fetch(`${sim.origin}/__sim/phone`, { method: 'POST', body: '{}' });
      await done;
      best = Math.min(best, cpuMs() - c0);
      await new Promise((r) => setTimeout(r, 200));
    }
    return (best * 1000) / (pages * PER_PAGE);
  } finally {
    await client.stop();
    await sim.close();
  }
}

async function main(): Promise<void> {
  const pages = Number(process.argv[2] ?? 200);
  const self = `@${'a'.repeat(32)}`;
  const texts = Array.from({ length: pages }, (_, p) => pageText(p, self, false));
  const n = pages * PER_PAGE;
  console.log(`${pages} pages of ${PER_PAGE} messages, ${(Buffer.byteLength(texts[0]!) / 1024).toFixed(1)} KiB each\n`);
  line('parse: JSON.parse (the limit)', await perMessage(n, () => texts.forEach((t) => JSON.parse(t))));
  line('parse: decodeSync (JSON.parse + compiled guards)', await perMessage(n, () => texts.forEach((t) => decodeSync(t))));
  const bodies = texts.map((t) => {
    const a = decodeSync(t);
    if (!a.ok) throw new Error('breakdown: a page does not decode');
    return a.value;
  });
  line('content: normalizeMessage', await perMessage(n, () => bodies.forEach((b) => b.AddMsgList.forEach((m) => normalizeMessage(m, self)))));
  const context = (): WebwxContext =>
    ({
      user: { UserName: self, NickName: '', Uin: 1 },
      delivered: Array.from({ length: 2000 }, (_, i) => String(1e15 + i)),
      settings: { dedupeWindow: 2000 },
      contacts: { [GROUP]: { members: [] } },
      members: { pending: [], inFlight: [], attempts: 0 },
      syncKey: null,
      syncCheckKey: null,
      credentials: null,
    }) as unknown as WebwxContext;
  line('machine: applySyncAnswer (dedupe window 2000), once', await perMessage(n, () => {
    let c = context();
    for (const b of bodies) c = { ...c, ...applySyncAnswer(c, b).patch };
  }));
  await transport(pages, texts[0]!);
  line('actor: the whole client, answers from memory', await actor(pages));
  console.log('');
  await idleTransport(pages * 5);
  idleLine('idle actor: the client\'s synccheck round, answers from memory', await idleActor(pages * 5));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exitCode = 1;
});
