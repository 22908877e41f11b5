/**
 * `webwx login --json` against the in-process simulator, black-box: only what CONTRACT.md fixes
 * (stdout lines, event shapes and order, stdin commands, exit codes) and what the simulator saw.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/simulator/index.js';
import { CONTRACT_STATES, ensureBuilt, isEvent, killLeftovers, logInByPhone, startCli, type CliEvent, type CliProcess } from './harness.js';

ensureBuilt();

const STATE_ORDER = ['uuid', 'awaitingScan', 'scanned', 'confirmed', 'initialized', 'syncing'];

describe('webwx login --json: a whole session', () => {
  let sim: Simulator;
  let cli: CliProcess;

  beforeAll(async () => {
    sim = await startSimulator({ hold: 400, contacts: 30 });
    cli = startCli(['login', '--json', '--login-origin', sim.origin]);
    await logInByPhone(sim, cli);
  });
  afterAll(async () => {
    killLeftovers();
    await sim.close();
  });

  it('logs in: the states in order, then qr, scanned, login and contacts with the contract fields', async () => {
    const states = cli.events.filter((e) => e.event === 'state').map((e) => e['state']);
    expect(states).toEqual(STATE_ORDER);

    const names = cli.events.map((e) => e.event);
    const at = (name: string): number => names.indexOf(name);
    expect(at('qr')).toBeGreaterThan(-1);
    expect(at('qr')).toBeLessThan(at('scanned'));
    expect(at('scanned')).toBeLessThan(at('login'));
    expect(at('login')).toBeLessThan(at('contacts'));
    // Contacts finish loading before the machine says it is syncing.
    expect(at('contacts')).toBeLessThan(cli.events.findIndex(isEvent('state', { state: 'syncing' })));

    const qr = cli.events.find(isEvent('qr'))!;
    const uuid = String(qr['uuid']);
    expect(uuid.length).toBeGreaterThan(0);
    expect(qr).toEqual({ event: 'qr', uuid, qrUrl: `https://login.weixin.qq.com/l/${uuid}`, imageUrl: `${sim.origin}/qrcode/${uuid}` });

    const scanned = cli.events.find(isEvent('scanned'))!;
    expect(Object.keys(scanned).sort()).toEqual(['avatar', 'event']);
    expect(String(scanned['avatar'])).toMatch(/^data:img\/jpg;base64,/);

    const session = sim.control.sessions()[0]!;
    const login = cli.events.find(isEvent('login'))!;
    expect(login).toEqual({ event: 'login', user: { UserName: session.userName, NickName: session.nickName, Uin: Number(session.uin) } });

    const contacts = cli.events.find(isEvent('contacts'))!;
    const distinct = new Set(sim.control.contacts().map((c) => c.UserName));
    expect(contacts).toEqual({ event: 'contacts', count: distinct.size });
  });

  it('prints each message with exactly the contract fields, Content decoded, group sender split out', async () => {
    const book = sim.control.contacts();
    const friend = book.find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@') && (c.VerifyFlag ?? 0) === 0)!;
    const group = book.find((c) => c.UserName.startsWith('@@'))!;
    const member = sim.control.members(group.UserName)[0]!;
    const self = sim.control.sessions()[0]!.userName;

    const direct = sim.control.message({ from: friend.UserName, text: 'a < b & "c" 😄\nsecond line' });
    const inGroup = sim.control.message({ from: member.UserName, group: group.UserName, text: 'lunch at 12:30 <3' });

    const first = await cli.waitFor((e) => e.event === 'message' && (e['message'] as { MsgId: string }).MsgId === direct.msgId, 'the direct message');
    const message = first['message'] as Record<string, unknown>;
    expect(Object.keys(first).sort()).toEqual(['event', 'message']);
    expect(Object.keys(message).sort()).toEqual(['Content', 'CreateTime', 'FromUserName', 'IsGroup', 'MsgId', 'MsgType', 'ToUserName']);
    expect(message).toMatchObject({ MsgId: direct.msgId, MsgType: 1, FromUserName: friend.UserName, ToUserName: self, IsGroup: false });
    expect(message['Content']).toBe('a < b & "c" 😄\nsecond line');
    expect(Number.isInteger(message['CreateTime'])).toBe(true);

    const second = await cli.waitFor((e) => e.event === 'message' && (e['message'] as { MsgId: string }).MsgId === inGroup.msgId, 'the group message');
    const groupMessage = second['message'] as Record<string, unknown>;
    expect(Object.keys(groupMessage).sort()).toEqual(['Content', 'CreateTime', 'FromUserName', 'IsGroup', 'MsgId', 'MsgType', 'SenderUserName', 'ToUserName']);
    expect(groupMessage).toMatchObject({
      MsgId: inGroup.msgId,
      MsgType: 1,
      FromUserName: group.UserName,
      IsGroup: true,
      SenderUserName: member.UserName,
      Content: 'lunch at 12:30 <3',
    });

    // Once per MsgId, in the order the server sent them.
    const ids = cli.events.filter((e) => e.event === 'message').map((e) => (e['message'] as { MsgId: string }).MsgId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.indexOf(direct.msgId)).toBeLessThan(ids.indexOf(inGroup.msgId));
  });

  it('sends on a stdin command: a sent event, and the simulator received the text', async () => {
    const to = sim.control.contacts().find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'))!.UserName;
    cli.send(JSON.stringify({ cmd: 'send', to, text: 'hello from the CLI ✓' }));
    const sent = await cli.waitFor(isEvent('sent', { to }), 'the sent event');
    expect(Object.keys(sent).sort()).toEqual(['clientMsgId', 'event', 'msgId', 'to']);
    expect(String(sent['clientMsgId'])).toMatch(/^\d{17}$/);

    const onServer = (await (await fetch(`${sim.origin}/__sim/sent`)).json()) as { to: string; content: string; msgId: string; clientMsgId: string }[];
    expect(onServer).toContainEqual(
      expect.objectContaining({ to, content: 'hello from the CLI ✓', msgId: sent['msgId'], clientMsgId: sent['clientMsgId'] }),
    );
  });

  it('answers a send the server refuses with an error event carrying its Ret, and no sent event', async () => {
    const before = cli.events.length;
    cli.send(JSON.stringify({ cmd: 'send', to: '@nobody-knows-me', text: 'hello?' }));
    const error = await cli.waitFor((e) => cli.events.indexOf(e) >= before && e.event === 'error', 'the send error');
    expect(error).toMatchObject({ event: 'error', code: 'sendFailed', ret: 1204 });
    expect(String(error['message'])).toContain('1204');
    expect(cli.events.slice(before).some((e) => e.event === 'sent')).toBe(false);
  });

  it('answers a bad stdin line with one badCommand error and changes nothing else', async () => {
    const before = cli.events.length;
    const sendsBefore = sim.control.sent().length;
    const bad = ['not json', '{"cmd":"dance"}', '[1,2]', '{"cmd":"send","to":"@x"}', '{"cmd":"send","to":5,"text":"t"}', '"logout"', '{}', '', '   '];
    for (const line of bad) cli.send(line);
    // A good command after them still works: the session was not disturbed.
    const to = sim.control.contacts().find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'))!.UserName;
    cli.send(JSON.stringify({ cmd: 'send', to, text: 'still here' }));
    await cli.waitFor((e) => cli.events.indexOf(e) >= before && e.event === 'sent', 'the sent after the bad lines');

    const after = cli.events.slice(before);
    const errors = after.filter((e) => e.event === 'error');
    expect(errors).toHaveLength(bad.length);
    for (const error of errors) {
      expect(error['code']).toBe('badCommand');
      expect(typeof error['message']).toBe('string');
    }
    expect(after.filter((e) => e.event !== 'error').map((e) => e.event)).toEqual(['sent']);
    expect(sim.control.sent().length).toBe(sendsBefore + 1);
    expect(sim.control.sessions()[0]!.alive).toBe(true);
  });

  it('logs out on {"cmd":"logout"}: webwxlogout, state loggedOut, logout reason user, exit 0', async () => {
    cli.send('{"cmd":"logout"}');
    const exit = await cli.exit;
    expect(exit.code).toBe(0);
    const tail = cli.events.slice(-2);
    expect(tail).toEqual([
      { event: 'state', state: 'loggedOut' },
      { event: 'logout', reason: 'user' },
    ]);
    expect(sim.control.requests({ endpoint: 'webwxlogout' })).toHaveLength(1);
  });

  it('kept stdout pure NDJSON the whole time: one object per line, each with an event, states from the contract', () => {
    expect(cli.foreign).toEqual([]);
    expect(cli.stdout().endsWith('\n')).toBe(true);
    expect(cli.lines.length).toBe(cli.events.length);
    for (const event of cli.events) expect(typeof event.event).toBe('string');
    const states = cli.events.filter((e: CliEvent) => e.event === 'state').map((e) => String(e['state']));
    for (const state of states) expect(CONTRACT_STATES.has(state)).toBe(true);
    // Human text (the QR drawing) went to stderr instead.
    expect(cli.stderr()).toContain('█');
  });
});
