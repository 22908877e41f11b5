/** The QR image: a real PNG encoding what the real QR encodes, so a phone-less test can still decode it. */
import QRCode from 'qrcode';
import { QR_TEXT_ORIGIN } from '../services/hosts.js';

export const qrText = (uuid: string): string => `${QR_TEXT_ORIGIN}/l/${uuid}`;

export function renderQrPng(uuid: string): Promise<Buffer> {
  return QRCode.toBuffer(qrText(uuid), { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 280 });
}
