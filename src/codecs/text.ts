/**
 * The grammar of the login server's script answers, e.g.
 *   window.QRLogin.code = 200; window.QRLogin.uuid = "gYmByqjV8Q==";
 *   window.code=201;window.userAvatar = 'data:img/jpg;base64,...';
 *   window.synccheck={retcode:"0",selector:"2"}
 *
 *   program    := ws (assignment ws)* EOF
 *   assignment := "window" ("." ident)+ ws "=" ws value ws ";"?
 *   value      := number | string | object
 *   object     := "{" ws (key ws ":" ws value ws ("," ws key ws ":" ws value ws)*)? ","? ws "}"
 *   key        := ident | string
 *   string     := '"' … '"' | "'" … "'"   (backslash escapes; JS line continuations)
 *
 * A hand-written scanner: one pass, no backtracking, no eval. Typographic quotes (“ ”) are taken
 * as double quotes because answers copied through blogs and chat tools arrive that way.
 */

export type ScriptValue = number | string | ScriptObject;
export interface ScriptObject {
  readonly [key: string]: ScriptValue;
}

export class ScriptSyntaxError extends Error {
  constructor(
    readonly offset: number,
    reason: string,
  ) {
    super(`${reason} at offset ${offset}`);
    this.name = 'ScriptSyntaxError';
  }
}

const MAX_DEPTH = 8;
const MAX_NUMBER_DIGITS = 20;

const isIdentStart = (c: number): boolean =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x24;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c);
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xa0 || c === 0xfeff;

const OPEN_QUOTES: ReadonlyMap<number, ReadonlySet<number>> = new Map([
  [0x22, new Set([0x22])],
  [0x27, new Set([0x27])],
  [0x201c, new Set([0x201d, 0x201c])],
  [0x201d, new Set([0x201d, 0x201c])],
]);

class Scanner {
  pos = 0;
  constructor(readonly src: string) {}

  get done(): boolean {
    return this.pos >= this.src.length;
  }
  peek(): number {
    return this.src.charCodeAt(this.pos);
  }
  fail(reason: string): never {
    throw new ScriptSyntaxError(this.pos, reason);
  }
  skipSpace(): void {
    while (!this.done && isSpace(this.peek())) this.pos++;
  }
  expect(ch: string): void {
    if (this.src[this.pos] !== ch) this.fail(`expected '${ch}'`);
    this.pos++;
  }
  ident(): string {
    const start = this.pos;
    if (this.done || !isIdentStart(this.peek())) this.fail('expected a name');
    while (!this.done && isIdentPart(this.peek())) this.pos++;
    return this.src.slice(start, this.pos);
  }
  number(): number {
    const start = this.pos;
    if (this.src[this.pos] === '-') this.pos++;
    const digitsStart = this.pos;
    while (!this.done && isDigit(this.peek())) this.pos++;
    const digits = this.pos - digitsStart;
    if (digits === 0) this.fail('expected a number');
    if (digits > MAX_NUMBER_DIGITS) this.fail('number too long');
    return Number(this.src.slice(start, this.pos));
  }
  string(): string {
    const closers = OPEN_QUOTES.get(this.peek());
    if (!closers) this.fail('expected a string');
    this.pos++;
    let out = '';
    let chunkStart = this.pos;
    for (;;) {
      if (this.done) this.fail('unterminated string');
      const c = this.peek();
      if (closers.has(c)) {
        out += this.src.slice(chunkStart, this.pos);
        this.pos++;
        return out;
      }
      if (c === 0x5c) {
        out += this.src.slice(chunkStart, this.pos);
        this.pos++;
        out += this.escape();
        chunkStart = this.pos;
        continue;
      }
      this.pos++;
    }
  }
  private escape(): string {
    if (this.done) this.fail('unterminated escape');
    const c = this.src[this.pos]!;
    this.pos++;
    switch (c) {
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      case '0':
        return '\0';
      case '\r':
        // A JS line continuation: backslash + line break is nothing.
        if (this.src[this.pos] === '\n') this.pos++;
        return '';
      case '\n':
      case '\u2028':
      case '\u2029':
        return '';
      case 'x':
        return String.fromCharCode(this.hex(2));
      case 'u':
        return String.fromCharCode(this.hex(4));
      default:
        return c;
    }
  }
  private hex(count: number): number {
    const text = this.src.slice(this.pos, this.pos + count);
    if (text.length !== count || !/^[0-9a-fA-F]+$/.test(text)) this.fail('bad hex escape');
    this.pos += count;
    return Number.parseInt(text, 16);
  }
  value(depth: number): ScriptValue {
    const c = this.peek();
    if (c === 0x7b) return this.object(depth + 1);
    if (c === 0x2d || isDigit(c)) return this.number();
    return this.string();
  }
  object(depth: number): ScriptObject {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    this.expect('{');
    // A null-prototype record: keys such as __proto__ stay plain data.
    const out: Record<string, ScriptValue> = Object.create(null);
    this.skipSpace();
    while (this.src[this.pos] !== '}') {
      const key = OPEN_QUOTES.has(this.peek()) ? this.string() : this.ident();
      this.skipSpace();
      this.expect(':');
      this.skipSpace();
      out[key] = this.value(depth);
      this.skipSpace();
      if (this.src[this.pos] === ',') {
        this.pos++;
        this.skipSpace();
      } else if (this.src[this.pos] !== '}') {
        this.fail("expected ',' or '}'");
      }
    }
    this.pos++;
    return out;
  }
}

/**
 * Parses a script answer into a map from the assigned path (without `window.`) to its value:
 * `window.QRLogin.uuid = "x"` gives `"QRLogin.uuid" → "x"`. A later assignment to the same path wins.
 */
export function parseWindowAssignments(src: string): Map<string, ScriptValue> {
  const s = new Scanner(src);
  const out = new Map<string, ScriptValue>();
  s.skipSpace();
  while (!s.done) {
    const head = s.ident();
    if (head !== 'window') s.fail("expected 'window'");
    const parts: string[] = [];
    do {
      s.expect('.');
      parts.push(s.ident());
    } while (s.src[s.pos] === '.');
    s.skipSpace();
    s.expect('=');
    s.skipSpace();
    if (s.done) s.fail('expected a value');
    out.set(parts.join('.'), s.value(0));
    s.skipSpace();
    if (s.src[s.pos] === ';') s.pos++;
    s.skipSpace();
  }
  return out;
}
