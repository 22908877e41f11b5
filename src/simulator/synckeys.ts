/**
 * The simulator's SyncKey model. A session's log is a sequence of entries (messages, contact
 * changes, phone activity); a key names a position in it. Key 1 carries the position (a base plus
 * the number of entries covered), so any key the client presents — the newest or one stored days
 * ago — says exactly which entries it has seen. The other keys move along so the key looks like
 * the real server's: webwxinit gives keys 1, 2, 3, 1000; webwxsync adds 11, 201 and 1001.
 */
import { int, type SafeInt } from '../codecs/common.js';
import type { SyncKey, SyncKeyItem } from '../codecs/session.js';
import { randInt, type Rng } from './generate.js';

export interface KeyBase {
  readonly b1: number;
  readonly b2: number;
  readonly b3: number;
  readonly b11: number;
  /** The session's start in seconds (key 1000). */
  readonly t0: number;
}

export function createKeyBase(rng: Rng, nowMs: number): KeyBase {
  const base = randInt(rng, 600_000_000, 700_000_000);
  return {
    b1: base,
    b2: base + randInt(rng, 1, 40),
    b3: base - randInt(rng, 1, 90),
    b11: base - randInt(rng, 100, 5_000),
    t0: Math.floor(nowMs / 1000) - randInt(rng, 60, 3_600),
  };
}

const item = (Key: number, Val: number): SyncKeyItem => ({ Key: int(Key), Val: int(Val) });
const key = (List: SyncKeyItem[]): SyncKey => ({ Count: int(List.length) as SafeInt, List });

/** webwxinit's key: four items, like the captures. */
export function initSyncKey(base: KeyBase, pos: number): SyncKey {
  return key([item(1, base.b1 + pos), item(2, base.b2 + pos), item(3, base.b3 + pos), item(1000, base.t0)]);
}

/** The seven items webwxsync answers; only the key 1001 item tells SyncKey from SyncCheckKey. */
function sevenItemKey(base: KeyBase, pos: number, lastSec: number, key1001: number): SyncKey {
  return key([
    item(1, base.b1 + pos),
    item(2, base.b2 + pos),
    item(3, base.b3 + pos),
    item(11, base.b11 + pos),
    item(201, lastSec),
    item(1000, base.t0),
    item(1001, key1001),
  ]);
}

/** webwxsync's SyncKey: seven items. `lastSec` is the time of the newest entry covered. */
export function syncSyncKey(base: KeyBase, pos: number, lastSec: number): SyncKey {
  return sevenItemKey(base, pos, lastSec, base.t0 + 73);
}

/**
 * webwxsync's SyncCheckKey: the same position, but not the same key (key 1001 differs), so the
 * request log shows which of the two a client formats for synccheck.
 */
export function syncCheckKey(base: KeyBase, pos: number, lastSec: number): SyncKey {
  return sevenItemKey(base, pos, lastSec, base.t0 + 74);
}

/** The position a key names, or null when it has no usable key 1. Not clamped. */
export function positionOfKey(base: KeyBase, list: readonly { Key: unknown; Val: unknown }[]): number | null {
  const first = list.find((k) => Number(k.Key) === 1);
  if (!first) return null;
  const val = Number(first.Val);
  return Number.isSafeInteger(val) ? val - base.b1 : null;
}

/** Parses synccheck's `synckey` parameter (`1_652651920|2_652651939|…`) into items; null when malformed. */
export function parseSyncKeyParam(text: string): { Key: number; Val: number }[] | null {
  if (text === '') return null;
  const out: { Key: number; Val: number }[] = [];
  for (const part of text.split('|')) {
    const m = /^(\d{1,10})_(\d{1,15})$/.exec(part);
    if (!m) return null;
    out.push({ Key: Number(m[1]), Val: Number(m[2]) });
  }
  return out;
}
