/**
 * Bad input from the network, end to end: a real client logs in through a hostile proxy in front
 * of the simulator, which turns one answer (or every answer) of an endpoint hostile. Each case
 * must give a typed error (an `error` event with its code, naming the endpoint and, for a
 * decoding failure, the path) and then the session goes on — or, when the server never stops,
 * ends cleanly with `tooManyFailures`. Never a crash, a hang, a polluted prototype or a secret.
 *
 * The codecs' own unit and property tests (test/unit/codecs/adversarial.test.ts,
 * test/property/codecs/robustness.property.test.ts) hold the same cases without the network.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createWebwxClient, type WebwxClient, type WebwxClientOptions } from '../../src/client.js';
import { MAX_BODY_BYTES } from '../../src/codecs/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { expectNoSecrets, onCleanup, record, type Recorder } from '../integration/engine/harness.js';
import { startHostileProxy, type Decision, type HostileProxy, type ProxyRequest } from './hostile-proxy.js';
import { until } from './support.js';

interface Rig {
  readonly sim: Simulator;
  readonly proxy: HostileProxy;
  readonly client: WebwxClient;
  readonly rec: Recorder;
  uin(): string;
  friend(): string;
  /** The next request of `endpoint` meets `decision`, once. */
  once(endpoint: string, decision: (req: ProxyRequest) => Decision): void;
}

async function rig(options: WebwxClientOptions = {}, start = true): Promise<Rig> {
  const sim = await startSimulator({ hold: 200, auto: true, autoDelay: 10, contacts: 12 });
  const proxy = await startHostileProxy(sim.origin);
  // The redirect names the proxy, which is the login origin: the host rule trusts it.
  sim.control.setRedirectOrigin(proxy.origin);
  const client = createWebwxClient({
    loginOrigin: proxy.origin,
    delays: { pollPauseMs: 10, checkPauseMs: 10, backoffBaseMs: 10, backoffMaxMs: 40, sendRetryBaseMs: 10, sendRetryMaxMs: 40 },
    requestTimeoutMs: 5_000,
    longPollTimeoutMs: 3_000,
    ...options,
  });
  const rec = record(client);
  onCleanup(async () => {
    await client.stop();
    await proxy.close();
    await sim.close();
  });
  const armed = new Map<string, (req: ProxyRequest) => Decision>();
  proxy.set((req) => {
    const decide = armed.get(req.endpoint);
    if (!decide) return undefined;
    armed.delete(req.endpoint);
    return decide(req);
  });
  if (start) {
    await client.start();
    await rec.waitFor('state', (s) => s.state === 'syncing');
  }
  const uin = (): string => sim.control.sessions().at(-1)!.uin;
  return {
    sim,
    proxy,
    client,
    rec,
    uin,
    friend: () => sim.control.contacts(uin()).find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'))!.UserName,
    once: (endpoint, decision) => armed.set(endpoint, decision),
  };
}

const json = (body: string | Buffer, headers: Record<string, string> = {}): Decision => ({ answer: { headers: { 'content-type': 'text/plain', ...headers }, body } });

/** A message arrives, the next webwxsync meets `hostile` (if given); then the message arrives exactly once anyway. */
async function survivesSync(r: Rig, hostile: ((req: ProxyRequest) => Decision) | null, text: string): Promise<void> {
  if (hostile) r.once('webwxsync', hostile);
  const sent = r.sim.control.message({ uin: r.uin(), from: r.friend(), text });
  const [got] = await r.rec.messages(1, (m) => m.MsgId === sent.msgId);
  expect(got?.Content).toBe(text);
  // The loop is parked again: nothing more is coming, and the message was told once.
  await until(() => r.sim.stats().parked > 0, 10_000, 'a parked synccheck');
  expect(r.rec.of('message').filter((m) => m.message.MsgId === sent.msgId)).toHaveLength(1);
  expect(r.rec.of('logout')).toEqual([]);
  expect(r.client.state()).toBe('syncing');
}

/** The upstream webwxsync answer with its text changed by `edit`. */
const rewriteSync = (edit: (text: string) => string | Buffer) => (): Decision => ({
  rewrite: (up) => ({ status: up.status, headers: up.headers, body: edit(up.body.toString('utf8')) }),
});

describe('oversized answers (cap: 16 MiB)', () => {
  it('a webwxsync answer over the cap is tooLarge; the session goes on', async () => {
    const r = await rig();
    await survivesSync(r, () => json(Buffer.alloc(MAX_BODY_BYTES + 1024 * 1024, 0x20)), 'after a huge answer');
    expect(r.rec.of('error')).toContainEqual({ code: 'tooLarge', message: `webwxsync: answer larger than ${MAX_BODY_BYTES} bytes` });
  });

  it('a gzip bomb (64 KiB that inflate to 64 MiB) is tooLarge without inflating it all', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 });
    expect(bomb.length).toBeLessThan(MAX_BODY_BYTES / 64);
    const r = await rig();
    await survivesSync(r, () => json(bomb, { 'content-encoding': 'gzip' }), 'after a bomb');
    expect(r.rec.of('error').map((e) => e.code)).toContain('tooLarge');
  });

  it('a contact page over the cap during the login is tooLarge; the pages are fetched again and all contacts arrive', async () => {
    const r = await rig({}, false);
    r.once('webwxgetcontact', () => json(Buffer.alloc(MAX_BODY_BYTES + 1, 0x20)));
    await r.client.start();
    const contacts = await r.rec.waitFor('contacts');
    expect(contacts.count).toBe(r.sim.control.contacts(r.uin()).length);
    expect(r.rec.of('error')).toContainEqual({ code: 'tooLarge', message: `webwxgetcontact: answer larger than ${MAX_BODY_BYTES} bytes` });
  });
});

describe('__proto__ and constructor keys in JSON answers', () => {
  it('stay data: no prototype pollution, the message is delivered, a contact named __proto__ is an own entry', async () => {
    const r = await rig();
    const poison = '"__proto__":{"polluted":"yes","UserName":"@evil"},"constructor":{"prototype":{"polluted":"yes"}},';
    r.once('webwxsync', rewriteSync((text) => `{${poison}${text.slice(1)}`.replace(/"MsgId":/g, `${poison}"MsgId":`).replace('"ModContactList":[]', '"ModContactList":[{"UserName":"__proto__","NickName":"proto","__proto__":{"isGroup":true}}]')));
    const sent = r.sim.control.message({ uin: r.uin(), from: r.friend(), text: 'poisoned answer' });
    const [got] = await r.rec.messages(1, (m) => m.MsgId === sent.msgId);
    expect(got?.Content).toBe('poisoned answer');
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>)['polluted']).toBeUndefined();
    const contacts = r.client.actor.getSnapshot().context.contacts;
    expect(Object.getPrototypeOf(contacts)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(contacts, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(contacts, '__proto__')?.value).toMatchObject({ UserName: '__proto__', NickName: 'proto', isGroup: false });
    expect(r.client.state()).toBe('syncing');
  });
});

describe('invalid UTF-8', () => {
  it('inside a message text decodes to U+FFFD; the message is delivered', async () => {
    const r = await rig();
    const marker = 'BROKEN-UTF8';
    r.once('webwxsync', rewriteSync((text) => {
      const [head, tail] = text.split(marker) as [string, string];
      return Buffer.concat([Buffer.from(head, 'utf8'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(tail, 'utf8')]);
    }));
    const sent = r.sim.control.message({ uin: r.uin(), from: r.friend(), text: `a ${marker} b` });
    const [got] = await r.rec.messages(1, (m) => m.MsgId === sent.msgId);
    expect(got?.Content).toBe('a \uFFFD\uFFFD\uFFFD b');
  });

  it('outside the strings is a badResponse; retried, the message arrives once', async () => {
    const r = await rig();
    await survivesSync(r, rewriteSync((text) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf8')])), 'after invalid bytes');
    expect(r.rec.of('error')).toContainEqual(expect.objectContaining({ code: 'badResponse', message: expect.stringMatching(/^webwxsync: bad response at /) }));
  });
});

describe('absurd numbers', () => {
  it.each([
    ['a MsgType of 1e400', (t: string) => t.replace(/"MsgType":\d+/, '"MsgType":1e400'), /AddMsgList\.0\.MsgType/],
    ['a SyncKey value of 2^60', (t: string) => t.replace(/"Val":\d+/, '"Val":1152921504606846976'), /SyncKey\.List\.0\.Val/],
    ['a CreateTime of -1e308', (t: string) => t.replace(/"CreateTime":\d+/, '"CreateTime":-1e308'), /AddMsgList\.0\.CreateTime/],
  ])('%s is a badResponse at its path; retried, the message arrives once', async (_label, edit, path) => {
    const r = await rig();
    await survivesSync(r, rewriteSync(edit), 'after an absurd number');
    const refused = r.rec.of('error').find((e) => e.code === 'badResponse');
    expect(refused?.message).toMatch(path);
    expect(refused?.message).toMatch(/^webwxsync: /);
  });

  it('a synccheck retcode of 20 digits is a badResponse, retried — not a session end', async () => {
    const r = await rig();
    r.once('synccheck', () => ({ answer: { headers: { 'content-type': 'text/javascript' }, body: 'window.synccheck={retcode:"99999999999999999999",selector:"2"}' } }));
    await survivesSync(r, null, 'after a huge retcode');
    expect(r.rec.of('error')).toContainEqual(expect.objectContaining({ code: 'badResponse', message: expect.stringMatching(/^synccheck: bad response at synccheck\.retcode/) }));
  });
});

describe('script answers are parsed, never run', () => {
  it('code in a synccheck answer is a badResponse and does not run; the session goes on', async () => {
    const r = await rig();
    const before = process.exitCode;
    r.once('synccheck', () => ({
      answer: { headers: { 'content-type': 'text/javascript' }, body: 'window.synccheck={retcode:"0",selector:"2"};process.exitCode=42;globalThis.owned=1;' },
    }));
    await survivesSync(r, null, 'after a script with code');
    expect(r.rec.of('error')).toContainEqual(expect.objectContaining({ code: 'badResponse', message: expect.stringMatching(/^synccheck: bad response at \(body\): expected 'window'/) }));
    expect(process.exitCode).toBe(before);
    expect((globalThis as Record<string, unknown>)['owned']).toBeUndefined();
  });
});

describe('XML bombs', () => {
  it('a newloginpage answer with a DOCTYPE and entities (billion laughs) is refused at once; the login goes on', async () => {
    const laughs = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE lolz [<!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
      ']>',
      '<error><ret>0</ret><message>&lol9;</message><skey>@crypt_x</skey><wxsid>s</wxsid><wxuin>1</wxuin><pass_ticket>p</pass_ticket></error>',
    ].join('\n');
    const r = await rig({}, false);
    r.once('webwxnewloginpage', () => ({ answer: { status: 301, headers: { 'content-type': 'text/plain' }, body: laughs } }));
    const startedAt = Date.now();
    await r.client.start();
    await r.rec.waitFor('state', (s) => s.state === 'syncing');
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(r.rec.of('error')).toContainEqual(expect.objectContaining({ code: 'badResponse', message: expect.stringMatching(/^webwxnewloginpage: /) }));
    expect(r.rec.of('logout')).toEqual([]);
  });
});

describe('a server that never answers sense', () => {
  // The synccheck in between succeeds every time (it sees the unread message): that must not reset
  // the fault count, or the client would retry at its first back-off forever.
  it('garbage on every webwxsync ends the session cleanly with tooManyFailures: done resolves, nothing thrown, no secret told', async () => {
    const r = await rig({ maxConsecutiveFailures: 4 });
    r.proxy.set((req) => (req.endpoint === 'webwxsync' ? json('{"BaseResponse":{"Ret":0},"AddMsgList":[{"MsgId":') : undefined));
    r.sim.control.message({ uin: r.uin(), from: r.friend(), text: 'never read' });
    const ended = await r.client.done;
    expect(ended.reason).toBe('tooManyFailures');
    expect(ended.message).toMatch(/^webwxsync: bad response at /);
    expect(r.rec.of('error').filter((e) => e.code === 'badResponse')).toHaveLength(4);
    expect(r.rec.of('logout')).toEqual([ended]);
    expect(r.client.state()).toBe('loggedOut');
    expectNoSecrets(r.rec, r.sim.control.credentials(r.uin()));
  });
});
