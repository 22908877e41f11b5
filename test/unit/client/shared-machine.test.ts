import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { bindActorSystem, sharedWebwxMachine } from '../../../src/machines/webwx.actors.js';
import { createServiceDeps } from '../../../src/services/index.js';

const input = { deviceId: 'e123456789012345', loginOrigin: 'http://127.0.0.1:9', uos: false, seed: 1, stored: null };

describe('the shared bound machine', () => {
  it('is one machine for every client (no per-client clone of the chart)', () => {
    expect(sharedWebwxMachine()).toBe(sharedWebwxMachine());
  });

  it('runs each actor with the binding of its own actor system', async () => {
    const calls: string[] = [];
    const observerFor = (tag: string) => ({ started: (name: string) => calls.push(`${tag}:${name}`) });
    const a = createActor(sharedWebwxMachine(), { input });
    const b = createActor(sharedWebwxMachine(), { input });
    bindActorSystem(a.system, { deps: createServiceDeps(), now: Date.now, observer: observerFor('A') });
    bindActorSystem(b.system, { deps: createServiceDeps(), now: Date.now, observer: observerFor('B') });
    a.start();
    b.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    a.stop();
    b.stop();
    // Each client's first request went through its own binding, once.
    expect(calls.filter((c) => c === 'A:getUuid')).toHaveLength(1);
    expect(calls.filter((c) => c === 'B:getUuid')).toHaveLength(1);
  });

  it('an actor system with nothing bound fails its invokes as data, without crashing the machine', async () => {
    const lonely = createActor(sharedWebwxMachine(), { input });
    const errors: unknown[] = [];
    lonely.on('error', (event) => errors.push(event));
    lonely.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lonely.getSnapshot().status).toBe('active');
    expect(errors.length).toBeGreaterThan(0);
    lonely.stop();
  });
});
