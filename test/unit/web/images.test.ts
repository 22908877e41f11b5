import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sanitizeForDisplay } from '../../../src/inspect/sanitize.js';
import { MAX_AVATAR_CHARS, normaliseAvatar, qrImageUrl } from '../../../src/web/images.js';

describe('normaliseAvatar', () => {
  it("turns WeChat's data:img/jpg into an image/jpeg URL without padding", () => {
    expect(normaliseAvatar('data:img/jpg;base64,/9j/4AAQSkZJRg==')).toBe('data:image/jpeg;base64,/9j/4AAQSkZJRg');
    expect(normaliseAvatar('data:image/png;base64,iVBORw0KGgo=')).toBe('data:image/png;base64,iVBORw0KGgo');
  });

  it('refuses what is not an image data URL', () => {
    for (const bad of [null, undefined, '', 'https://wx.qq.com/a.jpg', 'data:text/html;base64,PHNjcmlwdD4=', 'data:img/jpg;base64,<script>', 'javascript:alert(1)']) {
      expect(normaliseAvatar(bad)).toBeNull();
    }
    expect(normaliseAvatar(`data:img/jpg;base64,${'A'.repeat(MAX_AVATAR_CHARS)}`)).toBeNull();
  });

  // Invariant: the secret masking every update goes through never alters a real avatar
  // (a picture broken by a lucky `/sid=` in its base64 would be a silent bug).
  it('comes out of sanitizeForDisplay unchanged, for any picture bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 600 }), (bytes) => {
        const url = normaliseAvatar(`data:img/jpg;base64,${Buffer.from(bytes).toString('base64')}`);
        expect(url).not.toBeNull();
        expect(sanitizeForDisplay({ avatar: url })).toEqual({ avatar: url });
        expect(Buffer.from(url!.split(',')[1]!, 'base64')).toEqual(Buffer.from(bytes));
      }),
      { numRuns: 300 },
    );
  });
});

describe('qrImageUrl', () => {
  it('draws the QR as an SVG data URL that secret masking leaves alone', async () => {
    const url = await qrImageUrl('https://login.weixin.qq.com/l/gYmByqjV8Q==');
    expect(url.startsWith('data:image/svg+xml;charset=utf-8,')).toBe(true);
    expect(decodeURIComponent(url.slice(url.indexOf(',') + 1))).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(url.slice(url.indexOf(',') + 1)).not.toContain('=');
    expect(sanitizeForDisplay(url)).toBe(url);
  });
});
