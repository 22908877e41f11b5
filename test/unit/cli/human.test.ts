import { Writable } from 'node:stream';
import fc from 'fast-check';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { createHumanWriter, formatHuman, terminalSafe, type NameBook } from '../../../src/cli/human.js';
import { renderQrForTerminal } from '../../../src/cli/qr.js';

const SELF = '@self000000000000000000000000000';
const FRIEND = '@friend0000000000000000000000000000000000000000000000000000000000';
const GROUP = '@@group000000000000000000000000000000000000000000000000000000000';
const MEMBER = '@member0000000000000000000000000000000000000000000000000000000000';

const names: NameBook = {
  nameOf: (userName, group) => {
    if (group === GROUP && userName === MEMBER) return 'Bob (in group)';
    return ({ [FRIEND]: 'Alice', [GROUP]: 'Family' } as Record<string, string>)[userName] ?? null;
  },
  selfUserName: () => SELF,
};

function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return { stream, text: () => text };
}

const message = (m: Record<string, unknown>) => ({
  event: 'message',
  message: { MsgId: '1', MsgType: 1, FromUserName: FRIEND, ToUserName: SELF, Content: 'hi', CreateTime: 1_700_000_000, IsGroup: false, ...m },
});

describe('formatHuman', () => {
  it('names people and groups from the contact book, marks own messages, indents multi-line text', () => {
    expect(formatHuman(message({ Content: 'hello\nthere' }), { names })).toMatch(/^\d\d:\d\d:\d\d Alice: hello\n {4}there$/);
    expect(formatHuman(message({ FromUserName: GROUP, IsGroup: true, SenderUserName: MEMBER, Content: 'lunch?' }), { names })).toMatch(
      /\[Family\] Bob \(in group\): lunch\?$/,
    );
    expect(formatHuman(message({ FromUserName: SELF, ToUserName: FRIEND, Content: 'from my phone' }), { names })).toMatch(/ me → Alice: from my phone$/);
    // Unknown ids are shortened rather than printed whole.
    expect(formatHuman(message({ FromUserName: '@' + 'f'.repeat(64) }), { names })).toContain('@fffffffffff…');
  });

  it('describes non-text messages and hides status notices', () => {
    expect(formatHuman(message({ MsgType: 3, Content: '<msg>…</msg>' }), { names })).toMatch(/Alice: \(.+ message, type 3\)$/);
    expect(formatHuman(message({ MsgType: 51, FromUserName: SELF, ToUserName: SELF }), { names })).toBeNull();
  });

  it('says what to do next at each step of the login', () => {
    const qr = formatHuman({ event: 'qr', uuid: 'u1', qrUrl: 'https://login.weixin.qq.com/l/u1', imageUrl: 'http://127.0.0.1:1/qrcode/u1' });
    expect(qr).toContain('Scan this QR code');
    expect(qr).toContain('http://127.0.0.1:1/qrcode/u1');
    expect(qr).toMatch(/[█▀▄]/);
    expect(formatHuman({ event: 'qr', uuid: 'u2', qrUrl: 'https://login.weixin.qq.com/l/u2', imageUrl: 'x' }, {}, 2)).toContain('expired');
    expect(formatHuman({ event: 'scanned', avatar: null })).toContain('confirm');
    expect(formatHuman({ event: 'login', user: { UserName: SELF, NickName: 'Me &amp; You', Uin: 1 } })).toBe('✓ Logged in as Me & You.');
    expect(formatHuman({ event: 'state', state: 'syncing' })).toContain('Ctrl-C to log out');
    expect(formatHuman({ event: 'state', state: 'syncing' }, { keepSession: true })).toContain('session is kept');
    expect(formatHuman({ event: 'state', state: 'loggedOut' })).toBeNull();
  });

  it('explains every logout reason differently', () => {
    const reasons = ['user', 'remote', 'qrExpired', 'webLoginForbidden', 'untrustedRedirect', 'tooManyFailures'];
    const lines = reasons.map((reason) => formatHuman({ event: 'logout', reason, retcode: reason === 'remote' ? 1101 : undefined }));
    expect(new Set(lines).size).toBe(reasons.length);
    expect(lines[1]).toContain('1101');
    expect(formatHuman({ event: 'logout', reason: 'webLoginForbidden', message: 'no web for you' })).toContain('no web for you');
  });

  it('never prints a secret that slipped into an error message', () => {
    const line = formatHuman({ event: 'error', code: 'httpStatus', message: 'GET https://x/cgi-bin/mmwebwx-bin/synccheck?skey=@crypt_1a2b&sid=QWERTY' });
    expect(line).not.toContain('@crypt_1a2b');
    expect(line).not.toContain('QWERTY');
  });
});

describe('createHumanWriter', () => {
  it('puts faults on the error stream and the rest on the output stream', () => {
    const out = collector();
    const err = collector();
    const write = createHumanWriter(out.stream, err.stream, { names });
    write({ event: 'error', code: 'network', message: 'socket hang up' });
    write({ event: 'contacts', count: 3 });
    expect(err.text()).toBe('! network: socket hang up\n');
    expect(out.text()).toBe('✓ 3 contacts loaded.\n');
  });

  it('announces a replacement QR after the first', () => {
    const out = collector();
    const write = createHumanWriter(out.stream, collector().stream);
    write({ event: 'qr', uuid: 'a', qrUrl: 'https://login.weixin.qq.com/l/a', imageUrl: 'i' });
    write({ event: 'qr', uuid: 'b', qrUrl: 'https://login.weixin.qq.com/l/b', imageUrl: 'i' });
    expect(out.text().match(/Scan this QR code/g)).toHaveLength(1);
    expect(out.text().match(/expired; here is a new one/g)).toHaveLength(1);
  });
});

describe('terminalSafe', () => {
  // Invariant: text from the network cannot carry a control character (escape sequences) to the terminal.
  it('leaves no control character (newlines only where allowed)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(terminalSafe(text)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
        expect(terminalSafe(text, true)).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
        expect(terminalSafe(text, true).split('\n').length).toBe(text.split('\n').length);
      }),
    );
  });

  it('keeps ordinary text as it is', () => {
    expect(terminalSafe('你好 😄 <3 & "x"')).toBe('你好 😄 <3 & "x"');
    expect(terminalSafe('\x1b[31mred')).toBe('�[31mred');
  });
});

describe('renderQrForTerminal', () => {
  it('draws every module of the code: two rows per line inside a quiet zone', () => {
    const text = 'https://login.weixin.qq.com/l/gYmByqjV8Q==';
    const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
    const drawing = renderQrForTerminal(text);
    const rows = drawing.split('\n').map((line) => line.replace(/\x1b\[\d+m/g, ''));
    const side = modules.size + 4;
    expect(rows).toHaveLength(Math.ceil(side / 2));
    for (const row of rows) expect([...row]).toHaveLength(side);
    // Decode the half blocks back into modules and compare with the code.
    for (let y = 0; y < modules.size; y++) {
      for (let x = 0; x < modules.size; x++) {
        const char = [...rows[Math.floor((y + 2) / 2)]!][x + 2]!;
        const top = (y + 2) % 2 === 0;
        const dark = char === '█' || (top ? char === '▀' : char === '▄');
        expect(dark, `module ${x},${y}`).toBe(Boolean(modules.get(y, x)));
      }
    }
  });
});
