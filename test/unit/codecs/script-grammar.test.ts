import { describe, expect, it } from 'vitest';
import { parseWindowAssignments, ScriptSyntaxError } from '../../../src/codecs/index.js';

const parse = (src: string): Record<string, unknown> => Object.fromEntries(parseWindowAssignments(src));

describe('the window-assignment grammar', () => {
  it('reads numbers, both quote styles and typographic quotes', () => {
    expect(parse(`window.a = -12; window.b = 'x'; window.c = "y"; window.d = “z”;`)).toEqual({ a: -12, b: 'x', c: 'y', d: 'z' });
  });

  it('reads nested paths and objects with bare, quoted and typographically quoted keys and a trailing comma', () => {
    expect(parse('window.x.y = {a:"1", "b":2, ”c”:{d:"e"},}')).toEqual({ 'x.y': { a: '1', b: 2, c: { d: 'e' } } });
  });

  it('reads escapes: \\n \\t \\x41 \\u4f60, escaped quotes and line continuations (LF and CRLF)', () => {
    expect(parse('window.s = "a\\nb\\tc\\x41\\u4f60\\"\\\\";')).toEqual({ s: 'a\nb\tcA你"\\' });
    expect(parse('window.s = "ab\\\ncd\\\r\nef";')).toEqual({ s: 'abcdef' });
  });

  it('takes the later of two assignments to one path', () => {
    expect(parse('window.a = 1; window.a = 2;')).toEqual({ a: 2 });
  });

  it('accepts assignments without semicolons and with a BOM and no-break spaces around', () => {
    expect(parse('\uFEFFwindow.a=1\nwindow.b=2\u00a0')).toEqual({ a: 1, b: 2 });
  });

  it.each([
    ['something other than window', 'document.a = 1;', "expected 'window'"],
    ['a missing value', 'window.a = ', 'expected a value'],
    ['an identifier as a value', 'window.a = xxx;', 'expected a string'],
    ['an unterminated string', 'window.a = "abc', 'unterminated string'],
    ['a bad hex escape', 'window.a = "\\x4";', 'bad hex escape'],
    ['a number of 21 digits', `window.a = ${'1'.repeat(21)};`, 'number too long'],
    ['a missing comma', 'window.a = {b:1 c:2}', "expected ',' or '}'"],
    ['nesting beyond 8', `window.a = ${'{b:'.repeat(9)}1${'}'.repeat(9)}`, 'nested too deeply'],
  ])('refuses %s', (_what, src, reason) => {
    expect(() => parseWindowAssignments(src)).toThrow(ScriptSyntaxError);
    expect(() => parseWindowAssignments(src)).toThrow(reason);
  });
});
