/**
 * Secrets and ids in the shapes the real servers use (see the captures quoted in PROTOCOL.md):
 * uuid `gYmByqjV8Q==`, sid `5YpLHmVgWwH5LxN1`, skey `@crypt_63d18dea_a7de…`, a pass_ticket that is
 * percent-encoded base64 (so clients that decode or double-encode it are caught), cookie values.
 */
import type { Rng } from './generate.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const B64 = `${ALNUM}+/`;
const HEX = '0123456789abcdef';

function draw(rng: Rng, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(rng() * alphabet.length)];
  return out;
}

export const hexOf = (rng: Rng, length: number): string => draw(rng, HEX, length);

/** A login uuid: ten base64 characters and `==`. */
export const makeUuid = (rng: Rng): string => `${draw(rng, `${ALNUM}-_`, 10)}==`;

export const makeSid = (rng: Rng): string => draw(rng, ALNUM, 16);

export const makeSkey = (rng: Rng): string => `@crypt_${hexOf(rng, 8)}_${hexOf(rng, 32)}`;

/** The redirect's ticket, e.g. `AaXdHpmbWGYo_ZOk7ylAnnCY@qrticket_0`. */
export const makeTicket = (rng: Rng): string => `${draw(rng, `${ALNUM}_`, 24)}@qrticket_0`;

/**
 * The pass_ticket as the XML carries it: base64 percent-encoded. It always holds a `+` and a `/`
 * (as `%2B` and `%2F`), so a client that decodes it, or that sends it without encoding it again,
 * presents a different value than one that keeps the text.
 */
export function makePassTicket(rng: Rng): string {
  const raw = `${draw(rng, B64, 20)}+${draw(rng, B64, 20)}/${draw(rng, B64, 21)}=`;
  return encodeURIComponent(raw);
}

export const makeDataTicket = (rng: Rng): string => draw(rng, B64, 24);

/** webwx_auth_ticket: long base64 (with `/`, `+` and `=` as in the captures). */
export const makeAuthTicket = (rng: Rng): string => `CIsBE${draw(rng, B64, 160)}=`;

export const makeUvid = (rng: Rng): string => hexOf(rng, 96);

/** A small JPEG as the login poll's `userAvatar` data URL (real JPEG markers, arbitrary payload). */
export function makeAvatar(rng: Rng): string {
  const bytes = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x01, 0x00, 0x48, 0x00, 0x48, 0x00, 0x00];
  for (let i = 0; i < 96; i++) bytes.push(Math.floor(rng() * 256));
  bytes.push(0xff, 0xd9);
  return `data:img/jpg;base64,${Buffer.from(bytes).toString('base64')}`;
}

/** `e` + 15 digits, as BaseRequest.DeviceID. */
export const isDeviceId = (value: unknown): boolean => typeof value === 'string' && /^e\d{15}$/.test(value);
