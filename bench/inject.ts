/**
 * Queueing messages in the simulator through its control API (`POST /__sim/message`), one call
 * per message — the simulator has no bulk call — over a keep-alive agent, many calls in flight.
 *
 * The mix is fixed and realistic: direct texts (some with entities and line breaks), group texts
 * (the simulator adds the `@member:<br/>` prefix), emoji-heavy texts (sprite spans and entities)
 * and app messages (MsgType 49, escaped XML), in a deterministic rotation.
 */
import { Agent, request } from 'node:http';

export interface InjectPlan {
  readonly origin: string;
  readonly uin: string;
  readonly count: number;
  /** Calls in flight at once. */
  readonly concurrency: number;
}

interface Named {
  readonly UserName: string;
}

const SENTENCES = [
  '明天下午三点开会，记得带上周报。',
  'ok, see you at 7 — bring the <draft> & the "final" numbers',
  '收到，我马上处理',
  'Line one\nline two\nline three: a longer message that wraps over several lines in the web client',
  '价格是 ¥1,299 & 运费另计 <包邮地区除外>',
  "it's done; tests pass (42/42) & the build is green",
  '好的👌',
  '周末一起去爬山吗？天气预报说是晴天。',
];
const EMOJI = ['😀 早上好 ☀️', '🎉🎉 恭喜! <3 & 🍰', '👍 收到 🇨🇳 ❤️', '😂😂😂 "太好笑了" ⭐'];
const TITLES = ['微信支付 收款到账通知 ¥88.00', 'Release notes: v2.3 <beta> & fixes', '【周报】本周进展与下周计划'];

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The bodies of `count` message calls, in order. */
export async function messageMix(origin: string, uin: string, count: number): Promise<string[]> {
  const q = `uin=${encodeURIComponent(uin)}`;
  const contacts = await getJson<Named[]>(`${origin}/__sim/contacts?${q}`);
  const people = contacts.filter((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'));
  const groups = contacts.filter((c) => c.UserName.startsWith('@@'));
  if (people.length === 0 || groups.length === 0) throw new Error('inject: the account needs people and groups among its contacts');
  const members = await Promise.all(groups.map((g) => getJson<Named[]>(`${origin}/__sim/members?group=${encodeURIComponent(g.UserName)}&${q}`)));
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) {
    const person = people[i % people.length]!.UserName;
    const g = i % groups.length;
    const group = groups[g]!.UserName;
    const member = members[g]![i % Math.max(1, members[g]!.length)]?.UserName ?? person;
    const text = `${SENTENCES[i % SENTENCES.length]!} #${i}`;
    let body: Record<string, unknown>;
    switch (i % 10) {
      case 0:
      case 1:
      case 2:
        body = { uin, from: person, text };
        break;
      case 3:
      case 4:
      case 5:
        body = { uin, group, from: member, text };
        break;
      case 6:
        body = { uin, from: person, text: `${EMOJI[i % EMOJI.length]!} #${i}` };
        break;
      case 7:
        body = { uin, group, from: member, text: `${EMOJI[(i + 1) % EMOJI.length]!} #${i}` };
        break;
      case 8:
        body = { uin, from: person, text: `${TITLES[i % TITLES.length]!} #${i}`, type: 49 };
        break;
      default:
        body = { uin, group, from: member, text: `${TITLES[(i + 1) % TITLES.length]!} #${i}`, type: 49 };
    }
    bodies.push(JSON.stringify(body));
  }
  return bodies;
}

/** Sends every body with at most `concurrency` calls in flight; resolves when all were answered 200. */
export async function injectAll(origin: string, bodies: readonly string[], concurrency: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL('/__sim/message', origin);
  const post = (body: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`inject: HTTP ${res.statusCode} ${Buffer.concat(chunks).toString('utf8')}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < bodies.length) await post(bodies[next++]!);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, lane));
  } finally {
    agent.destroy();
  }
}
