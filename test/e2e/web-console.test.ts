/**
 * The web console end to end, in a real headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core): the page follows a whole session against the in-process simulator, whose
 * phone this test plays. Each step leaves a screenshot in docs/img/ (web-1-qr.png …).
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { startWebConsole, type WebConsole } from '../../src/web/index.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
/**
 * The committed screenshots are refreshed only on request (WEBWX_UPDATE_SCREENSHOTS=1), so an
 * ordinary test run leaves the work tree clean; otherwise they go to a temporary folder.
 */
const IMG_DIR = process.env['WEBWX_UPDATE_SCREENSHOTS'] === '1'
  ? fileURLToPath(new URL('../../docs/img/', import.meta.url))
  : `${mkdtempSync(join(tmpdir(), 'webwx-shots-'))}/`;
// Browser downloads are blocked and the network is closed: Chromium must not try to phone home.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const STEP_TIMEOUT = 10_000;

const title = HAVE_CHROMIUM
  ? 'web console in headless Chromium'
  : `web console in headless Chromium — SKIPPED: ${CHROMIUM} is absent (apt-get install -y chromium)`;

describe.skipIf(!HAVE_CHROMIUM)(title, () => {
  let sim: Simulator;
  let web: WebConsole;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(IMG_DIR, { recursive: true });
    sim = await startSimulator({ hold: 3_000, contacts: 40 });
    web = await startWebConsole({ client: { loginOrigin: sim.origin }, title: 'webwx console — e2e' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
    await page.goto(web.url);
  });

  afterAll(async () => {
    await browser?.close();
    await web?.client.stop().catch(() => undefined);
    await web?.close();
    await sim?.close();
  });

  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: `${IMG_DIR}${name}` });

  it('follows a whole session: QR, scan, confirm, messages both ways, logout', async () => {
    // 1. The QR, drawn locally as SVG; the statechart is drawn and highlights the waiting state.
    const qr = page.locator('#qr');
    await qr.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    await page.locator('#chart svg').waitFor({ timeout: STEP_TIMEOUT });
    await page.waitForSelector('#chart g.wx-active[id*="-state-webwx_awaitingScan-"]', { timeout: STEP_TIMEOUT });
    await shot('web-1-qr.png');

    // 2. The phone scans: the avatar replaces the QR.
    sim.control.scan();
    await page.locator('#avatar').waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
    expect(await qr.isHidden()).toBe(true);
    expect(await page.locator('#avatar').getAttribute('src')).toMatch(/^data:image\//);
    await page.waitForSelector('#chart g.wx-active[id*="-state-webwx_scanned-"]', { timeout: STEP_TIMEOUT });
    await shot('web-2-scanned.png');

    // 3. The phone confirms: the user's name appears and the highlight reaches syncing.
    sim.control.confirm();
    await page.waitForSelector('body[data-top="syncing"]', { timeout: STEP_TIMEOUT });
    await page.waitForSelector('#chart g.wx-active.wx-leaf[id*="-state-webwx_syncing_loop_"]', { timeout: STEP_TIMEOUT });
    const name = (await page.locator('#user-name').textContent()) ?? '';
    expect(name.length).toBeGreaterThan(0);
    expect(name).toBe(web.client.session()?.user?.NickName);
    await page.locator('#contacts-count').filter({ hasText: /^\d+$/ }).waitFor({ timeout: STEP_TIMEOUT });
    const count = Number(await page.locator('#contacts-count').textContent());
    expect(count).toBeGreaterThan(0);
    const active = (await page.locator('#chart').getAttribute('data-active')) ?? '';
    expect(active.split(' ')).toEqual(expect.arrayContaining(['webwx_syncing', 'webwx_syncing_loop', 'webwx_syncing_outbox_idle']));
    const transitions = await page.locator('#transitions tr').allTextContents();
    expect(transitions.some((row) => row.includes('xstate.done.actor.') && row.includes('syncing'))).toBe(true);
    await shot('web-3-syncing.png');

    // Nothing the page holds may carry the session's secrets.
    const secrets = sim.control.credentials();
    const html = await page.content();
    const stateText = JSON.stringify(web.hub.state());
    for (const secret of [secrets.skey, secrets.sid, secrets.passTicket, secrets.dataTicket, secrets.authTicket].filter((s): s is string => typeof s === 'string' && s.length > 3)) {
      expect(html).not.toContain(secret);
      expect(stateText).not.toContain(secret);
    }

    // 4. A message arrives from a friend.
    const friend = sim.control.contacts().find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@') && (c.VerifyFlag ?? 0) === 0);
    expect(friend).toBeDefined();
    const injected = sim.control.message({ from: friend!.UserName, text: 'Lunch at 12:30? <3 & 你好' });
    const incoming = page.locator(`#feed li[data-msgid="${injected.msgId}"]`);
    await incoming.waitFor({ timeout: STEP_TIMEOUT });
    expect(await incoming.locator('.body').textContent()).toBe('Lunch at 12:30? <3 & 你好');
    await shot('web-4-message.png');

    // 5. A text sent from the page reaches the simulated phone.
    await page.selectOption('#send-to', friend!.UserName);
    await page.fill('#send-text', 'Sent from the browser console ✓');
    await page.click('#send-button');
    await page.waitForSelector('#send-result[data-ok="true"]', { timeout: STEP_TIMEOUT });
    const sent = sim.control.sent();
    expect(sent.map((s) => ({ to: s.to, content: s.content }))).toContainEqual({ to: friend!.UserName, content: 'Sent from the browser console ✓' });
    await page.waitForSelector('#feed li[data-dir="out"]', { timeout: STEP_TIMEOUT });
    await shot('web-5-sent.png');

    // 6. The logout button ends the session.
    await page.click('#logout');
    await page.waitForSelector('body[data-top="loggedOut"]', { timeout: STEP_TIMEOUT });
    await page.waitForSelector('#chart g.wx-active[id*="-state-webwx_loggedOut-"]', { timeout: STEP_TIMEOUT });
    const info = await web.client.done;
    expect(info.reason).toBe('user');
    expect(await page.locator('#logout-info').textContent()).toContain('user');
    await shot('web-6-logged-out.png');

    expect(pageErrors).toEqual([]);
  });
});
