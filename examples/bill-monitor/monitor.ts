/**
 * The bill monitor on the client facade: every delivered message goes through the recogniser with
 * the name of its chat; each payment is printed as one line, appended to the CSV ledger, and
 * spoken when asked. Ledger and speech failures are reported, never thrown into the client.
 */
import type { Writable } from 'node:stream';
import type { WebwxClient } from '../../src/client.js';
import { decodeContent, type Message } from '../../src/codecs/content.js';
import { createCsvLedger } from './csv.js';
import { recognisePayment, type Payment } from './recognise.js';
import { speak, spokenText, type SpeakOptions, type SpeakResult } from './speak.js';

export interface MonitorOptions {
  readonly out: Writable;
  readonly err: Writable;
  /** The ledger; none when omitted. */
  readonly csvFile?: string | undefined;
  /** Speak each payment (espeak-ng). */
  readonly speak?: boolean | undefined;
  readonly speakOptions?: SpeakOptions | undefined;
}

export interface PaymentMonitor {
  /** The payments seen so far, in order. */
  readonly payments: readonly Payment[];
  /** Resolves when every ledger write and utterance started so far has finished. */
  settled(): Promise<void>;
  stop(): void;
}

/** `2024-05-01 08:00:03 UTC  ¥12.50  from 李雷  receipt via 微信支付  备注: 朋友到店` */
export function paymentLine(payment: Payment): string {
  const when = `${payment.time.slice(0, 10)} ${payment.time.slice(11, 19)} UTC`;
  const from = payment.payer ? `from ${payment.payer}` : 'from (not named)';
  const remark = payment.remark ? `  备注: ${payment.remark}` : '';
  return `${when}  ¥${payment.amount}  ${from}  ${payment.kind} via ${payment.source}${remark}`;
}

function senderName(client: WebwxClient, message: Message): string | null {
  try {
    const contact = client.actor.getSnapshot().context.contacts[message.FromUserName];
    return contact ? decodeContent(contact.RemarkName || contact.NickName) : null;
  } catch {
    return null;
  }
}

export function monitorPayments(client: WebwxClient, options: MonitorOptions): PaymentMonitor {
  const payments: Payment[] = [];
  const pending = new Set<Promise<unknown>>();
  const ledger = options.csvFile !== undefined ? createCsvLedger(options.csvFile) : null;
  let warnedMissing = false;
  const track = (work: Promise<unknown>): void => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  const off = client.on('message', ({ message }) => {
    const payment = recognisePayment(message, { nickName: senderName(client, message) });
    if (!payment) return;
    payments.push(payment);
    options.out.write(`${paymentLine(payment)}\n`);
    if (ledger) {
      track(ledger.append(payment).catch((err: unknown) => options.err.write(`could not write ${options.csvFile}: ${err instanceof Error ? err.message : String(err)}\n`)));
    }
    if (options.speak) {
      track(
        speak(spokenText(payment), options.speakOptions).then((result: SpeakResult) => {
          if (result === 'missing' && !warnedMissing) {
            warnedMissing = true;
            options.err.write('--speak: espeak-ng is not installed (apt-get install espeak-ng); payments are printed only.\n');
          } else if (result === 'failed') options.err.write('--speak: espeak-ng failed for this payment.\n');
        }),
      );
    }
  });

  return {
    payments,
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    stop: off,
  };
}
