/**
 * Judging a trace: helpers the machine properties share (which results the machine really
 * processed, the sync keys it sent, the messages it emitted).
 */
import type { SyncKey } from '../../../src/codecs/session.js';
import type { SyncBody } from '../../../src/codecs/sync.js';
import type { Answer } from '../../../src/codecs/common.js';
import type { WebwxActorName, WebwxEmitted } from '../../../src/machines/webwx.types.js';
import type { CallRecord, Trace } from './scenario.js';

/** Whether the machine processed this call's answer (rather than having aborted the call first). */
export function answerDelivered(trace: Trace, call: CallRecord): boolean {
  const reply = call.reply;
  if (!reply || !reply.ok || typeof reply.value !== 'object' || reply.value === null) return false;
  return trace.delivered.some((event) => (event as { output?: unknown }).output === reply.value);
}

export const callsOf = (trace: Trace, name: WebwxActorName): CallRecord[] => trace.calls.filter((c) => c.name === name);

export const isEmptyKey = (key: SyncKey | null | undefined): boolean => !key || key.Count === 0 || key.List.length === 0;

export const keyText = (key: SyncKey): string => key.List.map((k) => `${k.Key}_${k.Val}`).join('|');

export const syncKeyOf = (call: CallRecord): SyncKey => (call.input as { syncKey: SyncKey }).syncKey;

/** The answer a webwxsync call was given, when it was an answer (not a fault). */
export function syncAnswerOf(call: CallRecord): Answer<SyncBody> | undefined {
  return call.reply?.ok ? (call.reply.value as Answer<SyncBody>) : undefined;
}

export const emittedOf = <T extends WebwxEmitted['type']>(trace: Trace, type: T): Extract<WebwxEmitted, { type: T }>[] =>
  trace.emitted.filter((e): e is Extract<WebwxEmitted, { type: T }> => e.type === type);

/**
 * The MsgIds the machine should have delivered: every message of every webwxsync answer it
 * processed, in server order, minus those in the dedupe window (the last `dedupeWindow` delivered
 * ids, a stored session's included) or earlier in the same answer.
 */
export function expectedMessageIds(trace: Trace): string[] {
  const size = trace.input.dedupeWindow ?? 2000;
  let window: string[] = [...(trace.input.stored?.delivered ?? [])].slice(-size);
  const out: string[] = [];
  for (const call of callsOf(trace, 'webwxSync')) {
    const answer = syncAnswerOf(call);
    if (!answer || !answer.ok || !answerDelivered(trace, call)) continue;
    const seen = new Set(window);
    const fresh: string[] = [];
    for (const message of answer.value.AddMsgList) {
      if (seen.has(message.MsgId)) continue;
      seen.add(message.MsgId);
      fresh.push(message.MsgId);
    }
    out.push(...fresh);
    window = [...window, ...fresh].slice(-size);
  }
  return out;
}

/** A call that is neither answered nor aborted. */
export const stillInFlight = (call: CallRecord): boolean => !call.settled && !call.signal.aborted;

/** Secrets of the credentials the scenarios hand out (fixtures), which nothing may emit. */
export const SCENARIO_SECRETS: readonly string[] = ['@crypt_first_skey', 'sid0001', 'MX4l%2Fabc%2Bdef', '@crypt_stored', 'sidStored', 'stored%2Fticket', 'T1@qrticket_0'];
