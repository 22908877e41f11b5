/**
 * The WeChat Pay notice recogniser (seed 001): a pure function from one delivered message to a
 * payment, or null. It knows three shapes:
 *
 * - `receipt`: MsgType 49 app messages from the WeChat Pay accounts (微信支付 gh_3dfda90e39d6,
 *   微信收款助手 gh_f0a92aa7146c) whose title or description says money arrived
 *   (`微信支付收款12.50元`, `收款金额￥12.50`, `[店员消息]收款到账0.50元`);
 * - `transfer`: MsgType 49 with AppMsgType 2000 (微信转账) from a friend, paysubtype 1 (money sent
 *   to us, waiting on the phone);
 * - `note`: MsgType 10000 system notes in a one-to-one chat that state an amount received
 *   (`收到转账88.00元。…`).
 *
 * Anyone can type notice-like text or share a link titled like a notice, so text messages are
 * never payments, app messages count only from the pay accounts, and notes only in whole-note
 * patterns anchored at their start. Spending (微信支付凭证, 已支付) and red packets (no amount on
 * the web) are not payments received.
 */
import { plainXmlParser } from '../../src/codecs/xml.js';
import { AMOUNT_SOURCE, formatYuan, parseFen } from './amount.js';

export type PaymentKind = 'receipt' | 'transfer' | 'note';

export interface Payment {
  readonly kind: PaymentKind;
  readonly amountFen: number;
  /** Yuan with two decimals, e.g. `12.50`. */
  readonly amount: string;
  /** Who paid, when the notice or the chat says; null when it does not. */
  readonly payer: string | null;
  /** The payer's note (付款方备注, a transfer's memo), or null. */
  readonly remark: string | null;
  /** When the message was created (its CreateTime), ISO 8601 UTC. */
  readonly time: string;
  readonly msgId: string;
  /** Who told us: the pay account's name, or the chat's. */
  readonly source: string;
}

/** The fields of a delivered message (the engine's `Message`) the recogniser reads. */
export interface PayMessage {
  readonly MsgId: string;
  readonly MsgType: number;
  readonly AppMsgType?: number | undefined;
  readonly FromUserName: string;
  readonly Content: string;
  readonly CreateTime: number;
  readonly IsGroup: boolean;
  readonly isSelf: boolean;
}

/** What the contact list says about the chat the message came from. */
export interface SenderInfo {
  readonly nickName?: string | null | undefined;
}

/** WeChat's own ids for the accounts that send payment notices, with their names. */
export const PAY_ACCOUNTS: ReadonlyMap<string, string> = new Map([
  ['gh_3dfda90e39d6', '微信支付'],
  ['gh_f0a92aa7146c', '微信收款助手'],
]);
const PAY_ACCOUNT_NAMES: ReadonlySet<string> = new Set(PAY_ACCOUNTS.values());

/** Notices are a few kB; a far larger content is not one (and is not parsed). */
export const MAX_CONTENT_CHARS = 64 * 1024;

const xml = plainXmlParser({ entities: true });

interface AppMsg {
  readonly title: string;
  readonly des: string;
  readonly type: string;
  readonly fromUser: string;
  readonly paySubType: string;
  readonly feeDesc: string;
  readonly payMemo: string;
}

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '');
const field = (node: unknown, name: string): unknown =>
  node !== null && typeof node === 'object' && !Array.isArray(node) && Object.hasOwn(node, name) ? (node as Record<string, unknown>)[name] : undefined;

/** The parts of an `<msg><appmsg>` content this module reads, or null when it is not one. */
export function parseAppMsg(content: string): AppMsg | null {
  if (content.length > MAX_CONTENT_CHARS || !content.includes('<appmsg') || /<!DOCTYPE|<!ENTITY/i.test(content)) return null;
  let root: unknown;
  try {
    root = xml.parse(content, true);
  } catch {
    return null;
  }
  const msg = field(root, 'msg');
  const appmsg = field(msg, 'appmsg');
  if (appmsg === undefined) return null;
  const pay = field(appmsg, 'wcpayinfo');
  return {
    title: text(field(appmsg, 'title')),
    des: text(field(appmsg, 'des')),
    type: text(field(appmsg, 'type')),
    fromUser: text(field(msg, 'fromusername')),
    paySubType: text(field(pay, 'paysubtype')),
    feeDesc: text(field(pay, 'feedesc')),
    payMemo: text(field(pay, 'pay_memo')),
  };
}

const YUAN = '[￥¥]';
const RECEIPT_TITLE = new RegExp(`(?:^|\\])(?:微信支付)?收款(?:到账)?\\s*${YUAN}?\\s*${AMOUNT_SOURCE}\\s*元`);
const RECEIPT_DES = new RegExp(`^收款金额\\s*[:：]?\\s*${YUAN}\\s*${AMOUNT_SOURCE}`, 'm');
const FEE_DESC = new RegExp(`^${YUAN}\\s*${AMOUNT_SOURCE}$`);
const TRANSFER_DES = new RegExp(`^收到转账\\s*${YUAN}?\\s*${AMOUNT_SOURCE}\\s*元`);
const NOTE_PATTERNS: readonly { readonly pattern: RegExp; readonly payerGroup: number | null }[] = [
  // The note's tail is the client's fixed upgrade hint, nothing else: any other text after the
  // amount is another note quoting a crafted nickname (`收到转账88.00元。领取了你的红包`).
  { pattern: new RegExp(`^收到转账\\s*${YUAN}?\\s*${AMOUNT_SOURCE}\\s*元(?:[。.]\\s*(?:如需收钱[，,]\\s*请点此升级至最新版本[。.]?)?)?$`), payerGroup: null },
  { pattern: new RegExp(`^已收款\\s*${YUAN}\\s*${AMOUNT_SOURCE}\\s*元?$`), payerGroup: null },
  { pattern: new RegExp(`^([^\\n"“”]{1,32}?)向你转账\\s*${YUAN}?\\s*${AMOUNT_SOURCE}\\s*元[。.]?$`), payerGroup: 1 },
];

/** A `key value` line of a notice's description (`付款方备注朋友到店`, `付款方备注：转账`). */
function desLine(des: string, keys: readonly string[]): string | null {
  for (const line of des.split(/\r?\n/)) {
    const trimmed = line.trim();
    for (const key of keys) {
      if (!trimmed.startsWith(key)) continue;
      const value = trimmed.slice(key.length).replace(/^[\s:：]+/, '').trim();
      if (value) return value;
    }
  }
  return null;
}

const amountOf = (match: RegExpExecArray | null, first = 1): number | null => (match ? parseFen(match[first]!, match[first + 1]) : null);

function payment(kind: PaymentKind, fen: number, message: PayMessage, source: string, payer: string | null, remark: string | null): Payment {
  return {
    kind,
    amountFen: fen,
    amount: formatYuan(fen),
    payer: payer && payer.length > 0 ? payer : null,
    remark: remark && remark.length > 0 ? remark : null,
    time: new Date(message.CreateTime * 1000).toISOString(),
    msgId: message.MsgId,
    source,
  };
}

function fromPayAccount(app: AppMsg, sender: SenderInfo): string | null {
  const byId = PAY_ACCOUNTS.get(app.fromUser);
  if (byId !== undefined) return byId;
  const name = sender.nickName?.trim() ?? '';
  return PAY_ACCOUNT_NAMES.has(name) ? name : null;
}

function recogniseReceipt(message: PayMessage, app: AppMsg, sender: SenderInfo): Payment | null {
  const source = fromPayAccount(app, sender);
  if (source === null) return null;
  const fen = amountOf(RECEIPT_TITLE.exec(app.title)) ?? amountOf(RECEIPT_DES.exec(app.des));
  if (fen === null) return null;
  const payer = desLine(app.des, ['付款方昵称', '付款人', '付款方 ', '付款方：', '付款方:']);
  const remark = desLine(app.des, ['付款方备注']);
  return payment('receipt', fen, message, source, payer, remark);
}

function recogniseTransfer(message: PayMessage, app: AppMsg, sender: SenderInfo): Payment | null {
  // 1: sent to us and waiting; 3: the other side accepted *our* transfer (money that left).
  if (app.paySubType !== '1' || message.IsGroup) return null;
  const fen = amountOf(FEE_DESC.exec(app.feeDesc)) ?? amountOf(TRANSFER_DES.exec(app.des));
  if (fen === null) return null;
  const name = sender.nickName?.trim() || null;
  return payment('transfer', fen, message, name ?? '微信转账', name, app.payMemo || null);
}

function recogniseNote(message: PayMessage, sender: SenderInfo): Payment | null {
  if (message.IsGroup || message.Content.length > 500) return null;
  const note = message.Content.trim();
  const name = sender.nickName?.trim() || null;
  for (const { pattern, payerGroup } of NOTE_PATTERNS) {
    const match = pattern.exec(note);
    if (!match) continue;
    const first = payerGroup === null ? 1 : payerGroup + 1;
    const fen = amountOf(match, first);
    if (fen === null) return null;
    const payer = payerGroup === null ? name : (match[payerGroup]?.trim() ?? name);
    return payment('note', fen, message, name ?? '系统消息', payer, null);
  }
  return null;
}

/** The payment a message announces, or null. Pure: same message and sender, same answer. */
export function recognisePayment(message: PayMessage, sender: SenderInfo = {}): Payment | null {
  if (message.isSelf) return null;
  if (message.MsgType === 10000) return recogniseNote(message, sender);
  if (message.MsgType !== 49) return null;
  const app = parseAppMsg(message.Content);
  if (app === null) return null;
  if (app.type === '2000' || message.AppMsgType === 2000) return recogniseTransfer(message, app, sender);
  return recogniseReceipt(message, app, sender);
}
