/**
 * Hostile bodies: each must end in a DecodeError or a decoded value (never another exception,
 * a hang or a changed Object.prototype). Outcomes are asserted, not time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  DecodeError,
  decodeBatchGetContact,
  decodeGetContact,
  decodeInit,
  decodeJsLogin,
  decodeNewLoginPage,
  decodeSync,
  decodeSyncCheck,
  MAX_BODY_BYTES,
  parseWindowAssignments,
  type Answer,
} from '../../../src/codecs/index.js';
import { CODECS } from '../../property/codecs/codec-table.js';
import { refusal, okValue } from '../../support/decode.js';

const MB = 1024 * 1024;



const PROTO_KEYS = ['polluted', 'isAdmin', 'x', 'p'];

afterEach(() => {
  // No test may leave anything on Object.prototype.
  for (const key of PROTO_KEYS) expect(Object.prototype).not.toHaveProperty(key);
});

describe.each(CODECS.map((row) => [row.endpoint, row] as const))('%s with hostile bodies', (_name, row) => {
  it.each([
    ['1 MB of double quotes', '"'.repeat(MB)],
    ['1 MB of typographic quotes', '”'.repeat(MB)],
    ['1 MB of {', '{'.repeat(MB)],
    ['1 MB of [', '['.repeat(MB)],
    ['100k nested arrays', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    ['100k nested objects', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`],
    ['1 MB of <', '<'.repeat(MB)],
    ['an empty body', ''],
    ['only white space', ' \n\t '.repeat(1000)],
  ])('%s is a DecodeError', (_what, body) => {
    expect(refusal(() => row.decode(body)).endpoint).toBe(row.endpoint);
  });

  it('a body over the size limit is refused before parsing', () => {
    expect(refusal(() => row.decode(' '.repeat(MAX_BODY_BYTES + 1))).path).toBe('(body)');
  });
});

describe('deep nesting inside an otherwise valid answer', () => {
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;

  it('where a list of contacts is expected, it is refused at the element', () => {
    expect(refusal(() => decodeGetContact(`{"BaseResponse":{"Ret":0},"MemberList":[${deep}]}`)).path).toBe('MemberList.0');
  });

  it('where the protocol allows unknown data (ModChatRoomMemberList), it is kept as data', () => {
    const sync = okValue(decodeSync(`{"BaseResponse":{"Ret":0},"AddMsgList":[],"SyncKey":{"Count":0,"List":[]},"ModChatRoomMemberList":[${deep}]}`));
    expect(Array.isArray(sync.ModChatRoomMemberList?.[0])).toBe(true);
  });

  it('the script grammar refuses objects nested beyond its depth', () => {
    expect(refusal(() => decodeSyncCheck(`window.synccheck=${'{a:'.repeat(10_000)}1${'}'.repeat(10_000)}`)).path).toBe('(body)');
  });
});

describe('numbers a double cannot hold', () => {
  const init = (uin: string): string =>
    `{"BaseResponse":{"Ret":0},"User":{"Uin":${uin},"UserName":"@a","NickName":"n"},"SyncKey":{"Count":0,"List":[]},"ContactList":[]}`;

  it.each([
    ['2^60 as Uin', '1152921504606846976'],
    ['1e400 as Uin', '1e400'],
    ['-1e400 as Uin', '-1e400'],
    ['2^53 + 1 as Uin', '9007199254740993'],
    ['a fraction as Uin', '1.5'],
  ])('%s is refused at User.Uin', (_what, uin) => {
    expect(refusal(() => decodeInit(init(uin))).path).toBe('User.Uin');
  });

  it('1e400 as BaseResponse.Ret is refused, not read as a refusal', () => {
    expect(refusal(() => decodeSync('{"BaseResponse":{"Ret":1e400}}')).path).toBe('BaseResponse.Ret');
  });

  it('a SyncKey value of 2^60 is refused at its path', () => {
    expect(refusal(() => decodeSync('{"BaseResponse":{"Ret":0},"AddMsgList":[],"SyncKey":{"Count":1,"List":[{"Key":1,"Val":1152921504606846976}]}}')).path).toBe(
      'SyncKey.List.0.Val',
    );
  });

  it.each([
    ['30 digits', 'window.synccheck={retcode:"999999999999999999999999999999",selector:"0"}'],
    ['an exponent', 'window.synccheck={retcode:"1e400",selector:"0"}'],
    ['a bare huge number', 'window.synccheck={retcode:99999999999999999999,selector:0}'],
  ])('synccheck retcode with %s is refused', (_what, body) => {
    expect(refusal(() => decodeSyncCheck(body)).endpoint).toBe('synccheck');
  });

  it('jslogin code with too many digits is refused', () => {
    expect(refusal(() => decodeJsLogin(`window.QRLogin.code = ${'9'.repeat(400)};`)).path).toBe('(body)');
  });
});

describe('__proto__ and constructor keys stay plain data', () => {
  it('in webwxgetcontact JSON: no pollution, own data properties, ordinary prototypes', () => {
    const body =
      '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"isAdmin":true}},"BaseResponse":{"Ret":0},' +
      '"MemberList":[{"UserName":"@a","NickName":"x","__proto__":{"x":1},"constructor":{"prototype":{"p":1}}}]}';
    const page = okValue(decodeGetContact(body));
    expect(Object.getPrototypeOf(page)).toBe(Object.prototype);
    expect(Object.hasOwn(page, '__proto__')).toBe(true);
    const contact = page.MemberList[0]!;
    expect(Object.getPrototypeOf(contact)).toBe(Object.prototype);
    expect(Object.hasOwn(contact, '__proto__')).toBe(true);
    expect((contact as Record<string, unknown>)['x']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('in webwxbatchgetcontact members', () => {
    const body = '{"BaseResponse":{"Ret":0},"ContactList":[{"UserName":"@@g","NickName":"g","MemberList":[{"UserName":"@m","__proto__":{"polluted":1}}]}]}';
    const member = okValue(decodeBatchGetContact(body)).ContactList[0]!.MemberList![0]!;
    expect(Object.hasOwn(member, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(member)).toBe(Object.prototype);
  });

  it('a __proto__ key that would supply a required field through the prototype does not', () => {
    // NickName exists only on the would-be prototype: the contact must be refused.
    expect(refusal(() => decodeGetContact('{"BaseResponse":{"Ret":0},"MemberList":[{"UserName":"@a","__proto__":{"NickName":"x"}}]}')).path).toBe(
      'MemberList.0.NickName',
    );
  });

  it('in script answers: window.__proto__ and object keys are plain data', () => {
    const vars = parseWindowAssignments('window.__proto__.polluted = "yes"; window.synccheck={__proto__:{polluted:"1"},retcode:"0",selector:"2"}');
    expect(vars.get('__proto__.polluted')).toBe('yes');
    expect(decodeSyncCheck('window.synccheck={__proto__:{polluted:"1"},constructor:"x",retcode:"0",selector:"2"}')).toEqual({ retcode: 0, selector: 2 });
    expect(refusal(() => decodeJsLogin('window.__proto__.code = 200; window.QRLogin.__proto__ = "x";')).path).toBe('QRLogin.code');
  });

  it('in XML answers: __proto__ and constructor elements are refused', () => {
    expect(refusal(() => decodeNewLoginPage('<error><__proto__><polluted>1</polluted></__proto__><ret>0</ret></error>')).endpoint).toBe('webwxnewloginpage');
    expect(refusal(() => decodeNewLoginPage('<error><ret>0</ret><constructor>1</constructor></error>')).endpoint).toBe('webwxnewloginpage');
  });
});

describe('invalid UTF-8 turned into a string', () => {
  it('inside a string value decodes with replacement characters', () => {
    const head = Buffer.from('{"BaseResponse":{"Ret":0},"MemberList":[{"UserName":"@a","NickName":"', 'utf8');
    const bad = Buffer.from([0xe4, 0xbd, 0xff, 0xc0, 0x80]);
    const tail = Buffer.from('"}]}', 'utf8');
    const page = okValue(decodeGetContact(Buffer.concat([head, bad, tail]).toString('utf8')));
    expect(page.MemberList[0]!.NickName).toMatch(/^\uFFFD+$/);
  });

  it('outside strings it is a DecodeError', () => {
    const body = Buffer.concat([Buffer.from('{"BaseResponse":{"Ret":0}', 'utf8'), Buffer.from([0xff, 0xfe]), Buffer.from('}', 'utf8')]).toString('utf8');
    expect(refusal(() => decodeGetContact(body)).path).toBe('(body)');
  });

  it('in a script answer it is a DecodeError or a decoded value, nothing else', () => {
    const body = Buffer.concat([Buffer.from('window.QRLogin.code = 200; window.QRLogin.uuid = "', 'utf8'), Buffer.from([0xff, 0xc3]), Buffer.from('";', 'utf8')]).toString('utf8');
    expect(refusal(() => decodeJsLogin(body)).path).toBe('QRLogin.uuid');
  });
});

describe('XML with DOCTYPE or ENTITY is refused', () => {
  it.each([
    [
      'billion laughs',
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><error><ret>&lol2;</ret></error>',
    ],
    ['external entity', '<?xml version="1.0"?><!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><error><ret>0</ret><skey>&xxe;</skey></error>'],
    ['lower-case doctype', '<!doctype error><error><ret>0</ret></error>'],
    ['an ENTITY without DOCTYPE', '<error><!ENTITY a "b"><ret>0</ret></error>'],
  ])('%s', (_what, body) => {
    const err = refusal(() => decodeNewLoginPage(body));
    expect(err.path).toBe('(body)');
    expect(err.message).toContain('DOCTYPE or ENTITY refused');
  });

  it('an undeclared entity reference is left as text, never expanded', () => {
    const answer = decodeNewLoginPage('<error><ret>1</ret><message>&xxe;</message></error>');
    expect(answer).toEqual({ ret: 1, message: '&xxe;' });
  });
});
