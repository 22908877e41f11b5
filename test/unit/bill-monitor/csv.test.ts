import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCsvLedger, csvField, csvRow, CSV_COLUMNS } from '../../../examples/bill-monitor/csv.js';
import type { Payment } from '../../../examples/bill-monitor/recognise.js';

/** A small RFC 4180 reader, to check that what we write reads back field for field. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

const payment = (over: Partial<Payment> = {}): Payment => ({
  kind: 'receipt',
  amountFen: 1250,
  amount: '12.50',
  payer: '李雷',
  remark: '朋友到店',
  time: '2024-05-01T08:00:03.000Z',
  msgId: '6953118720345678901',
  source: '微信支付',
  ...over,
});

describe('csvField', () => {
  it('quotes commas, quotes and line breaks, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('defuses what a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
  });

  // Invariant: any fields written as a row read back as the same fields (a formula-like field
  // only gains its leading quote).
  it('round-trips any row', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 20 }), { minLength: 1, maxLength: 8 }), (fields) => {
        const [back] = parseCsv(csvRow(fields));
        expect(back).toEqual(fields.map((f) => (/^[=+\-@\t\r]/.test(f) ? `'${f}` : f)));
      }),
    );
  });
});

describe('createCsvLedger', () => {
  it('writes the header once, then one row per payment, in order, with mode 0600', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bill-csv-')), 'payments.csv');
    const ledger = createCsvLedger(file);
    await Promise.all([ledger.append(payment()), ledger.append(payment({ msgId: '2', payer: 'Tom, "the cat"', amount: '0.01' }))]);
    await createCsvLedger(file).append(payment({ msgId: '3', payer: null, remark: null }));
    const rows = parseCsv(readFileSync(file, 'utf8'));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows.slice(1).map((r) => [r[7], r[3], r[1]])).toEqual([
      ['6953118720345678901', '李雷', '12.50'],
      ['2', 'Tom, "the cat"', '0.01'],
      ['3', '', '12.50'],
    ]);
    expect(rows.filter((r) => r[0] === 'time')).toHaveLength(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('writes the header into an existing empty file, and none into one that has rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bill-csv-'));
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    await createCsvLedger(empty).append(payment());
    expect(parseCsv(readFileSync(empty, 'utf8'))[0]).toEqual([...CSV_COLUMNS]);
    const started = join(dir, 'started.csv');
    writeFileSync(started, 'time,amount\r\n');
    await createCsvLedger(started).append(payment());
    expect(parseCsv(readFileSync(started, 'utf8')).filter((r) => r[0] === 'time')).toHaveLength(1);
  });

  it('reports a failed write to its caller and keeps going', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bill-csv-'));
    const ledger = createCsvLedger(join(dir, 'missing-dir', 'x.csv'));
    await expect(ledger.append(payment())).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(ledger.append(payment())).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
