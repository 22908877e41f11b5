/**
 * Real HTTP fixtures for the scene login: the platform simulator and example-server instances
 * on loopback, plus a Redis namespace per test that is removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createMemoryAccountDirectory, type AccountDirectory } from '../../../src/scene/accounts.js';
import { startSceneExampleServer, type SceneExampleServer } from '../../../src/scene/example-server.js';
import { createMemorySceneStore } from '../../../src/scene/memory-store.js';
import { createSceneLoginService, type SceneLoginService } from '../../../src/scene/scene-service.js';
import type { SceneStore } from '../../../src/scene/store.js';
import { startOfficialSimulator, type OfficialSimulator } from '../../../src/simulator/official/server.js';

export const CALLBACK_TOKEN = 'cbToken123';
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export interface Instance {
  readonly server: SceneExampleServer;
  readonly service: SceneLoginService;
  readonly log: string[];
}

export interface InstanceOptions {
  readonly sim: OfficialSimulator;
  readonly store?: SceneStore;
  readonly accounts?: AccountDirectory;
  readonly now?: () => number;
  readonly expireSeconds?: number;
  readonly demo?: boolean;
}

export async function startInstance(options: InstanceOptions): Promise<Instance> {
  const service = createSceneLoginService({
    store: options.store ?? createMemorySceneStore(options.now ? { now: options.now } : {}),
    accounts: options.accounts ?? createMemoryAccountDirectory(),
    platform: {
      appId: options.sim.world.appId,
      appSecret: options.sim.world.appSecret,
      apiBaseUrl: options.sim.origin,
      showQrBaseUrl: options.sim.origin,
    },
    ...(options.now ? { now: options.now } : {}),
    ...(options.expireSeconds === undefined ? {} : { expireSeconds: options.expireSeconds }),
  });
  const log: string[] = [];
  const sim = options.sim;
  const server = await startSceneExampleServer({
    service,
    callbackToken: CALLBACK_TOKEN,
    log: (line) => log.push(line),
    ...(options.demo ? { demoScan: (req) => sim.scan(req) } : {}),
  });
  return { server, service, log };
}

/** A simulator whose callback points at `instance` (call `point` once the instance listens). */
export async function startSimulator(): Promise<OfficialSimulator & { point(instance: Instance): void }> {
  const sim = await startOfficialSimulator();
  return Object.assign(sim, {
    point(instance: Instance) {
      sim.configureCallback(`${instance.server.origin}/wechat/callback`, CALLBACK_TOKEN);
    },
  });
}

export async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export const postJson = (url: string, value: unknown): Promise<{ status: number; body: Record<string, unknown> }> =>
  getJson(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });

export async function newScene(origin: string): Promise<{ sceneId: string; qrUrl: string; expiresAt: number }> {
  const { status, body } = await getJson(`${origin}/login/scene`);
  if (status !== 200) throw new Error(`GET /login/scene answered ${status}: ${JSON.stringify(body)}`);
  return body as { sceneId: string; qrUrl: string; expiresAt: number };
}

export const poll = (origin: string, sceneId: string) => getJson(`${origin}/login/scene/${sceneId}`);

/** Polls until `predicate` holds (a bounded number of times; no timing is asserted). */
export async function pollUntil(origin: string, sceneId: string, predicate: (body: Record<string, unknown>) => boolean) {
  for (let i = 0; i < 200; i++) {
    const answer = await poll(origin, sceneId);
    if (predicate(answer.body)) return answer;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition never held');
}

/** A random key namespace on the shared Redis, and its removal. */
export function redisNamespace(): { prefix: string; cleanup(): Promise<void> } {
  const prefix = `test:scene:${randomBytes(6).toString('hex')}:`;
  return {
    prefix,
    async cleanup() {
      const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      client.on('error', () => undefined);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 200);
          cursor = next;
          if (keys.length > 0) await client.del(...keys);
        } while (cursor !== '0');
      } finally {
        client.disconnect();
      }
    },
  };
}

/** True when a Redis answers on REDIS_URL. */
export async function redisAvailable(): Promise<boolean> {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 0, lazyConnect: true, connectTimeout: 1000, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
