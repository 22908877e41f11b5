/**
 * The two pictures of the login, as URLs a page can show without fetching anything: the QR drawn
 * here as SVG (the browser may have no internet, and the QR's own image URL is WeChat's), and the
 * avatar the login poll sent after the scan.
 */
import { renderQrSvg } from '../cli/qr.js';

/** The QR as a `data:` URL. Percent-encoded, so no `=` survives for a secret pattern to misread. */
export async function qrImageUrl(qrText: string): Promise<string> {
  const svg = await renderQrSvg(qrText);
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

const AVATAR = /^data:(?:img|image)\/(jpe?g|jpg|png|gif|webp);base64,([A-Za-z0-9+/]+)(={0,2})$/;
/** A real avatar is a few kB; anything far larger is not shown. */
export const MAX_AVATAR_CHARS = 256 * 1024;

/**
 * The login poll's `userAvatar` as a URL an <img> can show, or null when it is not an image data
 * URL. WeChat writes `data:img/jpg;base64,…`; browsers want `image/jpeg`. The `=` padding is
 * dropped (browsers decode unpadded base64), which makes the URL invariant under redactSecrets:
 * without `=`, `@`, `<` or quotes no secret pattern can match inside it.
 */
export function normaliseAvatar(avatar: string | null | undefined): string | null {
  if (typeof avatar !== 'string' || avatar.length > MAX_AVATAR_CHARS) return null;
  const match = AVATAR.exec(avatar.trim());
  if (!match) return null;
  const kind = match[1] === 'png' || match[1] === 'gif' || match[1] === 'webp' ? match[1] : 'jpeg';
  return `data:image/${kind};base64,${match[2]}`;
}
