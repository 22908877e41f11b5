import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { speak, spokenText } from '../../../examples/bill-monitor/speak.js';
import type { Payment } from '../../../examples/bill-monitor/recognise.js';

/** A stand-in for espeak-ng that records its arguments, one per line, NUL-safe enough for a test. */
function fakeEspeak(exitCode = 0): { command: string; argsFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-espeak-'));
  const argsFile = join(dir, 'args.txt');
  const command = join(dir, 'espeak-ng');
  writeFileSync(command, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > '${argsFile}'\nexit ${exitCode}\n`);
  chmodSync(command, 0o755);
  return { command, argsFile };
}

const payment: Payment = {
  kind: 'transfer',
  amountFen: 500,
  amount: '5.00',
  payer: '$(touch /tmp/pwned); `id`',
  remark: null,
  time: '2024-05-01T09:50:00.000Z',
  msgId: '1',
  source: 'x',
};

describe('speak', () => {
  it('passes the text as one argument, with the voice, and no shell reads it', async () => {
    const fake = fakeEspeak();
    const text = spokenText(payment);
    expect(text).toBe('微信收款5.00元，来自$(touch /tmp/pwned); `id`');
    expect(await speak(text, { command: fake.command, voice: 'cmn' })).toBe('spoken');
    expect(readFileSync(fake.argsFile, 'utf8').split('\n').slice(0, -1)).toEqual(['-v', 'cmn', '--', text]);
  });

  it('says "missing" when espeak-ng is not installed, "failed" when it fails', async () => {
    expect(await speak('x', { command: join(tmpdir(), 'no-such-espeak-ng-here') })).toBe('missing');
    expect(await speak('x', { command: fakeEspeak(3).command })).toBe('failed');
  });

  it('leaves the payer out when the notice did not name one', () => {
    expect(spokenText({ ...payment, payer: null, amount: '12.50' })).toBe('微信收款12.50元');
  });
});
