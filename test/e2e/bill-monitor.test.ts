/**
 * The bill monitor against the simulator: its --demo, the program as a separate process with
 * --login-origin, and every fixture shape pushed through the engine's real sync path.
 *
 * The simulator's `control.message` makes MsgType 49 app messages whose title is the given text
 * and whose description is empty, so it cannot produce the full notice shapes (description lines,
 * `<fromusername>gh_…`, transfers' `<wcpayinfo>`). For those, the last test injects a marker
 * message through the simulator and a small wrapper around the client's `webwxSync` actor swaps
 * the marker's Content for the fixture's wire Content before the machine decodes and delivers it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { fromPromise } from 'xstate';
import { describe, expect, it } from 'vitest';
import { runBillMonitor } from '../../examples/bill-monitor/main.js';
import { monitorPayments } from '../../examples/bill-monitor/monitor.js';
import { createWebwxClient } from '../../src/client.js';
import type { SyncBody } from '../../src/codecs/sync.js';
import { services } from '../../src/services/index.js';
import { startSimulator } from '../../src/simulator/index.js';
import { loadPayNotices, wireContent } from '../fixtures/paynotices/load.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX_CLI = join(ROOT, 'node_modules/tsx/dist/cli.mjs');

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return { stream, text: () => text };
}

async function until(probe: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const csvRows = (file: string): string[] => readFileSync(file, 'utf8').split('\r\n').filter(Boolean);
const tempCsv = (): string => join(mkdtempSync(join(tmpdir(), 'bill-e2e-')), 'payments.csv');
const isFriend = (c: { UserName: string; VerifyFlag?: number }): boolean => c.UserName.startsWith('@') && !c.UserName.startsWith('@@') && (c.VerifyFlag ?? 0) === 0;

describe('bill monitor', () => {
  it('--demo: prints the three payments of the script, ignores the look-alikes, writes the ledger, exits 0', async () => {
    const out = sink();
    const err = sink();
    const csv = tempCsv();
    const code = await runBillMonitor(['--demo', '--csv', csv], { stdout: out.stream, stderr: err.stream });
    expect(code, err.text()).toBe(0);
    const lines = out.text().split('\n').filter((l) => /^\d{4}-\d\d-\d\d .* ¥\d/.test(l));
    expect(lines.map((l) => /¥(\S+)/.exec(l)?.[1])).toEqual(['12.50', '88.00', '1288.00']);
    expect(out.text()).not.toContain('¥999.00');
    expect(out.text()).not.toContain('¥500.00');
    const rows = csvRows(csv);
    expect(rows[0]).toBe('time,amount,currency,payer,kind,remark,source,msgId');
    expect(rows.slice(1).map((r) => r.split(',')[1])).toEqual(['12.50', '88.00', '1288.00']);
  }, 30_000);

  it('runs as its own process with --login-origin, and exits 0 when the server ends the session', async () => {
    const sim = await startSimulator({ auto: true, autoDelay: 100, hold: 3_000, contacts: 60 });
    const csv = tempCsv();
    const child = spawn(process.execPath, [TSX_CLI, 'examples/bill-monitor/main.ts', '--login-origin', sim.origin, '--csv', csv], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await until(() => stdout.includes('Watching for WeChat Pay notices'), 'the login');
      const friend = sim.control.contacts().find(isFriend)!;
      sim.control.message({ from: friend.UserName, text: '微信支付收款77.00元' });
      sim.control.message({ from: '微信支付', type: 49, text: '微信支付收款66.60元' });
      sim.control.message({ from: friend.UserName, type: 10000, text: '收到转账20.00元。如需收钱，请点此升级至最新版本' });
      await until(() => (stdout.match(/UTC  ¥\d/g) ?? []).length >= 2, 'two payments');
      sim.control.logout({ retcode: 1101 });
      expect(await exited, stderr).toBe(0);
    } finally {
      child.kill();
      await sim.close();
    }
    expect(stdout).toContain('¥66.60  from (not named)  receipt via 微信支付');
    expect(stdout).toMatch(/¥20\.00 {2}from \S+ {2}note via/);
    expect(stdout).not.toContain('¥77.00');
    expect(stdout).toContain('Logged out: remote (1101)');
    expect(csvRows(csv).slice(1).map((r) => r.split(',')[1])).toEqual(['66.60', '20.00']);
  }, 30_000);

  it('recognises exactly the fixture notices once they come through the sync path', async () => {
    const fixtures = loadPayNotices();
    const sim = await startSimulator({ auto: true, autoDelay: 50, hold: 2_000, contacts: 60 });
    const byMarker = new Map(fixtures.map((f) => [`FIXTURE:${f.name}`, f]));
    const client = createWebwxClient({
      loginOrigin: sim.origin,
      actors: (deps) => ({
        webwxSync: fromPromise(async ({ input, signal }: { input: Parameters<typeof services.webwxSync>[1]; signal: AbortSignal }) => {
          const answer = await services.webwxSync(deps, input, signal);
          if (!answer.ok) return answer;
          const AddMsgList = answer.value.AddMsgList.map((m) => {
            const fixture = [...byMarker.entries()].find(([marker]) => m.Content.includes(marker))?.[1];
            if (!fixture) return m;
            const { AppMsgType } = fixture.message;
            return { ...m, MsgType: fixture.message.MsgType, Content: wireContent(fixture.message), ...(AppMsgType !== undefined ? { AppMsgType } : {}) } as typeof m;
          });
          return { ok: true as const, value: { ...answer.value, AddMsgList } as SyncBody };
        }),
      }),
    });
    const out = sink();
    const monitor = monitorPayments(client, { out: out.stream, err: out.stream });
    let syncing = false;
    client.on('state', ({ state }) => {
      if (state === 'syncing') syncing = true;
    });
    try {
      await client.start();
      await until(() => syncing, 'syncing');
      const contacts = sim.control.contacts();
      const pay = contacts.find((c) => c.NickName === '微信支付')!;
      const friend = contacts.find(isFriend)!;
      const group = contacts.find((c) => c.UserName.startsWith('@@'))!;
      const member = sim.control.members(group.UserName)[0]!;
      for (const f of fixtures) {
        const text = `FIXTURE:${f.name}`;
        const fromPay = f.sender.nickName === '微信支付' || f.sender.nickName === '微信收款助手';
        if (f.message.IsGroup) sim.control.message({ group: group.UserName, from: member.UserName, type: f.message.MsgType, text });
        else sim.control.message({ from: fromPay ? pay.UserName : friend.UserName, type: f.message.MsgType, text });
      }
      const wanted = fixtures.filter((f) => f.expect !== null);
      await until(() => monitor.payments.length >= wanted.length, 'the payments');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(monitor.payments.map((p) => [p.kind, p.amount]).sort()).toEqual(wanted.map((f) => [f.expect!.kind, f.expect!.amount]).sort());
      // Payer and source come from the notice, or from the chat's name in the contact list.
      const friendName = friend.RemarkName || friend.NickName;
      for (const p of monitor.payments) {
        if (p.kind === 'receipt') expect(['微信支付', '微信收款助手']).toContain(p.source);
        else expect(p.payer).toBe(friendName);
      }
    } finally {
      await client.logout().catch(() => undefined);
      monitor.stop();
      await sim.close();
    }
  }, 30_000);
});
