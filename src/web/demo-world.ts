/**
 * The simulated world of `webwx web --demo`: once the client syncs, a friend says hello, and
 * whoever receives a text from the page answers it a moment later, so the console has something
 * to show without a second person.
 */
import type { WebwxClient } from '../client.js';
import { decodeContent } from '../codecs/content.js';
import type { Simulator } from '../simulator/index.js';

export interface DemoWorldOptions {
  /** Pause before the greeting and before each answer, ms. */
  readonly delayMs?: number;
}

const isPerson = (userName: string): boolean => userName.startsWith('@') && !userName.startsWith('@@');

/** Wires the demo's scripted world to a client; returns the function that stops it. */
export function playDemoWorld(sim: Simulator, client: WebwxClient, options: DemoWorldOptions = {}): () => void {
  const delay = options.delayMs ?? 1_200;
  const timers = new Set<NodeJS.Timeout>();
  const later = (step: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      try {
        step();
      } catch {
        // The session ended meanwhile (or the contact is not in the simulated book): nothing to say.
      }
    }, delay);
    timers.add(timer);
  };
  let greeted = false;
  const offState = client.on('state', ({ state }) => {
    if (state !== 'syncing' || greeted) return;
    greeted = true;
    const friend = sim.control.contacts().find((c) => isPerson(c.UserName) && (c.VerifyFlag ?? 0) === 0);
    if (friend) later(() => sim.control.message({ from: friend.UserName, text: '你好! Send me a text from the console and I will answer 😄' }));
  });
  const offSent = client.on('sent', ({ to, clientMsgId }) => {
    if (!isPerson(to)) return;
    const record = sim.control.sent().find((s) => s.clientMsgId === clientMsgId);
    const text = record ? decodeContent(record.content) : '';
    later(() => sim.control.message({ from: to, text: text ? `收到：${text}` : '收到 👍' }));
  });
  return () => {
    offState();
    offSent();
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
}
