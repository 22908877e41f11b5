/**
 * The ways a login ends before a session exists, over real HTTP: expired QR codes (refreshed, then
 * given up on), an account that may not use web login (1203), and a redirect to a foreign origin.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WEB_FORBIDDEN_MESSAGE } from '../../../src/simulator/index.js';
import { makeClient, onCleanup, startSim, waitParked } from './harness.js';

describe('QR expiry', () => {
  it('takes a new uuid for each expired QR, then gives up with qrExpired past maxQrRefreshes', async () => {
    const sim = await startSim();
    const { client, rec } = makeClient(sim, { maxQrRefreshes: 2 });
    await client.start();

    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const qr = await rec.waitFor('qr', (q) => !seen.includes(q.uuid));
      seen.push(qr.uuid);
      expect(qr.qrUrl).toBe(`https://login.weixin.qq.com/l/${qr.uuid}`);
      await waitParked(sim, 'login', qr.uuid);
      sim.control.expireUuid(qr.uuid);
    }
    const logout = await rec.waitFor('logout');
    expect(logout).toEqual({ reason: 'qrExpired' });
    await expect(client.done).resolves.toEqual({ reason: 'qrExpired' });

    // Three distinct uuids, each from its own jslogin, each shown once.
    expect(new Set(seen).size).toBe(3);
    expect(rec.of('qr').map((q) => q.uuid)).toEqual(seen);
    expect(sim.control.requests({ endpoint: 'jslogin' })).toHaveLength(3);
    // Each poll asked for the uuid of its time: no poll of an expired uuid after its 400.
    const polled = sim.control.requests({ endpoint: 'login' }).map((r) => r.query['uuid']);
    expect(polled.filter((u, i) => i > 0 && seen.indexOf(u!) < seen.indexOf(polled[i - 1]!))).toEqual([]);
    expect(sim.control.requests({ endpoint: 'webwxnewloginpage' })).toEqual([]);
    expect(rec.states()).toEqual(['uuid', 'awaitingScan', 'uuid', 'awaitingScan', 'uuid', 'awaitingScan', 'loggedOut']);
  });

  it('also refreshes a QR that expires after the scan', async () => {
    const sim = await startSim();
    const { client, rec } = makeClient(sim, { maxQrRefreshes: 1 });
    await client.start();
    const first = await rec.waitFor('qr');
    await waitParked(sim, 'login', first.uuid);
    sim.control.scan({ uuid: first.uuid });
    await rec.waitFor('scanned');
    sim.control.expireUuid(first.uuid);
    const second = await rec.waitFor('qr', (q) => q.uuid !== first.uuid);
    // The new QR is scanned from scratch: tip=1 again for it.
    await waitParked(sim, 'login', second.uuid);
    sim.control.scan({ uuid: second.uuid });
    await rec.waitFor('scanned', () => rec.of('scanned').length === 2);
    sim.control.confirm({ uuid: second.uuid });
    await rec.waitFor('state', (s) => s.state === 'syncing');
    expect(sim.control.uuid(second.uuid)!.tips.every((t) => t.ok)).toBe(true);
    expect(sim.control.uuid(second.uuid)!.tips[0]!.tip).toBe('1');
  });
});

describe('web login forbidden (1203)', () => {
  it('ends with webLoginForbidden and the server message; webwxinit is never called', async () => {
    const sim = await startSim();
    const account = sim.control.createAccount({ webForbidden: true });
    const { client, rec } = makeClient(sim);
    await client.start();
    const qr = await rec.waitFor('qr');
    await waitParked(sim, 'login', qr.uuid);
    sim.control.scan({ uuid: qr.uuid, uin: account.uin });
    await rec.waitFor('scanned');
    sim.control.confirm({ uuid: qr.uuid });

    const logout = await rec.waitFor('logout');
    expect(logout.reason).toBe('webLoginForbidden');
    expect(logout.retcode).toBe(1203);
    expect(logout.message).toBe(WEB_FORBIDDEN_MESSAGE);
    expect(sim.control.requests({ endpoint: 'webwxnewloginpage' })).toHaveLength(1);
    for (const endpoint of ['webwxinit', 'webwxstatusnotify', 'webwxgetcontact', 'synccheck', 'webwxsync', 'webwxlogout'] as const) {
      expect(sim.control.requests({ endpoint })).toEqual([]);
    }
    expect(rec.of('login')).toEqual([]);
    expect(client.session()).toBeNull();
    expect(rec.states().at(-1)).toBe('loggedOut');
  });
});

/** A server that only counts what reaches it: the origin a hostile redirect points at. */
async function recordingServer(host: string): Promise<{ origin: string; hits: string[] }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method ?? ''} ${req.url ?? ''}`);
    res.end('<error><ret>0</ret></error>');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  onCleanup(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://${host}:${port}`, hits };
}

describe('untrusted redirect', () => {
  // Another port on the same host is another origin, as is another loopback address.
  it.each(['127.0.0.1', '127.0.0.2'])('refuses a redirect to %s on another port and never contacts it', async (host) => {
    const sim = await startSim();
    const foreign = await recordingServer(host);
    expect(foreign.origin).not.toBe(sim.origin);
    sim.control.setRedirectOrigin(foreign.origin);
    const { client, rec } = makeClient(sim);
    await client.start();
    const qr = await rec.waitFor('qr');
    await waitParked(sim, 'login', qr.uuid);
    sim.control.scan({ uuid: qr.uuid });
    await rec.waitFor('scanned');
    sim.control.confirm({ uuid: qr.uuid });

    const logout = await rec.waitFor('logout');
    expect(logout.reason).toBe('untrustedRedirect');
    expect(foreign.hits).toEqual([]);
    expect(sim.control.requests({ endpoint: 'webwxnewloginpage' })).toEqual([]);
    expect(client.session()).toBeNull();
    // The ticket of the refused redirect appears in no event.
    const ticketish = /qrticket|ticket=/;
    expect(rec.events.some((e) => ticketish.test(JSON.stringify(e.payload)))).toBe(false);
  });
});

describe('a phone that confirms at once', () => {
  it('goes from awaitingScan straight to confirmed when the first answer is 200', async () => {
    const sim = await startSim();
    const { client, rec } = makeClient(sim);
    await client.start();
    const qr = await rec.waitFor('qr');
    // Scan and confirm in one go, before any poll could see the 201.
    sim.control.confirm({ uuid: qr.uuid });
    await rec.waitFor('state', (s) => s.state === 'syncing');
    expect(rec.of('scanned')).toEqual([]);
    expect(rec.states()).toEqual(['uuid', 'awaitingScan', 'confirmed', 'initialized', 'syncing']);
    expect(sim.control.uuid(qr.uuid)!.tips.map((t) => t.tip)).toEqual(['1']);
  });
});
