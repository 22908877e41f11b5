/**
 * Says a payment out loud with espeak-ng when it is installed. The text is one argument of an
 * argument array (spawn without a shell): a payer named `$(rm -rf ~)` is only read aloud.
 */
import { spawn } from 'node:child_process';
import type { Payment } from './recognise.js';

export interface SpeakOptions {
  /** The program (default `espeak-ng`, found on PATH). */
  readonly command?: string;
  /** espeak-ng voice; `cmn` is Mandarin. */
  readonly voice?: string;
}

export type SpeakResult = 'spoken' | 'missing' | 'failed';

export function spokenText(payment: Payment): string {
  const from = payment.payer ? `，来自${payment.payer}` : '';
  return `微信收款${payment.amount}元${from}`;
}

/** Resolves once espeak-ng finished: `missing` when it is not installed, `failed` on any other error. */
export function speak(text: string, options: SpeakOptions = {}): Promise<SpeakResult> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(options.command ?? 'espeak-ng', ['-v', options.voice ?? 'cmn', '--', text], { stdio: 'ignore', shell: false });
    } catch {
      resolve('failed');
      return;
    }
    child.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ENOENT' ? 'missing' : 'failed'));
    child.on('close', (code) => resolve(code === 0 ? 'spoken' : 'failed'));
  });
}
