/**
 * runClient wired to a scripted stand-in for the client: what reaches stdout (NDJSON only), what
 * stdin lines do, and which exit code each ending gives.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { WebwxClient, WebwxClientEventName, WebwxClientEvents } from '../../../src/client.js';
import type { LogoutInfo } from '../../../src/machines/webwx.types.js';
import { runClient } from '../../../src/cli/run-client.js';

interface FakeClient extends WebwxClient {
  fire<E extends WebwxClientEventName>(event: E, payload: WebwxClientEvents[E]): void;
  readonly calls: string[];
  crash(err: Error): void;
  /** Ends the client without a `logout` event (as a stop, or a logout before the machine ran, does). */
  end(info: LogoutInfo): void;
}

function fakeClient(): FakeClient {
  const listeners = new Map<string, Set<(p: never) => void>>();
  const calls: string[] = [];
  let resolveDone: (info: LogoutInfo) => void = () => undefined;
  let rejectDone: (err: unknown) => void = () => undefined;
  const done = new Promise<LogoutInfo>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  done.catch(() => undefined);
  const fire = <E extends WebwxClientEventName>(event: E, payload: WebwxClientEvents[E]): void => {
    for (const fn of listeners.get(event) ?? []) (fn as (p: WebwxClientEvents[E]) => void)(payload);
    if (event === 'logout') resolveDone(payload as LogoutInfo);
  };
  return {
    get actor(): never {
      throw new Error('no actor in the fake');
    },
    start: async () => {
      calls.push('start');
    },
    send: async (to, text) => {
      calls.push(`send ${to} ${text}`);
      return { clientMsgId: '1', msgId: '2' };
    },
    logout: async () => {
      calls.push('logout');
      return { reason: 'user' };
    },
    stop: async () => {
      calls.push('stop');
      return { reason: 'user' };
    },
    messages: () => {
      throw new Error('not used');
    },
    on: (event, fn) => {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(fn as (p: never) => void);
      return () => set.delete(fn as (p: never) => void);
    },
    session: () => null,
    state: () => 'notStarted',
    done,
    fire,
    calls,
    crash: (err) => rejectDone(err),
    end: (info) => resolveDone(info),
  };
}

function io(): { stdout: PassThrough; stderr: PassThrough; stdin: PassThrough; lines: () => string[]; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  return { stdout, stderr, stdin: new PassThrough(), lines: () => out.split('\n').filter((l) => l !== ''), err: () => err };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('runClient --json', () => {
  it('writes only NDJSON on stdout, the message with exactly the contract fields, the QR drawing on stderr', async () => {
    const client = fakeClient();
    const s = io();
    const running = runClient(client, s, { json: true, readCommands: true });
    await tick();
    client.fire('state', { state: 'awaitingScan' });
    client.fire('qr', { uuid: 'u1', qrUrl: 'https://login.weixin.qq.com/l/u1', imageUrl: 'http://127.0.0.1:9/qrcode/u1' });
    client.fire('message', {
      message: { MsgId: '7', MsgType: 49, AppMsgType: 5, FromUserName: '@a', ToUserName: '@b', Content: 'x', CreateTime: 1, IsGroup: false, isSelf: true },
    });
    client.fire('sendFailed', { to: '@a', clientMsgId: '17000000000000001', reason: 'rejected', ret: 1204 });
    client.fire('state', { state: 'loggedOut' });
    client.fire('logout', { reason: 'remote', retcode: 1102 });
    expect(await running).toBe(0);

    const events = s.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.map((e) => e['event'])).toEqual(['state', 'qr', 'message', 'error', 'state', 'logout']);
    expect(events[2]!['message']).toEqual({ MsgId: '7', MsgType: 49, FromUserName: '@a', ToUserName: '@b', Content: 'x', CreateTime: 1, IsGroup: false });
    expect(events[3]).toMatchObject({ event: 'error', code: 'sendFailed', ret: 1204, to: '@a' });
    expect(String(events[3]!['message'])).toContain('Ret 1204');
    expect(events[5]).toEqual({ event: 'logout', reason: 'remote', retcode: 1102 });
    expect(s.err()).toContain('█');
  });

  it('turns stdin lines into send and logout; a bad line is one badCommand error and no call', async () => {
    const client = fakeClient();
    const s = io();
    const running = runClient(client, s, { json: true, readCommands: true });
    await tick();
    s.stdin.write('{"cmd":"send","to":"@a","text":"hi there"}\n');
    s.stdin.write('garbage\n');
    s.stdin.write('\n');
    s.stdin.write('{"cmd":"logout"}\n');
    await tick();
    expect(client.calls).toEqual(['start', 'send @a hi there', 'logout']);
    // The blank line is a line that is not valid JSON as well (CONTRACT.md).
    expect(s.lines().map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      { event: 'error', code: 'badCommand', message: 'not valid JSON' },
      { event: 'error', code: 'badCommand', message: 'not valid JSON' },
    ]);
    client.fire('logout', { reason: 'user' });
    expect(await running).toBe(0);
  });

  it.each([
    ['qrExpired', 3],
    ['webLoginForbidden', 3],
    ['untrustedRedirect', 3],
    ['tooManyFailures', 3],
    ['user', 0],
    ['remote', 0],
  ] as const)('exits %s with %i', async (reason, code) => {
    const client = fakeClient();
    const running = runClient(client, io(), { json: true, readCommands: false });
    await tick();
    client.fire('logout', { reason });
    expect(await running).toBe(code);
  });

  it('still ends with state loggedOut and a logout line when the client ended without telling (stopped)', async () => {
    const client = fakeClient();
    const s = io();
    const running = runClient(client, s, { json: true, readCommands: false });
    await tick();
    client.end({ reason: 'user', message: 'stopped without logout' });
    expect(await running).toBe(0);
    expect(s.lines().map((l) => JSON.parse(l) as unknown)).toEqual([
      { event: 'state', state: 'loggedOut' },
      { event: 'logout', reason: 'user' },
    ]);
  });

  it('rejects (exit 1 in main) when the machine crashes instead of hanging', async () => {
    const client = fakeClient();
    const running = runClient(client, io(), { json: true, readCommands: false });
    await tick();
    client.crash(new Error('machine bug'));
    await expect(running).rejects.toThrow('machine bug');
  });
});

describe('runClient (human)', () => {
  it('writes friendly lines, no JSON, and faults to stderr', async () => {
    const client = fakeClient();
    const s = io();
    const running = runClient(client, s, { json: false, readCommands: false });
    await tick();
    client.fire('login', { user: { UserName: '@me', NickName: 'Ann', Uin: 5 } });
    client.fire('error', { code: 'network', message: 'socket hang up' });
    client.fire('logout', { reason: 'user' });
    expect(await running).toBe(0);
    expect(s.lines()).toEqual(['✓ Logged in as Ann.', 'Logged out.']);
    expect(s.err()).toBe('! network: socket hang up\n');
  });
});
