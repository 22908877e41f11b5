/**
 * `--inspect=PORT`: a WebSocket receiver on the inspector server sees the machine's snapshots for
 * every login state, and none of the session's secrets.
 */
import WebSocket from 'ws';
import { listenTo } from '../../support/ws.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebwxClient } from '../../../src/client.js';
import { startLiveInspector } from '../../../src/inspect/inspector.js';
import { startSimulator, type Simulator } from '../../../src/simulator/index.js';
import { ensureBuilt, freePort, isEvent, killLeftovers, logInByPhone, secretsOf, startCli } from './harness.js';

ensureBuilt();

interface Inspection {
  readonly type: string;
  readonly snapshot?: { readonly value?: unknown; readonly context?: unknown };
}

/** The top-level state of a machine snapshot's value ('syncing' for `{ syncing: {...} }`). */
function topState(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return Object.keys(value)[0] ?? null;
  return null;
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ hold: 400, contacts: 10 });
});
afterAll(async () => {
  killLeftovers();
  await sim.close();
});

const LOGIN_STATES = ['uuid', 'awaitingScan', 'scanned', 'confirmed', 'initialized', 'syncing'];

describe('webwx login --inspect=PORT', () => {
  it('relays @xstate.snapshot events for the login states to a WebSocket receiver, without secrets', async () => {
    const port = await freePort();
    const cli = startCli(['login', '--json', '--login-origin', sim.origin, `--inspect=${port}`]);
    const said = await cli.waitForStderr(/Inspector: open (http:\/\/127\.0\.0\.1:(\d+)\/)/);
    expect(Number(said[2])).toBe(port);
    const page = await fetch(said[1]!);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('stately.ai/inspect');

    const { socket, messages } = await listenTo(`ws://127.0.0.1:${port}`);
    await logInByPhone(sim, cli);
    const states = (): Set<string> =>
      new Set(
        messages
          .map((m) => JSON.parse(m) as Inspection)
          .filter((m) => m.type === '@xstate.snapshot' && m.snapshot?.context !== undefined)
          .map((m) => topState(m.snapshot?.value))
          .filter((s): s is string => s !== null),
      );
    await until(() => states().has('syncing'), 'a syncing snapshot');
    for (const state of LOGIN_STATES) expect(states(), state).toContain(state);

    cli.send('{"cmd":"logout"}');
    expect((await cli.exit).code).toBe(0);
    await until(() => socket.readyState === WebSocket.CLOSED, 'the inspector closing the socket');
    // The last snapshots went out before the server closed.
    expect(states()).toContain('loggedOut');
    expect(cli.events.some(isEvent('logout'))).toBe(true);
    // JSON.parse on every message: each is one inspection event; none carries a secret.
    const all = messages.join('\n');
    const secrets = secretsOf(sim);
    expect(secrets.length).toBeGreaterThan(4);
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(cli.foreign).toEqual([]);
  });
});

describe('startLiveInspector (in-process)', () => {
  it('takes a free port with 0, replays the history to a late receiver and keeps credentials out', async () => {
    const inspector = await startLiveInspector(0);
    expect(inspector.port).toBeGreaterThan(0);
    const client = createWebwxClient({ loginOrigin: sim.origin, inspect: inspector.inspect });
    try {
      const qr = new Promise<string>((resolve) => client.on('qr', ({ uuid }) => resolve(uuid)));
      const syncing = new Promise<void>((resolve) => client.on('state', ({ state }) => state === 'syncing' && resolve()));
      await client.start();
      const uuid = await qr;
      sim.control.scan({ uuid });
      sim.control.confirm({ uuid });
      await syncing;
      // Connected only now: everything before comes from the history.
      const { socket, messages } = await listenTo(inspector.wsUrl);
      await until(() => messages.some((m) => m.includes('"@xstate.snapshot"') && m.includes('"syncing"')), 'the replayed syncing snapshot');
      const parsed = messages.map((m) => JSON.parse(m) as Inspection);
      expect(parsed.some((m) => m.type === '@xstate.actor')).toBe(true);
      const withContext = parsed.filter((m) => m.type === '@xstate.snapshot' && m.snapshot?.context !== undefined);
      expect(withContext.length).toBeGreaterThan(0);
      for (const m of withContext) {
        const context = m.snapshot!.context as { credentials: unknown; deviceId: unknown };
        expect(context.credentials === null || context.credentials === '***').toBe(true);
        expect(context.deviceId).toBe('***');
      }
      socket.close();
    } finally {
      await client.logout();
      await inspector.stop();
    }
  });
});
