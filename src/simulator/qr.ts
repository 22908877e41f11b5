/**
 * The QR image: a real JPEG (PROTOCOL.md: the login server's `/qrcode/<uuid>` is JPEG) of what the
 * real QR encodes, so a phone-less test can still decode it. qrcode lays out the modules, jpeg-js
 * encodes the pixels: qrcode writes PNG and SVG only.
 */
import jpeg from 'jpeg-js';
import QRCode from 'qrcode';
import { QR_TEXT_ORIGIN } from '../services/hosts.js';

export const qrText = (uuid: string): string => `${QR_TEXT_ORIGIN}/l/${uuid}`;

/** Quiet zone and module size, in modules and pixels: about the real image's 430 px for a version 3 code. */
export const QR_MARGIN_MODULES = 2;
export const QR_MODULE_PIXELS = 10;

/** The modules of the QR for `uuid`: `dark(row, col)`, and the side in modules (no margin). */
export function qrModules(uuid: string): { readonly size: number; dark(row: number, col: number): boolean } {
  const { modules } = QRCode.create(qrText(uuid), { errorCorrectionLevel: 'M' });
  return { size: modules.size, dark: (row, col) => modules.get(row, col) === 1 };
}

export function renderQrJpeg(uuid: string): Buffer {
  const qr = qrModules(uuid);
  const side = (qr.size + 2 * QR_MARGIN_MODULES) * QR_MODULE_PIXELS;
  // White RGBA everywhere, then each dark module as a black square.
  const data = Buffer.alloc(side * side * 4, 255);
  for (let row = 0; row < qr.size; row++) {
    for (let col = 0; col < qr.size; col++) {
      if (!qr.dark(row, col)) continue;
      const top = (row + QR_MARGIN_MODULES) * QR_MODULE_PIXELS;
      const left = (col + QR_MARGIN_MODULES) * QR_MODULE_PIXELS;
      for (let y = top; y < top + QR_MODULE_PIXELS; y++) {
        const start = (y * side + left) * 4;
        for (let i = start; i < start + QR_MODULE_PIXELS * 4; i += 4) data[i] = data[i + 1] = data[i + 2] = 0;
      }
    }
  }
  return jpeg.encode({ data, width: side, height: side }, 90).data;
}
