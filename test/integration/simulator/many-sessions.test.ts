/**
 * Many accounts on one simulator, as the benchmarks use it: a thousand sessions with a synccheck
 * parked each. A message wakes exactly its own session's poll; close() answers all the others.
 */
import { describe, expect, it } from 'vitest';
import { decodeSyncCheck } from '../../../src/codecs/sync.js';
import { startSimulator } from '../../../src/simulator/index.js';

const SESSIONS = 1000;

describe('a thousand parked sessions', () => {
  it('parks one synccheck per session, wakes only the one that got a message, and answers the rest on close', async () => {
    const sim = await startSimulator({ hold: 60_000, contacts: 10 });
    try {
      // Sessions are opened in-process (the login flow has its own tests); the long polls go over HTTP.
      const creds = [];
      for (let i = 0; i < SESSIONS; i++) {
        const { uuid } = sim.world.issueUuid();
        sim.control.confirm({ uuid });
        const opened = sim.world.newLoginPage({ ticket: ticketOf(sim, uuid), uuid, desktopHeaders: false });
        if (!opened.ok) throw new Error('login failed');
        creds.push(sim.control.credentials(opened.session.account.uin));
      }
      expect(new Set(creds.map((c) => c.sid)).size).toBe(SESSIONS);
      const polls = creds.map((c) => {
        const q = new URLSearchParams({ r: '1', skey: c.skey, sid: c.sid, uin: c.uin, deviceid: 'e123456789012345', synckey: '1_0', _: '1' });
        return fetch(`${sim.origin}/cgi-bin/mmwebwx-bin/synccheck?${q}`, { headers: { cookie: `wxuin=${c.uin}; wxsid=${c.sid}` } }).then((r) => r.text());
      });
      while (sim.stats().parked < SESSIONS) await new Promise((r) => setTimeout(r, 10));
      expect(sim.stats().parked).toBe(SESSIONS);

      const chosen = 437;
      sim.control.message({ uin: creds[chosen]!.uin, from: 'filehelper', text: 'wake up' });
      expect(decodeSyncCheck(await polls[chosen]!)).toEqual({ retcode: 0, selector: 2 });
      expect(sim.stats().parked).toBe(SESSIONS - 1);

      await sim.close();
      const rest = await Promise.all(polls.filter((_, i) => i !== chosen));
      expect(rest.every((text) => text === 'window.synccheck={retcode:"0",selector:"0"}')).toBe(true);
      expect(sim.stats().parked).toBe(0);
    } finally {
      await sim.close();
    }
  });
});

/** The redirect's ticket, read back from the login poll's answer the way a client would see it. */
function ticketOf(sim: Awaited<ReturnType<typeof startSimulator>>, uuid: string): string {
  const outcome = sim.world.pollLogin(uuid, '0');
  if (outcome.kind !== 'answer' || outcome.answer.code !== 200) throw new Error('not confirmed');
  return new URL(outcome.answer.redirectUri).searchParams.get('ticket')!;
}
