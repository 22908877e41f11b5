/**
 * Runs scene-login machines over a shared SceneStore. A scene's machine does not live in one
 * process: each event (a scan from the platform's callback, a binding from the browser, expiry
 * noticed by a poll) restores the scene's persisted snapshot, lets the machine take the event,
 * and writes the result back by compare-and-set. The instance that loses a race reloads and lets
 * the machine decide again — so replays and concurrent deliveries stay harmless.
 *
 * Polls only read. A state that invokes something (`scanned` looking up the binding, `binding`)
 * is written first, so every instance's poll sees it, and again when the invocation settles. If
 * the process dies in between, the next event for the scene (the platform redelivers a callback
 * that got no answer; the browser resends a binding) restores the invocation and finishes it
 * before taking the event — safe to repeat: the lookup is a read, and binding the same pair
 * twice answers the same user.
 */
import { randomBytes } from 'node:crypto';
import { createActor, transition, waitFor, type SnapshotFrom } from 'xstate';
import { SCENE_STR_PATTERN, type FollowKind } from '../codecs/scene.js';
import { provideSceneLoginActors, type ProvidedSceneLoginMachine } from '../machines/scene-login.actors.js';
import { statusOfValue } from '../machines/scene-login.machine.js';
import type { SceneErrorData, SceneLoginContext, SceneLoginEvent, SceneResult, SceneStatus } from '../machines/scene-login.types.js';
import type { AccountDirectory } from './accounts.js';
import { createPlatformClient, type PlatformClient, type PlatformConfig } from './platform.js';
import { isSceneStoreError, type SceneStore } from './store.js';
import { createTokenCache, type TokenCache } from './token-cache.js';

/** What `GET /login/scene` answers: `sceneId` is the scene_str inside the QR. */
export interface SceneView {
  readonly sceneId: string;
  /** The platform's showqrcode image URL. */
  readonly qrUrl: string;
  /** What the QR encodes (for drawing it locally). */
  readonly qrContent: string;
  /** ms since the epoch. */
  readonly expiresAt: number;
}

/** What a poll sees. */
export interface SceneStatusView {
  readonly sceneId: string;
  readonly status: SceneStatus;
  readonly expiresAt: number;
  /** What the QR encodes, for drawing it again. */
  readonly qrContent: string | null;
  readonly openid: string | null;
  readonly follow: FollowKind | null;
  readonly userId: string | null;
  readonly bindError: { readonly code: string; readonly message: string } | null;
  readonly error: { readonly code: string; readonly message: string } | null;
}

/** `unknown`: no such scene (never made, or gone with its QR). */
export type SceneOutcome =
  | { readonly outcome: 'unknown' }
  | { readonly outcome: 'changed' | 'unchanged'; readonly view: SceneStatusView };

export interface SceneLoginServiceOptions {
  readonly store: SceneStore;
  readonly accounts: AccountDirectory;
  /** The platform; or give `platformClient` directly. */
  readonly platform?: PlatformConfig;
  readonly platformClient?: PlatformClient;
  /** Needed with `platformClient` (the token cache is per app). */
  readonly appId?: string;
  /** The QR's lifetime (default 300 s): how long the page may wait for a scan. */
  readonly expireSeconds?: number;
  /** How long after expiry a poll still hears `expired` before the scene is gone (default 120 s). */
  readonly graceMs?: number;
  /** Upper bound for an invocation to settle inside one request (default 30 s). */
  readonly settleTimeoutMs?: number;
  readonly now?: () => number;
}

export interface SceneLoginService {
  /** Fetches the token if needed, creates the QR and stores the scene. */
  create(): Promise<SceneResult<{ readonly scene: SceneView }>>;
  /** The scene as a poll sees it (null when unknown); expiry is applied here when it is due. */
  status(sceneId: string): Promise<SceneResult<{ readonly view: SceneStatusView | null }>>;
  /** The platform said `openid` scanned the scene's QR. */
  scan(sceneId: string, openid: string, follow: FollowKind): Promise<SceneResult<{ readonly result: SceneOutcome }>>;
  /** The browser bound a phone number to the scanning follower. */
  bind(sceneId: string, phone: string): Promise<SceneResult<{ readonly result: SceneOutcome }>>;
}

export const DEFAULT_SCENE_EXPIRE_SECONDS = 300;
const DEFAULT_GRACE_MS = 120_000;
const DEFAULT_SETTLE_TIMEOUT_MS = 30_000;
/** Compare-and-set retries before a store is declared too busy; each loser reloads once. */
const MAX_ATTEMPTS = 8;

type SceneSnapshot = SnapshotFrom<ProvidedSceneLoginMachine>;

interface StoredRecord {
  /** The machine's persisted snapshot (plain JSON). */
  readonly snapshot: unknown;
}

function contextOf(snapshot: unknown): SceneLoginContext | null {
  const context = (snapshot as { context?: unknown } | null)?.context;
  return context !== null && typeof context === 'object' && typeof (context as SceneLoginContext).sceneId === 'string'
    ? (context as SceneLoginContext)
    : null;
}

const publicError = (e: SceneErrorData | null): { code: string; message: string } | null =>
  e === null ? null : { code: e.code, message: e.message };

export function viewOf(snapshot: unknown): SceneStatusView | null {
  const context = contextOf(snapshot);
  if (context === null) return null;
  return {
    sceneId: context.sceneId,
    status: statusOfValue((snapshot as { value?: unknown }).value),
    expiresAt: context.expiresAt,
    qrContent: context.qrContent,
    openid: context.openid,
    follow: context.follow,
    userId: context.userId,
    bindError: publicError(context.bindError),
    error: publicError(context.error),
  };
}

const storeFailure = (err: unknown): { ok: false; error: SceneErrorData } => ({
  ok: false,
  error: { code: 'store', endpoint: 'store', message: isSceneStoreError(err) ? err.message : 'scene store: failed' },
});

export function isValidSceneId(sceneId: string): boolean {
  return SCENE_STR_PATTERN.test(sceneId);
}

export function createSceneLoginService(options: SceneLoginServiceOptions): SceneLoginService {
  const { store, accounts } = options;
  const now = options.now ?? Date.now;
  const expireSeconds = options.expireSeconds ?? DEFAULT_SCENE_EXPIRE_SECONDS;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const settleTimeoutMs = options.settleTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS;
  const platform = options.platformClient ?? (options.platform ? createPlatformClient(options.platform) : null);
  const appId = options.appId ?? options.platform?.appId;
  if (platform === null || appId === undefined) throw new TypeError('createSceneLoginService: give `platform`, or `platformClient` with `appId`');
  const tokens: TokenCache = createTokenCache({ store, platform, appId, now });
  const machine = provideSceneLoginActors({ tokens, platform, accounts });

  const deleteAtOf = (snapshot: SceneSnapshot): number => snapshot.context.expiresAt + graceMs;
  const encode = (snapshot: unknown): string => JSON.stringify({ snapshot } satisfies StoredRecord);
  const settle = (actor: ReturnType<typeof createActor<ProvidedSceneLoginMachine>>): Promise<SceneSnapshot> =>
    waitFor(actor, (s) => !s.hasTag('busy'), { timeout: settleTimeoutMs });

  function decode(data: string): StoredRecord | null {
    try {
      const record = JSON.parse(data) as Partial<StoredRecord> | null;
      return record !== null && typeof record === 'object' && contextOf(record.snapshot) !== null ? { snapshot: record.snapshot } : null;
    } catch {
      return null;
    }
  }

  async function create(): Promise<SceneResult<{ scene: SceneView }>> {
    const sceneId = randomBytes(16).toString('base64url');
    const actor = createActor(machine, { input: { sceneId, expireSeconds, now: now() } });
    actor.start();
    try {
      const settled = await settle(actor);
      const c = settled.context;
      if (statusOfValue(settled.value) !== 'pending' || c.imageUrl === null || c.qrContent === null) {
        return { ok: false, error: c.error ?? { code: 'internal', endpoint: 'qrcodeCreate', message: 'the scene did not reach pending' } };
      }
      // Only settled states are stored: the creating states' inputs hold the access token.
      if (!(await store.insertScene(sceneId, encode(actor.getPersistedSnapshot()), deleteAtOf(settled)))) {
        return { ok: false, error: { code: 'internal', endpoint: 'store', message: 'scene id collision' } };
      }
      return { ok: true, scene: { sceneId, qrUrl: c.imageUrl, qrContent: c.qrContent, expiresAt: c.expiresAt } };
    } catch (err) {
      return isSceneStoreError(err)
        ? storeFailure(err)
        : { ok: false, error: { code: 'timeout', endpoint: 'qrcodeCreate', message: 'creating the scene took too long' } };
    } finally {
      actor.stop();
    }
  }

  /** 'conflict': another instance changed the scene first; 'recovered': we finished a stranded invocation. */
  type Attempt = SceneResult<{ result: SceneOutcome }> | 'conflict' | 'recovered';

  /** Applies one event to the stored scene; see the header for the protocol. */
  async function apply(sceneId: string, event: SceneLoginEvent): Promise<SceneResult<{ result: SceneOutcome }>> {
    try {
      let recovered = false;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const result = await applyOnce(sceneId, event);
        if (result === 'recovered') recovered = true;
        else if (result !== 'conflict') {
          return recovered && result.ok && result.result.outcome === 'unchanged' ? { ok: true, result: { ...result.result, outcome: 'changed' } } : result;
        }
      }
      return { ok: false, error: { code: 'store', endpoint: 'store', message: 'scene store: too many concurrent changes' } };
    } catch (err) {
      return storeFailure(err);
    }
  }

  /** One try at applying the event to the stored scene. */
  async function applyOnce(sceneId: string, event: SceneLoginEvent): Promise<Attempt> {
    const stored = await store.readScene(sceneId);
    const record = stored === null ? null : decode(stored.data);
    if (stored === null || record === null) return { ok: true, result: { outcome: 'unknown' } };
    const current = restore(sceneId, record.snapshot);
    if (current.getSnapshot().hasTag('busy')) {
      // An invocation left running by an instance that died (or is still at it): finish it first.
      const recovered = await runInvocation(sceneId, stored.version, record.snapshot);
      if (recovered === 'timeout') return viewResult('unchanged', record.snapshot);
      // Either way, reload: the event applies to the finished state.
      return recovered === 'conflict' ? 'conflict' : 'recovered';
    }
    const before = current.getSnapshot();
    // A finished scene takes no events (and XState warns about sending to a done actor).
    if (before.status === 'done') return viewResult('unchanged', record.snapshot);
    // The next state is computed without running anything: an invocation it starts must only run
    // once this instance has won the write, or a losing instance would bind a phone number too.
    const [next] = transition(machine, before, event);
    const persisted = machine.getPersistedSnapshot(next);
    if (JSON.stringify(persisted) === JSON.stringify(machine.getPersistedSnapshot(before))) return viewResult('unchanged', record.snapshot);
    if (!(await store.replaceScene(sceneId, stored.version, encode(persisted), deleteAtOf(next)))) return 'conflict';
    if (!next.hasTag('busy')) return viewResult('changed', persisted);
    const settled = await runInvocation(sceneId, stored.version + 1, persisted);
    if (settled === 'timeout') return viewResult('changed', persisted);
    if (settled !== 'conflict') return viewResult('changed', settled.snapshot);
    // Another instance finished the same invocation first: theirs stands.
    const view = await readView(sceneId);
    return { ok: true, result: view === null ? { outcome: 'unknown' } : { outcome: 'changed', view } };
  }

  function restore(sceneId: string, snapshot: unknown) {
    // The input is required by the types but unused: a restored actor keeps the snapshot's context.
    return createActor(machine, { snapshot: snapshot as SceneSnapshot, input: { sceneId, expireSeconds, now: 0 } });
  }

  /**
   * Starts the invocation of a stored busy snapshot, waits for it to settle and stores the
   * result at `version`. Answers the stored snapshot, 'conflict' when the version moved on, or
   * 'timeout' when it did not settle in time (the next event for the scene tries again).
   */
  async function runInvocation(sceneId: string, version: number, snapshot: unknown): Promise<{ snapshot: unknown } | 'conflict' | 'timeout'> {
    const actor = restore(sceneId, snapshot);
    try {
      actor.start();
      const settled = await settle(actor).catch(() => null);
      if (settled === null) return 'timeout';
      const persisted = actor.getPersistedSnapshot();
      return (await store.replaceScene(sceneId, version, encode(persisted), deleteAtOf(settled))) ? { snapshot: persisted } : 'conflict';
    } finally {
      actor.stop();
    }
  }

  const viewResult = (outcome: 'changed' | 'unchanged', snapshot: unknown): Attempt => ({ ok: true, result: { outcome, view: viewOf(snapshot)! } });

  async function readView(sceneId: string): Promise<SceneStatusView | null> {
    const stored = await store.readScene(sceneId);
    const record = stored === null ? null : decode(stored.data);
    return record === null ? null : viewOf(record.snapshot);
  }

  async function status(sceneId: string): Promise<SceneResult<{ view: SceneStatusView | null }>> {
    if (!isValidSceneId(sceneId)) return { ok: true, view: null };
    try {
      const view = await readView(sceneId);
      // Only these two states wait on the user; in them expiry is an event the machine decides on.
      if (view !== null && (view.status === 'pending' || view.status === 'needsBinding') && now() >= view.expiresAt) {
        const applied = await apply(sceneId, { type: 'EXPIRE', at: now() });
        if (!applied.ok) return applied;
        return { ok: true, view: applied.result.outcome === 'unknown' ? null : applied.result.view };
      }
      return { ok: true, view };
    } catch (err) {
      return storeFailure(err);
    }
  }

  return {
    create,
    status,
    scan: (sceneId, openid, follow) =>
      isValidSceneId(sceneId) ? apply(sceneId, { type: 'SCAN', openid, follow, at: now() }) : Promise.resolve({ ok: true, result: { outcome: 'unknown' } }),
    bind: (sceneId, phone) =>
      isValidSceneId(sceneId) ? apply(sceneId, { type: 'BIND', phone, at: now() }) : Promise.resolve({ ok: true, result: { outcome: 'unknown' } }),
  };
}
