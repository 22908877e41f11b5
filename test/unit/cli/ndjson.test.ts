import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createNdjsonWriter, displaySafe, parseStdinCommand, type CliEvent } from '../../../src/cli/ndjson.js';

function sink(): { stream: Writable; writes: string[] } {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, writes };
}

describe('parseStdinCommand', () => {
  it('accepts the two commands of the contract', () => {
    expect(parseStdinCommand('{"cmd":"send","to":"@abc","text":"hi"}')).toEqual({ ok: true, command: { cmd: 'send', to: '@abc', text: 'hi' } });
    expect(parseStdinCommand('{"cmd":"logout"}')).toEqual({ ok: true, command: { cmd: 'logout' } });
    // Extra fields are ignored, not echoed into the command.
    expect(parseStdinCommand('{"cmd":"send","to":"filehelper","text":"x","extra":1}')).toEqual({
      ok: true,
      command: { cmd: 'send', to: 'filehelper', text: 'x' },
    });
  });

  it.each([
    ['not json', 'not valid JSON'],
    ['', 'not valid JSON'],
    ['[1]', 'expected a JSON object'],
    ['null', 'expected a JSON object'],
    ['"logout"', 'expected a JSON object'],
    ['{}', 'missing "cmd"'],
    ['{"cmd":"dance"}', 'unknown command "dance"'],
    ['{"cmd":"send","text":"x"}', 'send needs "to"'],
    ['{"cmd":"send","to":"","text":"x"}', 'send needs "to"'],
    ['{"cmd":"send","to":"@a"}', 'send needs "text"'],
    ['{"cmd":"send","to":"@a","text":""}', 'send needs "text"'],
    ['{"cmd":"send","to":"@a","text":7}', 'send needs "text"'],
  ])('refuses %j with a reason', (line, reason) => {
    const parsed = parseStdinCommand(line);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(reason);
  });

  it('refuses an over-long line without parsing it', () => {
    const parsed = parseStdinCommand(`{"cmd":"send","to":"@a","text":"${'x'.repeat(1024 * 1024)}"}`);
    expect(parsed).toEqual({ ok: false, message: 'command line too long' });
  });

  // Invariant: any line is answered (never a throw), and only a well-formed send/logout is accepted.
  it('never throws, and accepts exactly the well-formed commands', () => {
    const value = fc.oneof(
      fc.json(),
      fc.string(),
      fc.record({ cmd: fc.constantFrom('send', 'logout', 'other'), to: fc.oneof(fc.string(), fc.integer()), text: fc.oneof(fc.string(), fc.constant(null)) }).map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(value, (line) => {
        const parsed = parseStdinCommand(line);
        let expected = false;
        try {
          const v = JSON.parse(line) as Record<string, unknown>;
          const isObject = v !== null && typeof v === 'object' && !Array.isArray(v);
          expected =
            isObject &&
            (v['cmd'] === 'logout' || (v['cmd'] === 'send' && typeof v['to'] === 'string' && v['to'] !== '' && typeof v['text'] === 'string' && v['text'] !== ''));
        } catch {
          expected = false;
        }
        expect(parsed.ok).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('displaySafe', () => {
  it('masks secrets in every field but leaves a message Content exactly as written', () => {
    const error: CliEvent = { event: 'error', code: 'httpStatus', message: 'GET /synccheck?skey=@crypt_ab12&sid=XyZ&pass_ticket=p%2Bq failed' };
    const shown = JSON.stringify(displaySafe(error));
    expect(shown).not.toContain('@crypt_ab12');
    expect(shown).not.toContain('XyZ');
    expect(shown).not.toContain('p%2Bq');

    const content = 'my skey=abcdef and ticket=123@qrticket_0 and @crypt_zz';
    const message: CliEvent = { event: 'message', message: { MsgId: '1', FromUserName: '@a', Content: content, IsGroup: false } };
    const safe = displaySafe(message);
    expect((safe['message'] as { Content: string }).Content).toBe(content);
    expect(Object.keys(safe['message'] as object)).toEqual(['MsgId', 'FromUserName', 'Content', 'IsGroup']);
  });

  // Invariant: Content survives byte for byte whatever it holds (a person's words are not rewritten).
  it('keeps any Content unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (content) => {
        const safe = displaySafe({ event: 'message', message: { MsgId: '9', Content: content } });
        expect((safe['message'] as { Content: string }).Content).toBe(content);
      }),
    );
  });
});

describe('createNdjsonWriter', () => {
  // Invariant: one event → exactly one write of one line that parses back to the same object.
  it('writes each event as one line, whatever its strings hold', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ unit: 'grapheme' }), (code, text) => {
        const { stream, writes } = sink();
        const write = createNdjsonWriter(stream);
        write({ event: 'error', code, message: text });
        write({ event: 'message', message: { MsgId: '1', Content: `${text}\n${text}` } });
        expect(writes).toHaveLength(2);
        for (const chunk of writes) {
          expect(chunk.endsWith('\n')).toBe(true);
          expect(chunk.slice(0, -1)).not.toContain('\n');
        }
        expect((JSON.parse(writes[1]!) as { message: { Content: string } }).message.Content).toBe(`${text}\n${text}`);
      }),
      { numRuns: 200 },
    );
  });
});
