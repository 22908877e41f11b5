import QRCode from 'qrcode';

/** Light modules around the code; scanners need a quiet zone to find it. */
const QUIET_ZONE = 2;
/** Black on white whatever the terminal's theme (a scanner wants dark modules on light ground). */
const LINE_START = '\x1b[47m\x1b[30m';
const LINE_END = '\x1b[0m';

/** Half blocks: one character holds two rows, top and bottom, so the code keeps its square shape. */
function cell(top: boolean, bottom: boolean): string {
  if (top && bottom) return '█';
  if (top) return '▀';
  if (bottom) return '▄';
  return ' ';
}

/**
 * The QR drawn with terminal block characters, two module rows per line. Synchronous, so the
 * drawing lands between the lines that announce it and the next event.
 */
export function renderQrForTerminal(text: string): string {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const dark = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < size && y < size && Boolean(modules.get(y, x));
  const lines: string[] = [];
  for (let y = -QUIET_ZONE; y < size + QUIET_ZONE; y += 2) {
    let line = '';
    for (let x = -QUIET_ZONE; x < size + QUIET_ZONE; x++) line += cell(dark(x, y), dark(x, y + 1));
    lines.push(`${LINE_START}${line}${LINE_END}`);
  }
  return lines.join('\n');
}

export function writeQrPng(file: string, text: string): Promise<void> {
  return QRCode.toFile(file, text, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 360 });
}

/** The QR as an SVG document (the web console shows it). */
export function renderQrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
