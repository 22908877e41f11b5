import { describe, expect, it } from 'vitest';
import { runSceneDemo, type SceneDemoInfo } from '../../../src/cli/commands/scene-demo.js';
import { newScene, poll, postJson, REDIS_URL, redisAvailable, redisNamespace } from './helpers.js';

const redisUp = (await redisAvailable()) || process.env['CI'] === 'true';

function capture() {
  let text = '';
  return { stream: { write: (s: string) => (text += s) }, text: () => text };
}

/** Runs the demo until `use` is done with it, and answers the exit code and the output. */
async function withDemo(argv: string[], use: (info: SceneDemoInfo) => Promise<void>) {
  const out = capture();
  const err = capture();
  const stop = new AbortController();
  let failure: unknown = null;
  const code = await runSceneDemo(argv, {
    stdout: out.stream,
    stderr: err.stream,
    signal: stop.signal,
    onReady: (info) => {
      use(info)
        .catch((e: unknown) => {
          failure = e;
        })
        .finally(() => stop.abort());
    },
  });
  if (failure !== null) throw failure;
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('webwx scene-demo', () => {
  it('serves the example against the simulator, whose scan buttons log a user in, and exits 0 when stopped', async () => {
    let simulatorOrigin: string | null = null;
    const { code, stdout, stderr } = await withDemo(['--token', 'demoToken1'], async (info) => {
      simulatorOrigin = info.simulatorOrigin;
      expect(info.store).toBe('memory');
      const scene = await newScene(info.appOrigin);
      const scan = await postJson(`${info.appOrigin}/demo/scan`, { sceneId: scene.sceneId });
      expect(scan).toMatchObject({ status: 200, body: { ok: true, follow: 'subscribe' } });
      expect(await poll(info.appOrigin, scene.sceneId)).toMatchObject({ body: { status: 'needsBinding' } });
      expect(await postJson(`${info.appOrigin}/login/scene/${scene.sceneId}/bind`, { phone: '13800138000' })).toMatchObject({ status: 200, body: { status: 'loggedIn' } });
      const html = await (await fetch(`${info.appOrigin}/`)).text();
      expect(html).toContain('data-demo="1"');
    });
    expect(code).toBe(0);
    expect(simulatorOrigin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stdout).toMatch(/Scene-QR login example at http:\/\/127\.0\.0\.1:\d+\//);
    expect(stdout).toContain('Store: in memory');
    expect(stderr).toMatch(/callback: subscribe of scene \S+ → changed/);
    // The callback token is a secret: never printed.
    expect(stdout + stderr).not.toContain('demoToken1');
    // Stopped means stopped: the simulator no longer answers.
    await expect(fetch(`${simulatorOrigin}/__sim/state`)).rejects.toThrow();
  });

  it('exits 2 on bad usage and 3 when the real platform has no credentials', async () => {
    const err = capture();
    expect(await runSceneDemo(['--port', 'x'], { stderr: err.stream })).toBe(2);
    expect(await runSceneDemo(['--bogus'], { stderr: err.stream })).toBe(2);
    expect(await runSceneDemo(['--redis', 'http://nope'], { stderr: err.stream })).toBe(2);
    expect(await runSceneDemo(['--expire', '5'], { stderr: err.stream })).toBe(2);
    expect(await runSceneDemo(['--token', 'has space'], { stderr: err.stream })).toBe(2);
    expect(await runSceneDemo(['--redis-prefix', 'p:'], { stderr: err.stream })).toBe(2);
    expect(err.text()).toContain('Usage: webwx scene-demo');
    const env = capture();
    expect(await runSceneDemo(['--platform', 'http://127.0.0.1:9'], { stderr: env.stream, env: {} })).toBe(3);
    expect(env.text()).toContain('WECHAT_APPID');
  });

  it('exits 3 when Redis does not answer, without printing the URL password', async () => {
    const err = capture();
    expect(await runSceneDemo(['--redis', 'redis://:hunter2@127.0.0.1:1'], { stderr: err.stream })).toBe(3);
    expect(err.text()).toContain('does not answer');
    expect(err.text()).not.toContain('hunter2');
  });

  it.runIf(redisUp)('runs on Redis with --redis', async () => {
    const ns = redisNamespace();
    try {
      const { code, stdout } = await withDemo(['--redis', REDIS_URL, '--redis-prefix', ns.prefix], async (info) => {
        expect(info.store).toBe('redis');
        const scene = await newScene(info.appOrigin);
        expect(await poll(info.appOrigin, scene.sceneId)).toMatchObject({ body: { status: 'pending' } });
      });
      expect(code).toBe(0);
      expect(stdout).toContain('Store: Redis redis://127.0.0.1:6379');
    } finally {
      await ns.cleanup();
    }
  });
});
