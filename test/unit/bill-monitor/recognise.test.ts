import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatYuan, MAX_FEN, parseFen } from '../../../examples/bill-monitor/amount.js';
import { PAY_ACCOUNTS, parseAppMsg, recognisePayment, type PayMessage } from '../../../examples/bill-monitor/recognise.js';
import { normalizeMessage } from '../../../src/codecs/content.js';
import type { RawMessage } from '../../../src/codecs/sync.js';
import { loadPayNotices, wireContent } from '../../fixtures/paynotices/load.js';

const fixtures = loadPayNotices();
const ME = fixtures[0]!.message.ToUserName;
const PAY_NAMES = new Set(PAY_ACCOUNTS.values());

describe('the fixtures', () => {
  it('cover notices and look-alikes', () => {
    expect(fixtures.filter((f) => f.expect !== null).length).toBeGreaterThanOrEqual(5);
    expect(fixtures.filter((f) => f.expect === null).length).toBeGreaterThanOrEqual(5);
  });
});

describe('recognisePayment on the fixtures', () => {
  for (const fixture of fixtures) {
    it(`${fixture.name}: ${fixture.expect ? `${fixture.expect.kind} ${fixture.expect.amount}` : 'not a payment'}`, () => {
      const found = recognisePayment(fixture.message, fixture.sender);
      expect(found).toEqual(fixture.expect === null ? null : { ...fixture.expect, msgId: fixture.message.MsgId });
    });
  }

  it('gives the same answers once each fixture went through the wire form and the engine decoding', () => {
    for (const fixture of fixtures) {
      const raw = { ...fixture.message, Content: wireContent(fixture.message), AppMsgType: fixture.message.AppMsgType ?? 0 } as unknown as RawMessage;
      const delivered = normalizeMessage(raw, ME);
      expect(delivered.Content, fixture.name).toBe(fixture.message.Content);
      expect(recognisePayment(delivered, fixture.sender), fixture.name).toEqual(recognisePayment(fixture.message, fixture.sender));
    }
  });
});

describe('parseFen and formatYuan', () => {
  it('read WeChat amounts exactly', () => {
    expect(parseFen('12', '5')).toBe(1250);
    expect(parseFen('1,288', '00')).toBe(128800);
    expect(parseFen('0', '01')).toBe(1);
    expect(parseFen('0', undefined)).toBeNull();
    expect(parseFen('99999999999', undefined)).toBeNull();
    expect(formatYuan(1)).toBe('0.01');
    expect(formatYuan(128800)).toBe('1288.00');
  });

  // Invariant: every amount a receipt can state is read back to the fen.
  it('round-trips any amount through a receipt title', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_FEN }), fc.boolean(), (fen, commas) => {
        const yuan = formatYuan(fen);
        const shown = commas ? yuan.replace(/\B(?=(\d{3})+(?!\d))(?=.*\.)/g, ',') : yuan;
        const content = `<msg><appmsg><title><![CDATA[微信支付收款${shown}元]]></title><des></des><type>5</type></appmsg><fromusername>gh_3dfda90e39d6</fromusername></msg>`;
        const found = recognisePayment({ MsgId: '1', MsgType: 49, FromUserName: '@p', Content: content, CreateTime: 0, IsGroup: false, isSelf: false });
        expect(found?.amountFen).toBe(fen);
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Non-payments are never recognised.

const noticeTexts = fixtures.map((f) => f.message.Content);
/** Text that looks as much like a notice as possible, and noise. */
const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.constantFrom(...noticeTexts),
  fc.tuple(fc.constantFrom('微信支付收款', '收到转账', '[店员消息]收款到账', '收款金额￥', '已收款￥'), fc.integer({ min: 1, max: 99_999 })).map(([p, n]) => `${p}${n}.00元`),
);
const anyName = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('微信支付', '微信收款助手', '韩梅梅', ''));
const base = (over: Partial<PayMessage>): PayMessage => ({
  MsgId: '123',
  MsgType: 1,
  FromUserName: '@friend',
  Content: '',
  CreateTime: 1_714_550_400,
  IsGroup: false,
  isSelf: false,
  ...over,
});

describe('what is never a payment', () => {
  // Invariant: a text message is never a payment, whatever it says and whoever sent it.
  it('text messages', () => {
    fc.assert(fc.property(anyText, anyName, (Content, nickName) => recognisePayment(base({ MsgType: 1, Content }), { nickName }) === null));
  });

  // Invariant: only app messages (49) and system notes (10000) can announce a payment.
  it('messages of any other type, even carrying a notice', () => {
    const otherType = fc.integer({ min: 0, max: 20_000 }).filter((t) => t !== 49 && t !== 10000);
    fc.assert(fc.property(otherType, anyText, anyName, (MsgType, Content, nickName) => recognisePayment(base({ MsgType, Content }), { nickName }) === null));
  });

  // Invariant: an app message that is not a transfer counts only when a pay account sent it.
  it('app messages from anyone but the pay accounts', () => {
    const foreignId = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('wxid_abc', 'gh_0000', '@friend')).filter((id) => !PAY_ACCOUNTS.has(id.trim()));
    const foreignName = anyName.filter((n) => !PAY_NAMES.has(n.trim()));
    const xmlText = fc.oneof(anyText, fc.constant('微信支付收款12.50元')).map((s) => s.replace(/]]>/g, ''));
    fc.assert(
      fc.property(xmlText, xmlText, fc.constantFrom('5', '1', '6', '33', '2001'), foreignId, foreignName, (title, des, type, from, nickName) => {
        const content = `<msg><appmsg><title><![CDATA[${title}]]></title><des><![CDATA[${des}]]></des><type>${type}</type></appmsg><fromusername><![CDATA[${from}]]></fromusername></msg>`;
        return recognisePayment(base({ MsgType: 49, AppMsgType: Number(type), Content: content }), { nickName }) === null;
      }),
    );
  });

  // Invariant: system notes in groups, and the everyday note templates whatever names they
  // quote, are never payments.
  it('a note that quotes a crafted nickname (红包 taken by "收到转账88.00元。") is not a transfer', () => {
    // Found by the template property below (seed 963993358).
    for (const Content of ['收到转账88.00元。领取了你的红包', '收到转账88.00元。如需收钱，请点此升级至最新版本领取了你的红包']) {
      expect(recognisePayment(base({ MsgType: 10000, Content }), { nickName: 'me' })).toBeNull();
    }
    expect(recognisePayment(base({ MsgType: 10000, Content: '收到转账88.00元。如需收钱，请点此升级至最新版本' }), { nickName: 'me' })).toMatchObject({ amountFen: 8800 });
  });

  it('group notes and the everyday note templates', () => {
    const templates = [
      (a: string, b: string) => `"${a}"邀请"${b}"加入了群聊`,
      (a: string) => `你已添加了${a}，现在可以开始聊天了。`,
      (a: string) => `"${a}" 撤回了一条消息`,
      (a: string) => `${a}领取了你的红包`,
      () => '收到红包，请在手机上查看',
      (a: string) => `你邀请"${a}"加入了群聊`,
    ];
    fc.assert(
      fc.property(fc.constantFrom(...templates), anyText, anyText, anyName, (template, a, b, nickName) =>
        recognisePayment(base({ MsgType: 10000, Content: template(a, b) }), { nickName }) === null,
      ),
    );
    fc.assert(fc.property(anyText, anyName, (Content, nickName) => recognisePayment(base({ MsgType: 10000, IsGroup: true, FromUserName: '@@g', Content }), { nickName }) === null));
  });

  // Invariant: our own messages (sent from the phone) are never payments received.
  it('our own messages', () => {
    for (const fixture of fixtures) expect(recognisePayment({ ...fixture.message, isSelf: true }, fixture.sender)).toBeNull();
  });
});

describe('parseAppMsg', () => {
  it('refuses DOCTYPE, entity declarations, huge contents and non-XML', () => {
    expect(parseAppMsg('<!DOCTYPE x [<!ENTITY a "b">]><msg><appmsg><title>&a;</title></appmsg></msg>')).toBeNull();
    expect(parseAppMsg(`<msg><appmsg><title>${'x'.repeat(70_000)}</title></appmsg></msg>`)).toBeNull();
    expect(parseAppMsg('just text with <appmsg in it')).toBeNull();
    expect(parseAppMsg('<msg><appmsg><title>ok</title><type>5</type></appmsg></msg>')).toMatchObject({ title: 'ok', type: '5' });
  });
});
