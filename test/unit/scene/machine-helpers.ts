/**
 * Stub actors for the scene-login machine: each answers from a script and records its inputs,
 * so tests see what the machine asked for and in which order.
 */
import { createActor, fromPromise, waitFor, type SnapshotFrom } from 'xstate';
import { sceneLoginMachine } from '../../../src/machines/scene-login.machine.js';
import type {
  AccessTokenInput,
  AccessTokenOutput,
  BindAccountInput,
  BindAccountOutput,
  CreateQrCodeInput,
  CreateQrCodeOutput,
  LookupBindingInput,
  LookupBindingOutput,
  SceneLoginEvent,
} from '../../../src/machines/scene-login.types.js';

export interface Script {
  tokens?: AccessTokenOutput[];
  qrcodes?: CreateQrCodeOutput[];
  /** openid → userId (absent: no account). */
  accounts?: Record<string, string>;
  /** Bindings refused with phoneTaken. */
  takenPhones?: string[];
}

export interface Calls {
  token: AccessTokenInput[];
  qrcode: CreateQrCodeInput[];
  lookup: LookupBindingInput[];
  bind: BindAccountInput[];
}

export const okToken = (n: number): AccessTokenOutput => ({ ok: true, accessToken: `token-${n}`, fingerprint: `fp-${n}` });
export const okQr = (expireSeconds = 300): CreateQrCodeOutput => ({
  ok: true,
  ticket: 'TICKET',
  qrContent: 'http://weixin.qq.com/q/abc',
  imageUrl: 'https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=TICKET',
  expireSeconds,
});
export const refusedQr = (errcode: number, fingerprint: string): CreateQrCodeOutput => ({
  ok: false,
  error: { code: 'platform', endpoint: 'qrcodeCreate', errcode, message: `errcode ${errcode}` },
  fingerprint,
});

export function scriptedMachine(script: Script) {
  const calls: Calls = { token: [], qrcode: [], lookup: [], bind: [] };
  const tokens = [...(script.tokens ?? [okToken(1)])];
  const qrcodes = [...(script.qrcodes ?? [okQr()])];
  const accounts = { ...(script.accounts ?? {}) };
  const taken = new Set(script.takenPhones ?? []);
  const machine = sceneLoginMachine.provide({
    actors: {
      fetchAccessToken: fromPromise<AccessTokenOutput, AccessTokenInput>(async ({ input }) => {
        calls.token.push(input);
        return tokens.shift() ?? { ok: false, error: { code: 'internal', endpoint: 'token', message: 'script exhausted' } };
      }),
      createQrCode: fromPromise<CreateQrCodeOutput, CreateQrCodeInput>(async ({ input }) => {
        calls.qrcode.push(input);
        return qrcodes.shift() ?? refusedQr(-1, input.fingerprint);
      }),
      lookupBinding: fromPromise<LookupBindingOutput, LookupBindingInput>(async ({ input }) => {
        calls.lookup.push(input);
        return { ok: true, userId: accounts[input.openid] ?? null };
      }),
      bindAccount: fromPromise<BindAccountOutput, BindAccountInput>(async ({ input }) => {
        calls.bind.push(input);
        if (taken.has(input.phone)) return { ok: false, error: { code: 'phoneTaken', endpoint: 'bindAccount', message: 'taken' } };
        accounts[input.openid] = `user-${input.phone}`;
        return { ok: true, userId: `user-${input.phone}` };
      }),
    },
  });
  return { machine, calls };
}

export type ScriptedMachine = ReturnType<typeof scriptedMachine>['machine'];
export type Snap = SnapshotFrom<ScriptedMachine>;

export const T0 = 1_700_000_000_000;

/** Starts a scene and waits until it stops invoking (pending or failed). */
export async function startScene(machine: ScriptedMachine, expireSeconds = 300) {
  const actor = createActor(machine, { input: { sceneId: 'scene1', expireSeconds, now: T0 } });
  actor.start();
  await settle(actor);
  return actor;
}

export function settle(actor: ReturnType<typeof createActor<ScriptedMachine>>): Promise<Snap> {
  return waitFor(actor, (s) => !s.hasTag('busy'), { timeout: 2_000 });
}

/** Sends an event and waits for the machine to settle again. */
export async function step(actor: ReturnType<typeof createActor<ScriptedMachine>>, event: SceneLoginEvent): Promise<Snap> {
  actor.send(event);
  return settle(actor);
}

export function topState(snapshot: Snap): string {
  return typeof snapshot.value === 'string' ? snapshot.value : Object.keys(snapshot.value)[0]!;
}
