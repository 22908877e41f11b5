import type { Writable } from 'node:stream';
import { createWebwxClient, type WebwxClient } from '../../client.js';
import type { Message } from '../../codecs/content.js';
import { startSimulator, type Simulator } from '../../simulator/index.js';
import { parseCommandArgs } from '../args.js';
import { setupInspection } from '../inspection.js';
import { runClient, type CliStreams } from '../run-client.js';

const OPTIONS = {
  json: { type: 'boolean' },
  inspect: { type: 'string' },
  record: { type: 'string' },
} as const;

/** Long enough to see each step of the login, short enough for a demo. */
const PHONE_DELAY_MS = 700;
/** A demo that has not finished by then is stuck: it logs out and says so. */
const DEMO_DEADLINE_MS = 50_000;

interface DemoScript {
  readonly from: string;
  readonly text: string;
  readonly group?: string;
}

/** Picks the cast from the simulated account: a friend, and a group with one of its members. */
function castFor(sim: Simulator): DemoScript[] {
  const contacts = sim.control.contacts();
  const isPerson = (name: string): boolean => name.startsWith('@') && !name.startsWith('@@');
  const friend = contacts.find((c) => isPerson(c.UserName) && (c.VerifyFlag ?? 0) === 0) ?? contacts.find((c) => !c.UserName.startsWith('@@'));
  const group = contacts.find((c) => c.UserName.startsWith('@@'));
  const member = group ? sim.control.members(group.UserName)[0] : undefined;
  const script: DemoScript[] = [];
  if (friend) script.push({ from: friend.UserName, text: '你好! Are you there? 😄' });
  if (group && member) script.push({ from: member.UserName, group: group.UserName, text: 'Lunch at 12:30 <3 & bring the\nslides' });
  if (friend) script.push({ from: friend.UserName, text: 'Reply to me and I will see it in the simulator.' });
  return script;
}

/** Once syncing: messages arrive from the simulated world, the bot replies to the first, then logs out. */
async function playScript(sim: Simulator, client: WebwxClient, human: Writable): Promise<void> {
  const script = castFor(sim);
  const received: Message[] = [];
  let allArrived: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => {
    allArrived = resolve;
  });
  const unsubscribe = client.on('message', ({ message }) => {
    // Only the scripted texts count (the phone's own status notices arrive too).
    if (message.MsgType !== 1 || message.isSelf) return;
    received.push(message);
    if (received.length >= script.length) allArrived();
  });
  human.write(`The simulated world sends ${script.length} messages…\n`);
  for (const line of script) {
    sim.control.message({ from: line.from, text: line.text, ...(line.group ? { group: line.group } : {}) });
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  await arrived;
  unsubscribe();
  const first = received[0];
  if (first) {
    const name = sim.control.contacts().find((c) => c.UserName === first.FromUserName)?.NickName ?? first.FromUserName.slice(0, 12);
    human.write(`Replying to ${name}…\n`);
    await client.send(first.FromUserName, `echo: ${first.Content}`).catch(() => undefined);
    const seen = sim.control.sent().length;
    human.write(`The simulated phone now shows ${seen} message(s) sent by this client.\n`);
  }
  human.write('Logging out.\n');
  await client.logout();
}

/** `webwx demo`: the whole protocol against the built-in simulator, on loopback only. */
export async function demoCommand(argv: readonly string[], streams: CliStreams): Promise<number> {
  const args = parseCommandArgs(argv, OPTIONS);
  const json = args.json === true;
  const human = json ? streams.stderr : streams.stdout;
  const inspection = await setupInspection(args.inspect, args.record, human);
  const sim = await startSimulator({ auto: true, autoDelay: PHONE_DELAY_MS, contacts: 120 });
  human.write(`Simulator listening at ${sim.origin} (loopback). Its phone scans and confirms by itself.\n`);
  const client = createWebwxClient({ loginOrigin: sim.origin, ...(inspection ? { inspect: inspection.inspect } : {}) });
  let stuck = false;
  const deadline = setTimeout(() => {
    stuck = true;
    human.write('The demo is stuck; logging out.\n');
    void client.logout().catch(() => undefined);
  }, DEMO_DEADLINE_MS);
  let scriptFailed = false;
  try {
    const code = await runClient(client, streams, {
      json,
      readCommands: false,
      onSyncing: () => {
        playScript(sim, client, human).catch((err: unknown) => {
          scriptFailed = true;
          human.write(`The demo script failed: ${err instanceof Error ? err.message : String(err)}\n`);
          void client.logout().catch(() => undefined);
        });
      },
    });
    return scriptFailed ? 1 : stuck ? 3 : code;
  } finally {
    clearTimeout(deadline);
    await sim.close();
    await inspection?.stop();
  }
}
