/**
 * The whole life of a session over real HTTP: QR, scan, confirm, init, contacts, messages of every
 * shape the contract decodes, a send, and the user's logout — checked through the client's events
 * and against the simulator's own record of what reached it.
 */
import { describe, expect, it } from 'vitest';
import { deviceIdsOf, expectNoSecrets, makeClient, startSim, until } from './harness.js';

describe('the happy path', () => {
  it('logs in, loads contacts, receives decoded messages once each, sends, and logs out', async () => {
    const sim = await startSim({ contacts: 40, pageSize: 15 });
    const { client, rec } = makeClient(sim);
    await client.start();

    // QR: the contract's texts, built from the uuid the simulator issued.
    const qr = await rec.waitFor('qr');
    expect(qr.qrUrl).toBe(`https://login.weixin.qq.com/l/${qr.uuid}`);
    expect(qr.imageUrl).toBe(`${sim.origin}/qrcode/${qr.uuid}`);
    expect(sim.control.uuid(qr.uuid)?.state).toBe('pending');
    const image = await fetch(qr.imageUrl);
    expect(image.headers.get('content-type')).toBe('image/jpeg');

    // Let a few polls come back 408 first, so the tip is checked across unscanned polls too.
    const polls = (): number => sim.control.requests({ endpoint: 'login' }).filter((r) => r.query['uuid'] === qr.uuid).length;
    await until(() => polls() >= 2, 10_000, 'a second login poll after a 408');
    const scan = sim.control.scan({ uuid: qr.uuid });
    const scanned = await rec.waitFor('scanned');
    expect(scanned.avatar).toMatch(/^data:img\/jpg;base64,/);
    expect(client.state()).toBe('scanned');

    sim.control.confirm({ uuid: qr.uuid });
    const login = await rec.waitFor('login');
    const uin = scan.uin!;
    const creds = sim.control.credentials(uin);
    expect(login.user.UserName).toBe(creds.userName);
    expect(String(login.user.Uin)).toBe(uin);

    const contacts = await rec.waitFor('contacts');
    await rec.waitFor('state', (s) => s.state === 'syncing');
    const book = sim.control.contacts(uin);
    expect(contacts.count).toBe(new Set(book.map((c) => c.UserName)).size);
    // 40 contacts in pages of 15: every page was fetched, each with the previous answer's Seq.
    expect(sim.control.requests({ endpoint: 'webwxgetcontact' }).map((r) => r.query['seq'])).toEqual(['0', '15', '30']);

    // The states in the contract's order, contacts told before syncing.
    expect(rec.states()).toEqual(['uuid', 'awaitingScan', 'scanned', 'confirmed', 'initialized', 'syncing']);
    const order = rec.events.map((e) => e.event).filter((e) => e !== 'state' && e !== 'error' && e !== 'message');
    expect(order).toEqual(['qr', 'scanned', 'login', 'contacts']);

    // Messages: a plain text, one with emoji, entities and a line break, and a group message.
    const person = book.find((c) => !c.UserName.startsWith('@@') && c.UserName.startsWith('@'))!;
    const group = book.find((c) => c.UserName.startsWith('@@'))!;
    const member = sim.control.members(group.UserName, uin)[0]!;
    const injected = [
      sim.control.message({ uin, from: person.UserName, text: 'hello' }),
      sim.control.message({ uin, from: person.UserName, text: 'a < b & "c" 😄\nnext 🇨🇳 line' }),
      sim.control.message({ uin, from: member.UserName, group: group.UserName, text: 'hi all <3' }),
    ];
    const ids = new Set(injected.map((m) => m.msgId));
    const got = await rec.messages(3, (m) => ids.has(m.MsgId));
    expect(got.map((m) => m.MsgId)).toEqual(injected.map((m) => m.msgId));
    expect(got[0]).toMatchObject({ MsgType: 1, FromUserName: person.UserName, ToUserName: creds.userName, Content: 'hello', IsGroup: false });
    expect(got[0]!.SenderUserName).toBeUndefined();
    expect(got[1]!.Content).toBe('a < b & "c" 😄\nnext 🇨🇳 line');
    expect(got[2]).toMatchObject({ FromUserName: group.UserName, IsGroup: true, SenderUserName: member.UserName, Content: 'hi all <3' });

    // A send reaches the server once, with the text as given.
    const sent = await client.send(person.UserName, 'reply ✓ <b>');
    const onServer = sim.control.sent(uin);
    expect(onServer).toHaveLength(1);
    expect(onServer[0]).toMatchObject({ to: person.UserName, from: creds.userName, content: 'reply ✓ <b>', msgId: sent.msgId, clientMsgId: sent.clientMsgId });
    expect(rec.of('sent')).toEqual([{ to: person.UserName, clientMsgId: sent.clientMsgId, msgId: sent.msgId }]);

    // More messages after the send: still once each, in order.
    const later = [sim.control.message({ uin, from: person.UserName, text: 'one' }), sim.control.message({ uin, from: person.UserName, text: 'two' })];
    const laterIds = new Set(later.map((m) => m.msgId));
    expect((await rec.messages(2, (m) => laterIds.has(m.MsgId))).map((m) => m.Content)).toEqual(['one', 'two']);

    const info = await client.logout();
    expect(info.reason).toBe('user');
    expect(rec.of('logout')).toEqual([{ reason: 'user' }]);
    expect(rec.states().at(-1)).toBe('loggedOut');
    const logouts = sim.control.requests({ endpoint: 'webwxlogout' });
    expect(logouts).toHaveLength(1);
    expect(logouts[0]!.method).toBe('POST');
    expect(sim.control.sessions().find((s) => s.uin === uin)?.alive).toBe(false);

    // Every injected (and the status-notify) message once, nothing delivered twice.
    const delivered = rec.of('message').map((m) => m.message.MsgId);
    expect(new Set(delivered).size).toBe(delivered.length);

    // The request log: tip=1 until the 201 reached us, then tip=0; the simulator judged every tip.
    const tips = sim.control.uuid(qr.uuid)!.tips;
    expect(tips.length).toBeGreaterThanOrEqual(3);
    expect(tips.every((t) => t.ok)).toBe(true);
    const sentTips = tips.map((t) => t.tip);
    const firstZero = sentTips.indexOf('0');
    expect(firstZero).toBeGreaterThan(1);
    expect(sentTips.slice(0, firstZero).every((t) => t === '1')).toBe(true);
    expect(sentTips.slice(firstZero).every((t) => t === '0')).toBe(true);

    const log = sim.control.requests();
    // One DeviceID for every request that carries one.
    const deviceIds = new Set(log.flatMap(deviceIdsOf));
    expect(deviceIds.size).toBe(1);
    expect([...deviceIds][0]).toMatch(/^e\d{15}$/);
    expect(log.filter((r) => r.endpoint === 'synccheck' || r.endpoint === 'webwxsync').every((r) => deviceIdsOf(r).length === 1)).toBe(true);

    // pass_ticket: the XML's text (percent-encoded) arrives as that text after the server's one decode.
    expect(creds.passTicket).toMatch(/%2[BF]/);
    const withTicket = log.filter((r) => r.query['pass_ticket'] !== undefined);
    expect(withTicket.map((r) => r.endpoint)).toEqual(expect.arrayContaining(['webwxinit', 'webwxstatusnotify', 'webwxgetcontact', 'webwxsync', 'webwxsendmsg']));
    expect(withTicket.every((r) => r.query['pass_ticket'] === creds.passTicket)).toBe(true);

    // What the servers check: the main host's Referer, a desktop browser, JSON as UTF-8.
    for (const r of log.filter((x) => x.endpoint !== 'qrcode')) {
      expect(r.headers['referer'], `${r.endpoint} Referer`).toBe(`${sim.origin}/`);
      expect(r.headers['user-agent']).toMatch(/^Mozilla\/5\.0 \(Windows NT/);
    }
    const jsonPosts = log.filter((r) => r.method === 'POST' && r.endpoint !== 'webwxlogout');
    expect(jsonPosts.length).toBeGreaterThan(4);
    expect(jsonPosts.every((r) => r.headers['content-type'] === 'application/json; charset=UTF-8')).toBe(true);
    expectNoSecrets(rec, creds);

    // Only WeChat endpoints were asked (the logout's 301 to the home page was not followed).
    expect(log.filter((r) => r.endpoint === null)).toEqual([]);
    expect(log.filter((r) => r.endpoint === 'qrcode')).toHaveLength(1);
  });
});
