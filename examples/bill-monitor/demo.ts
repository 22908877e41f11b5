/**
 * `--demo`: the simulated world for the bill monitor. Once the client syncs, WeChat Pay and two
 * friends send a mix of payment notices and look-alikes through the simulator's control API
 * (`control.message` with `type` 49 or 10000), then the demo logs out.
 *
 * The simulator writes an app message's title from the text it is given and leaves the
 * description empty, so its notices carry the amount but never the payer; the 10000 note names
 * the payer through the chat it arrives in.
 */
import type { Writable } from 'node:stream';
import type { WebwxClient } from '../../src/client.js';
import type { Simulator } from '../../src/simulator/index.js';
import type { PaymentMonitor } from './monitor.js';

interface Line {
  readonly from: string;
  readonly type: number;
  readonly text: string;
  readonly says: string;
}

/** How many of the script's lines are payments (the rest must be ignored). */
export const DEMO_PAYMENTS = 3;
const STEP_MS = 400;

function script(sim: Simulator): Line[] {
  const contacts = sim.control.contacts();
  const pay = contacts.find((c) => c.NickName === '微信支付');
  const friends = contacts.filter((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@') && (c.VerifyFlag ?? 0) === 0);
  const [a, b] = friends;
  if (!pay || !a || !b) throw new Error('the simulated account lacks 微信支付 or two friends');
  return [
    { from: a.UserName, type: 1, text: '晚上一起吃饭? 我先转你饭钱', says: 'a friend writes a text' },
    { from: pay.UserName, type: 49, text: '微信支付收款12.50元', says: '微信支付 sends a receipt notice' },
    { from: a.UserName, type: 49, text: '微信支付收款999.00元', says: 'a friend shares a link titled like a notice (must be ignored)' },
    { from: b.UserName, type: 10000, text: '收到转账88.00元。如需收钱，请点此升级至最新版本', says: 'a transfer note arrives in a chat' },
    { from: a.UserName, type: 1, text: '微信支付收款500.00元 (just kidding)', says: 'a friend types notice-like text (must be ignored)' },
    { from: pay.UserName, type: 49, text: '微信支付收款1,288.00元', says: '微信支付 sends another receipt' },
  ];
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Plays the script once the client is syncing, waits for the payments, then logs out. */
export async function playDemo(sim: Simulator, client: WebwxClient, monitor: PaymentMonitor, narrate: Writable): Promise<void> {
  for (const line of script(sim)) {
    narrate.write(`  (world: ${line.says})\n`);
    sim.control.message({ from: line.from, text: line.text, type: line.type });
    await pause(STEP_MS);
  }
  const deadline = Date.now() + 10_000;
  while (monitor.payments.length < DEMO_PAYMENTS && Date.now() < deadline) await pause(100);
  await monitor.settled();
  await client.logout();
}
