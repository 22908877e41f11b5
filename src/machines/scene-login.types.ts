/**
 * The official-account scene login (seed 004): one machine per scene. Everything here is plain
 * data, because a scene's snapshot lives in a shared store and is restored by whichever web
 * server instance handles the next event for it.
 */
import type { FollowKind } from '../codecs/scene.js';
import type { SceneDecodeErrorData, SceneEndpoint } from '../codecs/scene.js';

export type { FollowKind };

/** What the browser's poll reports; the machine's top-level state. */
export type SceneStatus = 'creating' | 'pending' | 'scanned' | 'needsBinding' | 'loggedIn' | 'expired' | 'failed';

/** The platform calls and the site's own lookups, named for errors. */
export type SceneCall = SceneEndpoint | 'lookupBinding' | 'bindAccount' | 'store';

/** A failure as plain data. Never carries the appsecret, an access token or the callback token. */
export type SceneErrorData =
  | { readonly code: 'network'; readonly endpoint: SceneCall; readonly message: string }
  | { readonly code: 'timeout'; readonly endpoint: SceneCall; readonly message: string }
  | { readonly code: 'httpStatus'; readonly endpoint: SceneCall; readonly status: number; readonly message: string }
  | { readonly code: 'aborted'; readonly endpoint: SceneCall; readonly message: string }
  | { readonly code: 'platform'; readonly endpoint: SceneCall; readonly errcode: number; readonly message: string }
  | { readonly code: 'store'; readonly endpoint: SceneCall; readonly message: string }
  | { readonly code: 'badPhone'; readonly endpoint: SceneCall; readonly message: string }
  | { readonly code: 'phoneTaken'; readonly endpoint: SceneCall; readonly message: string }
  | { readonly code: 'internal'; readonly endpoint: SceneCall; readonly message: string }
  | SceneDecodeErrorData;

export type SceneErrorCode = SceneErrorData['code'];

/** Results of the invoked actors: values, never rejections, for everything the protocol can answer. */
export type SceneResult<T> = ({ readonly ok: true } & T) | { readonly ok: false; readonly error: SceneErrorData };

export interface AccessTokenInput {
  /** Fingerprint of a token the platform just refused: the cache must not hand it out again. */
  readonly rejectedFingerprint: string | null;
}
export type AccessTokenOutput = SceneResult<{
  readonly accessToken: string;
  /** A short hash naming the token without revealing it (kept in context instead of the token). */
  readonly fingerprint: string;
}>;

export interface CreateQrCodeInput {
  readonly accessToken: string;
  readonly fingerprint: string;
  readonly sceneId: string;
  readonly expireSeconds: number;
}
export type CreateQrCodeOutput =
  | {
      readonly ok: true;
      readonly ticket: string;
      /** What the QR encodes. */
      readonly qrContent: string;
      /** The showqrcode image URL. */
      readonly imageUrl: string;
      readonly expireSeconds: number;
    }
  | {
      readonly ok: false;
      readonly error: SceneErrorData;
      /** The fingerprint of the token that was used, so a refusal can name the token to replace. */
      readonly fingerprint: string;
    };

export interface LookupBindingInput {
  readonly openid: string;
}
/** `userId` null: the follower has no account on the site yet (bind a phone number first). */
export type LookupBindingOutput = SceneResult<{ readonly userId: string | null }>;

export interface BindAccountInput {
  readonly openid: string;
  readonly phone: string;
}
export type BindAccountOutput = SceneResult<{ readonly userId: string }>;

export interface SceneLoginInput {
  readonly sceneId: string;
  readonly expireSeconds: number;
  /** ms since the epoch when the scene was requested. */
  readonly now: number;
}

export interface SceneLoginContext {
  readonly sceneId: string;
  readonly expireSeconds: number;
  readonly createdAt: number;
  /** Counted from before the QR was requested, so the site never outlives the platform's QR. */
  readonly expiresAt: number;
  readonly ticket: string | null;
  readonly qrContent: string | null;
  readonly imageUrl: string | null;
  /** True once the token was refreshed after a refusal: a second refusal fails the scene. */
  readonly tokenRefreshed: boolean;
  readonly rejectedFingerprint: string | null;
  readonly openid: string | null;
  readonly follow: FollowKind | null;
  readonly scannedAt: number | null;
  readonly userId: string | null;
  readonly loggedInAt: number | null;
  readonly expiredAt: number | null;
  /** The last refused binding (bad phone number, number taken), shown to the user. */
  readonly bindError: SceneErrorData | null;
  /** Why the scene failed. */
  readonly error: SceneErrorData | null;
}

/**
 * Events carry the time they happened (`at`, ms since the epoch) because a scene's snapshot moves
 * between processes: expiry is decided by comparing that time with `expiresAt`, not by a timer
 * that would live in one process only.
 */
export type SceneLoginEvent =
  | { readonly type: 'SCAN'; readonly openid: string; readonly follow: FollowKind; readonly at: number }
  | { readonly type: 'BIND'; readonly phone: string; readonly at: number }
  | { readonly type: 'EXPIRE'; readonly at: number };

/** Phone numbers accepted for binding: digits with an optional leading `+`. */
export const PHONE_PATTERN = /^\+?[0-9]{6,15}$/;
