/**
 * Money as WeChat writes it in notices (`12.50`, `1,288.00`, `0.5`) held as integer fen, so sums
 * and CSV columns never meet floating-point rounding.
 */

/** An amount in yuan: digits with optional thousands commas, at most two decimals. */
export const AMOUNT_SOURCE = String.raw`(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?`;

/** Larger than any single WeChat payment; a number past it is not an amount but noise. */
export const MAX_FEN = 100_000_000_00;

/** `1,288.5` → 128850; null when the text is not a positive amount within bounds. */
export function parseFen(integerPart: string, decimals: string | undefined): number | null {
  const whole = Number(integerPart.replace(/,/g, ''));
  const cents = Number((decimals ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(whole) || !Number.isInteger(cents)) return null;
  const fen = whole * 100 + cents;
  return fen > 0 && fen <= MAX_FEN ? fen : null;
}

/** 128850 → `1288.50` */
export function formatYuan(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}
