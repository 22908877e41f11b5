/**
 * What a stored session must look like to be used: validated on load (a file may be old, edited
 * or damaged) and before every save (never write what could not be loaded back).
 */
import * as t from 'io-ts';
import { CookieJar } from 'tough-cookie';
import { SafeInt } from '../codecs/common.js';
import { SyncKey } from '../codecs/session.js';
import type { StoredSession } from './types.js';

const NonEmpty = t.refinement(t.string, (s) => s.length > 0, 'NonEmptyString');

/** An http(s) origin as decideHosts produces it: `scheme://host[:port]`, nothing after. */
const Origin = t.refinement(
  t.string,
  (s) => {
    try {
      const url = new URL(s);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === s;
    } catch {
      return false;
    }
  },
  'Origin',
);

const Hosts = t.type({ login: Origin, main: Origin, push: Origin, file: Origin });

const Credentials = t.type({
  skey: NonEmpty,
  wxsid: NonEmpty,
  wxuin: t.refinement(t.string, (s) => /^\d{1,15}$/.test(s), 'WxUin'),
  passTicket: NonEmpty,
  deviceId: t.refinement(t.string, (s) => /^e\d{15}$/.test(s), 'DeviceID'),
});

const SessionUser = t.type({ UserName: t.string, NickName: t.string, Uin: SafeInt });

/** Accepts exactly what `CookieJar.deserializeSync` can restore (createServiceDeps does that). */
const SerializedCookieJar = new t.Type<unknown, unknown, unknown>(
  'SerializedCookieJar',
  (u): u is unknown => true,
  (u, c) => {
    if (typeof u !== 'object' || u === null || !Array.isArray((u as { cookies?: unknown }).cookies)) {
      return t.failure(u, c, 'not a serialized cookie jar');
    }
    try {
      CookieJar.deserializeSync(u as Parameters<typeof CookieJar.deserializeSync>[0]);
      return t.success(u);
    } catch {
      return t.failure(u, c, 'not a serialized cookie jar');
    }
  },
  t.identity,
);

export const StoredSessionCodec = t.exact(
  t.type({
    version: t.literal(1),
    hosts: Hosts,
    credentials: Credentials,
    uos: t.boolean,
    user: t.union([SessionUser, t.null]),
    syncKey: SyncKey,
    syncCheckKey: t.union([SyncKey, t.null]),
    cookies: SerializedCookieJar,
    delivered: t.array(t.string),
    savedAt: t.number,
  }),
);

// The codec's type must be usable as the contract's type.
const _sameShape = (s: t.TypeOf<typeof StoredSessionCodec>): StoredSession => s;
void _sameShape;
