/** Assertion helpers shared by the codec tests. */
import { DecodeError, type Answer } from '../../src/codecs/index.js';

/** The DecodeError `run` throws; anything else thrown is rethrown, a returned value fails. */
export function refusal(run: () => unknown): DecodeError {
  try {
    run();
  } catch (err) {
    if (err instanceof DecodeError) return err;
    throw err;
  }
  throw new Error('expected a DecodeError, got a value');
}

/** The payload of an answer that must have Ret 0. */
export function okValue<T>(answer: Answer<T>): T {
  if (!answer.ok) throw new Error(`expected Ret 0, got ${answer.ret}`);
  return answer.value;
}
