/**
 * `webwx web --demo` as a user runs it (in-process, through webCommand): it prints the URL, the
 * page's API shows the simulated login reach syncing, a text sent through the API is answered by
 * the simulated friend, and a logout from the page ends the command with exit code 0.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { webCommand } from '../../src/cli/commands/web.js';
import type { ConsoleState } from '../../src/web/view.js';

function streams(): { stdout: PassThrough; stderr: PassThrough; stdin: PassThrough; out: () => string } {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return { stdout, stderr: new PassThrough(), stdin: new PassThrough(), out: () => text };
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('webwx web --demo', () => {
  it('serves the console for a simulated session and exits 0 after a logout from the page', async () => {
    const io = streams();
    const run = webCommand(['--demo', '--port', '0'], io);
    const url = await until(() => /Web console: open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(io.out())?.[1], 'the URL');
    const state = async (): Promise<ConsoleState> => (await fetch(`${url}api/state`)).json() as Promise<ConsoleState>;
    const post = (path: string, body: unknown): Promise<Response> =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url.slice(0, -1) }, body: JSON.stringify(body) });

    const synced = await until(async () => {
      const s = await state();
      return s.top === 'syncing' && s.feed.some((e) => e.dir === 'in' && e.content.startsWith('你好!')) ? s : undefined;
    }, 'syncing and the greeting');
    expect(synced.user?.NickName).toBeTruthy();
    expect(synced.contactsCount).toBeGreaterThan(0);
    const greeting = synced.feed.find((e) => e.dir === 'in' && e.content.startsWith('你好!'));
    const friend = greeting && greeting.dir === 'in' ? greeting.from : '';

    const sent = await post('api/send', { to: friend, text: 'ping from the test' });
    expect(sent.status).toBe(200);
    await until(async () => ((await state()).feed.some((e) => e.dir === 'in' && e.content === '收到：ping from the test') ? true : undefined), 'the answer');

    expect((await post('api/logout', {})).status).toBe(202);
    expect(await run).toBe(0);
    expect(io.out()).toContain('logged out: user');
  }, 30_000);

  it('refuses contradictory flags as bad usage', async () => {
    const io = streams();
    await expect(webCommand(['--demo', '--login-origin', 'http://127.0.0.1:1'], io)).rejects.toMatchObject({ code: 'usage' });
    await expect(webCommand(['--port', 'eighty'], io)).rejects.toMatchObject({ code: 'usage' });
    await expect(webCommand(['--login-origin', 'ftp://x'], io)).rejects.toMatchObject({ code: 'usage' });
    await expect(webCommand(['--nope'], io)).rejects.toMatchObject({ code: 'usage' });
  });
});
