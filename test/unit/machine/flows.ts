/** Scripts that bring a machine to a given point, so each test starts where its subject is. */
import {
  confirmedAnswer,
  contact,
  contactPage,
  credentialsAnswer,
  initAnswer,
  LOGIN_ORIGIN,
  notifyOk,
  scannedAnswer,
  uuidIssued,
} from './fixtures.js';
import { startMachine, type Script } from './harness.js';
import type { WebwxInput } from '../../../src/machines/webwx.types.js';

/** Options for tests: a simulator-like login origin and short pauses. */
export const BASE_INPUT: Partial<WebwxInput> = {
  loginOrigin: LOGIN_ORIGIN,
  timing: { pollPauseMs: 1000, checkPauseMs: 1000, backoffBaseMs: 100, backoffMaxMs: 1000, sendRetryBaseMs: 200, sendRetryMaxMs: 1000 },
};

/**
 * Everything up to (not including) the first synccheck. The recent chats hold no group, so no
 * member fetch starts by itself (test/unit/machine/sync.test.ts "recent groups" has one).
 */
export const LOGIN_SCRIPT: Script = {
  getUuid: [uuidIssued('uuid-1')],
  pollLogin: [scannedAnswer(), confirmedAnswer()],
  newLoginPage: [credentialsAnswer()],
  webwxInit: [initAnswer({ contacts: [contact('@friend1')] })],
  statusNotify: [notifyOk()],
  getContact: [contactPage(['@friend2', '@friend3'])],
};

function merge(a: Script, b: Script): Script {
  const out: Record<string, unknown[]> = {};
  for (const [name, steps] of Object.entries(a)) out[name] = [...(steps as unknown[])];
  for (const [name, steps] of Object.entries(b)) out[name] = [...(out[name] ?? []), ...(steps as unknown[])];
  return out as Script;
}

/** A machine logged in and in `syncing` (its first synccheck is in flight unless scripted). */
export async function startSyncing(input: Partial<WebwxInput> = {}, extra: Script = {}) {
  const h = startMachine({ ...BASE_INPUT, ...input }, merge(LOGIN_SCRIPT, extra));
  // The scripted loop may already have moved on (even to loggedOut): having passed syncing is enough.
  await h.until(() => h.states.includes('syncing'));
  return h;
}
