import QRCode from 'qrcode';

/** The QR drawn with terminal block characters (two rows per line, so it fits a normal terminal). */
export function renderQrForTerminal(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}

export function writeQrPng(file: string, text: string): Promise<void> {
  return QRCode.toFile(file, text, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 360 });
}

export function renderQrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
