/**
 * The scene-QR login of an official account (seed 004), one actor per scene:
 *
 *   creating (token → qrcode) → pending → scanned → loggedIn
 *                                                 → needsBinding (waiting ⇄ binding) → loggedIn
 *                               pending / needsBinding → expired;  any platform failure → failed
 *
 * No I/O here: the four actors are placeholders bound in scene-login.actors.ts. There are no
 * timers either: a scene's snapshot is stored and restored by whichever server instance handles
 * its next event, so every event carries its time and expiry is a guard on that time.
 */
import { assign, fromPromise, setup, type DoneActorEvent } from 'xstate';
import { isTokenRejected } from '../codecs/scene.js';
import {
  PHONE_PATTERN,
  type AccessTokenInput,
  type AccessTokenOutput,
  type BindAccountInput,
  type BindAccountOutput,
  type CreateQrCodeInput,
  type CreateQrCodeOutput,
  type LookupBindingInput,
  type LookupBindingOutput,
  type SceneCall,
  type SceneErrorData,
  type SceneLoginContext,
  type SceneLoginEvent,
  type SceneLoginInput,
  type SceneStatus,
} from './scene-login.types.js';

const placeholder = (name: string) => async (): Promise<never> => {
  throw new Error(`sceneLoginMachine: actor ${name} is not provided`);
};

type AnyOutput = AccessTokenOutput | CreateQrCodeOutput | LookupBindingOutput | BindAccountOutput;

/** The output of an `xstate.done.actor.*` event, which the guards and actions below read. */
function outputOf(event: { type: string }): AnyOutput | null {
  const output = (event as Partial<DoneActorEvent<AnyOutput>>).output;
  return output !== undefined && output !== null && typeof output === 'object' && 'ok' in output ? output : null;
}

function errorOf(event: { type: string }, endpoint: SceneCall): SceneErrorData {
  const output = outputOf(event);
  if (output !== null && !output.ok) return output.error;
  return { code: 'internal', endpoint, message: 'the actor failed unexpectedly' };
}

/**
 * The `qrcode` state is entered by the token actor's done event; its token is read from that
 * event rather than kept in context, so no snapshot ever holds a live access token.
 */
function grantOf(event: { type: string }): { accessToken: string; fingerprint: string } {
  const output = outputOf(event) as AccessTokenOutput | null;
  return output !== null && output.ok ? { accessToken: output.accessToken, fingerprint: output.fingerprint } : { accessToken: '', fingerprint: '' };
}

export const sceneLoginMachine = setup({
  types: {
    context: {} as SceneLoginContext,
    events: {} as SceneLoginEvent,
    input: {} as SceneLoginInput,
  },
  actors: {
    fetchAccessToken: fromPromise<AccessTokenOutput, AccessTokenInput>(placeholder('fetchAccessToken')),
    createQrCode: fromPromise<CreateQrCodeOutput, CreateQrCodeInput>(placeholder('createQrCode')),
    lookupBinding: fromPromise<LookupBindingOutput, LookupBindingInput>(placeholder('lookupBinding')),
    bindAccount: fromPromise<BindAccountOutput, BindAccountInput>(placeholder('bindAccount')),
  },
  guards: {
    answerOk: ({ event }) => outputOf(event)?.ok === true,
    /** The platform refused the token (40001/40014/42001) and it has not been refreshed yet. */
    tokenRejectedFirstTime: ({ context, event }) => {
      const output = outputOf(event);
      return !context.tokenRefreshed && output !== null && !output.ok && output.error.code === 'platform' && isTokenRejected(output.error.errcode);
    },
    isExpired: ({ context, event }) => 'at' in event && event.at >= context.expiresAt,
    hasAccount: ({ event }) => {
      const output = outputOf(event) as LookupBindingOutput | null;
      return output !== null && output.ok && output.userId !== null;
    },
    validPhone: ({ event }) => event.type === 'BIND' && PHONE_PATTERN.test(event.phone),
  },
  actions: {
    rememberRejectedToken: assign(({ event }) => ({ tokenRefreshed: true, rejectedFingerprint: rejectedFingerprintOf(event) })),
    assignQr: assign(({ context, event }) => {
      const output = outputOf(event) as CreateQrCodeOutput | null;
      if (output === null || !output.ok) return {};
      // Never later than requested: the platform may grant less, never more, than was asked.
      const seconds = Math.min(context.expireSeconds, output.expireSeconds);
      return {
        ticket: output.ticket,
        qrContent: output.qrContent,
        imageUrl: output.imageUrl,
        expireSeconds: seconds,
        expiresAt: context.createdAt + seconds * 1000,
        rejectedFingerprint: null,
      };
    }),
    assignScan: assign(({ event }) =>
      event.type === 'SCAN' ? { openid: event.openid, follow: event.follow, scannedAt: event.at } : {},
    ),
    assignAccount: assign(({ event }) => {
      const output = outputOf(event) as LookupBindingOutput | BindAccountOutput | null;
      return output !== null && output.ok && output.userId !== null ? { userId: output.userId, bindError: null } : {};
    }),
    assignLoggedInAt: assign(({ context }) => ({ loggedInAt: context.scannedAt })),
    assignExpiredAt: assign(({ event }) => ('at' in event ? { expiredAt: event.at } : {})),
    assignBadPhone: assign({
      bindError: (): SceneErrorData => ({ code: 'badPhone', endpoint: 'bindAccount', message: 'not a phone number' }),
    }),
    assignBindError: assign({ bindError: ({ event }) => errorOf(event, 'bindAccount') }),
    clearBindError: assign({ bindError: null }),
    assignTokenError: assign({ error: ({ event }) => errorOf(event, 'token') }),
    assignQrError: assign({ error: ({ event }) => errorOf(event, 'qrcodeCreate') }),
    assignLookupError: assign({ error: ({ event }) => errorOf(event, 'lookupBinding') }),
  },
}).createMachine({
  id: 'sceneLogin',
  initial: 'creating',
  context: ({ input }) => ({
    sceneId: input.sceneId,
    expireSeconds: input.expireSeconds,
    createdAt: input.now,
    expiresAt: input.now + input.expireSeconds * 1000,
    ticket: null,
    qrContent: null,
    imageUrl: null,
    tokenRefreshed: false,
    rejectedFingerprint: null,
    openid: null,
    follow: null,
    scannedAt: null,
    userId: null,
    loggedInAt: null,
    expiredAt: null,
    bindError: null,
    error: null,
  }),
  states: {
    creating: {
      tags: ['busy'],
      initial: 'token',
      states: {
        token: {
          invoke: {
            id: 'fetchAccessToken',
            src: 'fetchAccessToken',
            input: ({ context }) => ({ rejectedFingerprint: context.rejectedFingerprint }),
            onDone: [
              { guard: 'answerOk', target: 'qrcode' },
              { target: '#sceneLogin.failed', actions: 'assignTokenError' },
            ],
            onError: { target: '#sceneLogin.failed', actions: 'assignTokenError' },
          },
        },
        qrcode: {
          invoke: {
            id: 'createQrCode',
            src: 'createQrCode',
            input: ({ context, event }) => ({
              ...grantOf(event),
              sceneId: context.sceneId,
              expireSeconds: context.expireSeconds,
            }),
            onDone: [
              { guard: 'answerOk', target: '#sceneLogin.pending', actions: 'assignQr' },
              { guard: 'tokenRejectedFirstTime', target: 'token', actions: 'rememberRejectedToken' },
              { target: '#sceneLogin.failed', actions: 'assignQrError' },
            ],
            onError: { target: '#sceneLogin.failed', actions: 'assignQrError' },
          },
        },
      },
    },
    pending: {
      on: {
        SCAN: [
          { guard: 'isExpired', target: 'expired', actions: 'assignExpiredAt' },
          { target: 'scanned', actions: 'assignScan' },
        ],
        EXPIRE: { guard: 'isExpired', target: 'expired', actions: 'assignExpiredAt' },
      },
    },
    scanned: {
      tags: ['busy'],
      // Replays of the scan (the platform retries callbacks) change nothing here: no SCAN handler.
      invoke: {
        id: 'lookupBinding',
        src: 'lookupBinding',
        input: ({ context }) => ({ openid: context.openid ?? '' }),
        onDone: [
          { guard: 'hasAccount', target: 'loggedIn', actions: ['assignAccount', 'assignLoggedInAt'] },
          { guard: 'answerOk', target: 'needsBinding' },
          { target: 'failed', actions: 'assignLookupError' },
        ],
        onError: { target: 'failed', actions: 'assignLookupError' },
      },
    },
    needsBinding: {
      initial: 'waiting',
      states: {
        waiting: {
          on: {
            BIND: [
              { guard: 'isExpired', target: '#sceneLogin.expired', actions: 'assignExpiredAt' },
              { guard: 'validPhone', target: 'binding', actions: 'clearBindError' },
              { actions: 'assignBadPhone' },
            ],
            EXPIRE: { guard: 'isExpired', target: '#sceneLogin.expired', actions: 'assignExpiredAt' },
          },
        },
        binding: {
          tags: ['busy'],
          invoke: {
            id: 'bindAccount',
            src: 'bindAccount',
            input: ({ context, event }) => ({ openid: context.openid ?? '', phone: event.type === 'BIND' ? event.phone : '' }),
            onDone: [
              { guard: 'answerOk', target: '#sceneLogin.loggedIn', actions: ['assignAccount', 'assignLoggedInAt'] },
              { target: 'waiting', actions: 'assignBindError' },
            ],
            onError: { target: 'waiting', actions: 'assignBindError' },
          },
        },
      },
    },
    loggedIn: { type: 'final' },
    expired: { type: 'final' },
    failed: { type: 'final' },
  },
});

function rejectedFingerprintOf(event: { type: string }): string | null {
  const output = outputOf(event) as CreateQrCodeOutput | null;
  return output !== null && !output.ok ? output.fingerprint : null;
}

export type SceneLoginMachine = typeof sceneLoginMachine;

/** The status the browser sees for a machine state value. */
export function statusOfValue(value: unknown): SceneStatus {
  const top = typeof value === 'string' ? value : value !== null && typeof value === 'object' ? Object.keys(value)[0] : undefined;
  switch (top) {
    case 'creating':
    case 'pending':
    case 'scanned':
    case 'needsBinding':
    case 'loggedIn':
    case 'expired':
    case 'failed':
      return top;
    default:
      return 'failed';
  }
}

/** States that end the scene: nothing moves it any more. */
export const FINAL_STATUSES: readonly SceneStatus[] = ['loggedIn', 'expired', 'failed'];
