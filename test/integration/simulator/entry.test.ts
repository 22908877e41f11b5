/** The standalone entry point: `main.js --port 0 --auto …` prints its origin first and serves until stopped. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeJsLogin, decodeLoginPoll, decodeNewLoginPage } from '../../../src/codecs/login.js';
import { parseSimulatorArgs, runSimulatorCli } from '../../../src/simulator/index.js';

const MAIN = fileURLToPath(new URL('../../../src/simulator/main.ts', import.meta.url));

function collect(stream: PassThrough): () => string {
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return () => text;
}

describe('the simulator entry point', () => {
  it('runs as its own process: origin on the first line, --auto logs a client in, SIGTERM stops it with 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', '--auto', '--auto-delay', '20', '--hold', '2000', '--contacts', '7'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const lines = createInterface({ input: child.stdout });
      const [origin] = (await once(lines, 'line')) as [string];
      expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const uuid = decodeJsLogin(await (await fetch(`${origin}/jslogin?appid=wx782c26e4c19acffb&fun=new`)).text()).uuid!;
      const poll = async (tip: number): Promise<ReturnType<typeof decodeLoginPoll>> =>
        decodeLoginPoll(await (await fetch(`${origin}/cgi-bin/mmwebwx-bin/login?loginicon=true&uuid=${uuid}&tip=${tip}`)).text());
      expect((await poll(1)).code).toBe(201);
      const confirmed = await poll(0);
      expect(confirmed.code).toBe(200);
      const page = await fetch(`${confirmed.code === 200 ? confirmed.redirectUri : ''}&fun=new&version=v2`, { redirect: 'manual' });
      const creds = decodeNewLoginPage(await page.text());
      expect(creds.ret).toBe(0);
      const sessions = (await (await fetch(`${origin}/__sim/sessions`)).json()) as { contacts: number }[];
      expect(sessions.map((s) => s.contacts)).toEqual([7]);
      let more = '';
      lines.on('line', (line) => (more += line));
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
      // Nothing else on stdout: no request log, no secrets.
      expect(more).toBe('');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('runSimulatorCli stops on its signal and reports bad usage with 2', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out = collect(stdout);
    const err = collect(stderr);
    const stop = new AbortController();
    let origin = '';
    const running = runSimulatorCli(['--hold', '100'], {
      stdout,
      stderr,
      signal: stop.signal,
      onListening: (o) => {
        origin = o;
        stop.abort();
      },
    });
    expect(await running).toBe(0);
    expect(out()).toBe(`${origin}\n`);
    expect(err()).toContain('control API');

    const badErr = new PassThrough();
    const bad = collect(badErr);
    expect(await runSimulatorCli(['--contacts', 'many'], { stdout: new PassThrough(), stderr: badErr })).toBe(2);
    expect(bad()).toContain('--contacts takes an integer');
  });

  it('parses every flag of the contract', () => {
    const parsed = parseSimulatorArgs(['--port', '8123', '--host', '127.0.0.1', '--auto', '--auto-delay', '50', '--hold', '1000', '--contacts', '10000', '--seed', '9']);
    expect(parsed).toEqual({
      ok: true,
      help: false,
      options: { port: 8123, host: '127.0.0.1', auto: true, autoDelay: 50, hold: 1000, contacts: 10000, seed: 9, pageSize: undefined, uuidLifetimeMs: undefined },
    });
    expect(parseSimulatorArgs(['extra']).ok).toBe(false);
    expect(parseSimulatorArgs(['--hold', '-5']).ok).toBe(false);
  });
});
