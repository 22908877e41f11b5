/**
 * The payments ledger: one CSV row per payment, the header written once when the file is new or
 * empty. Fields follow RFC 4180 (quoted when they hold a comma, quote or line break; quotes
 * doubled), and a field that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR)
 * gets a leading `'`: a payer's nickname is chosen by the payer.
 */
import { appendFile, stat } from 'node:fs/promises';
import type { Payment } from './recognise.js';

export const CSV_COLUMNS = ['time', 'amount', 'currency', 'payer', 'kind', 'remark', 'source', 'msgId'] as const;

export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvRow(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

export function paymentRow(payment: Payment): string {
  return csvRow([payment.time, payment.amount, 'CNY', payment.payer ?? '', payment.kind, payment.remark ?? '', payment.source, payment.msgId]);
}

async function isEmptyOrMissing(file: string): Promise<boolean> {
  try {
    return (await stat(file)).size === 0;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return true;
    throw err;
  }
}

/** Appends payments in order (one write at a time), creating the file with its header if needed. */
export function createCsvLedger(file: string): { append(payment: Payment): Promise<void> } {
  let queue: Promise<void> = Promise.resolve();
  return {
    append(payment) {
      const write = queue.then(async () => {
        const header = (await isEmptyOrMissing(file)) ? csvRow(CSV_COLUMNS) : '';
        await appendFile(file, header + paymentRow(payment), { encoding: 'utf8', mode: 0o600 });
      });
      // A failed write is reported to its caller; the next payment still gets its turn.
      queue = write.catch(() => undefined);
      return write;
    },
  };
}
