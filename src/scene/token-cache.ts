/**
 * The access token, cached in the SceneStore until shortly before `expires_in` runs out and
 * refreshed by one caller at a time across every server instance: the platform counts token
 * calls per day, and each new token retires the previous one, so instances refreshing at once
 * would knock each other's tokens out.
 *
 * A token the platform refused (40001/40014/42001) is named by its fingerprint; the cache never
 * hands that one out again, but a newer token someone else fetched meanwhile is used as is.
 */
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccessTokenInput, AccessTokenOutput, SceneErrorData } from '../machines/scene-login.types.js';
import type { PlatformClient } from './platform.js';
import { isSceneStoreError, type SceneStore } from './store.js';

export interface TokenCacheOptions {
  readonly store: SceneStore;
  readonly platform: PlatformClient;
  readonly appId: string;
  readonly now?: () => number;
  /** How long a refresher may hold the lock before others may take over (it crashed). */
  readonly lockTtlMs?: number;
  /** How often a waiting caller looks again while another refreshes. */
  readonly waitStepMs?: number;
}

export interface TokenCache {
  get(input: AccessTokenInput, signal: AbortSignal): Promise<AccessTokenOutput>;
}

interface CachedToken {
  readonly accessToken: string;
  readonly fingerprint: string;
  /** When this cache stops handing it out: before the platform's expiry. */
  readonly useUntil: number;
}

export const DEFAULT_TOKEN_LOCK_TTL_MS = 15_000;
const DEFAULT_WAIT_STEP_MS = 50;
/** Stop using a token this long before it expires (at most a fifth of its life). */
const MAX_MARGIN_MS = 5 * 60_000;

/** Names a token without revealing it; safe for context, snapshots and logs. */
export function tokenFingerprint(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest('hex').slice(0, 16);
}

export function useUntilOf(obtainedAt: number, expiresInSeconds: number): number {
  const lifeMs = expiresInSeconds * 1000;
  return obtainedAt + lifeMs - Math.min(MAX_MARGIN_MS, Math.floor(lifeMs / 5));
}

function parseCached(text: string | null): CachedToken | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<CachedToken> | null;
    if (typeof value?.accessToken !== 'string' || typeof value.fingerprint !== 'string' || typeof value.useUntil !== 'number') return null;
    return { accessToken: value.accessToken, fingerprint: value.fingerprint, useUntil: value.useUntil };
  } catch {
    return null;
  }
}

const storeError = (err: unknown): SceneErrorData => ({
  code: 'store',
  endpoint: 'store',
  message: isSceneStoreError(err) ? err.message : 'scene store: token cache failed',
});

export function createTokenCache(options: TokenCacheOptions): TokenCache {
  const { store, platform, appId } = options;
  const now = options.now ?? Date.now;
  const lockTtlMs = options.lockTtlMs ?? DEFAULT_TOKEN_LOCK_TTL_MS;
  const waitStepMs = options.waitStepMs ?? DEFAULT_WAIT_STEP_MS;
  const lockName = `token:${appId}`;

  const usable = (cached: CachedToken | null, rejected: string | null): cached is CachedToken =>
    cached !== null && cached.useUntil > now() && cached.fingerprint !== rejected;

  const granted = (cached: CachedToken): AccessTokenOutput => ({ ok: true, accessToken: cached.accessToken, fingerprint: cached.fingerprint });

  async function refresh(rejected: string | null, signal: AbortSignal): Promise<AccessTokenOutput> {
    // Someone may have refreshed between our read and taking the lock.
    const cached = parseCached(await store.readToken(appId));
    if (usable(cached, rejected)) return granted(cached);
    const obtainedAt = now();
    const answer = await platform.fetchToken(signal);
    if (!answer.ok) return answer;
    const fresh: CachedToken = {
      accessToken: answer.grant.accessToken,
      fingerprint: tokenFingerprint(answer.grant.accessToken),
      useUntil: useUntilOf(obtainedAt, answer.grant.expiresIn),
    };
    await store.writeToken(appId, JSON.stringify(fresh), fresh.useUntil);
    return granted(fresh);
  }

  async function get(input: AccessTokenInput, signal: AbortSignal): Promise<AccessTokenOutput> {
    const rejected = input.rejectedFingerprint;
    // A waiter gives up after the holder's lock would have expired twice: something is badly wrong then.
    const deadline = now() + 2 * lockTtlMs;
    const owner = randomBytes(12).toString('base64url');
    try {
      for (;;) {
        const cached = parseCached(await store.readToken(appId));
        if (usable(cached, rejected)) return granted(cached);
        if (await store.acquireLock(lockName, owner, lockTtlMs)) {
          try {
            return await refresh(rejected, signal);
          } finally {
            await store.releaseLock(lockName, owner).catch(() => undefined);
          }
        }
        if (now() >= deadline) {
          return { ok: false, error: { code: 'timeout', endpoint: 'token', message: 'token: another instance held the refresh lock too long' } };
        }
        await sleep(waitStepMs, undefined, { signal });
      }
    } catch (err) {
      if (signal.aborted) return { ok: false, error: { code: 'aborted', endpoint: 'token', message: 'token: request aborted' } };
      return { ok: false, error: storeError(err) };
    }
  }

  return { get };
}
