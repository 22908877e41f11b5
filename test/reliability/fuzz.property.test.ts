/**
 * Fuzzing of the inputs the other suites do not already fuzz. The Web protocol's eleven decoders
 * are fuzzed in test/property/codecs/robustness.property.test.ts; here: the official-account
 * (scene) codecs, the body decoding under any Content-Encoding, the stored session file, and the
 * running CLI's stdin commands. Runs scale with WEBWX_SOAK=1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCallbackXml, decodeQrCodeCreateAnswer, decodeQrCodeCreateRequest, decodeTokenAnswer, SceneDecodeError } from '../../src/codecs/scene.js';
import { decodeBody } from '../../src/services/body.js';
import { ServiceFailure } from '../../src/services/errors.js';
import { parseStdinCommand } from '../../src/cli/ndjson.js';
import { fileSessionStore, SessionStoreError, type StoredSession } from '../../src/session/index.js';
import { startSimulator } from '../../src/simulator/index.js';
import { arbHostileText, arbNearMissJson, arbNearMissText } from '../support/arbitraries.js';
import { sampleSession } from '../unit/session/sample.js';
import { ensureBuilt, isEvent, killLeftovers, startCli } from '../integration/cli/harness.js';
import { sized } from './support.js';

const RUNS = sized(300, 3_000);

describe('scene (official-account) codecs on hostile input', () => {
  const decoders = [
    ['token answer', decodeTokenAnswer, '{"access_token":"T0KEN","expires_in":7200}'],
    ['qrcode/create request', decodeQrCodeCreateRequest, '{"expire_seconds":300,"action_name":"QR_STR_SCENE","action_info":{"scene":{"scene_str":"abc"}}}'],
    ['qrcode/create answer', decodeQrCodeCreateAnswer, '{"ticket":"gQH47joAAAAA","expire_seconds":60,"url":"http://weixin.qq.com/q/kZgfwMTm72WWPkovabbI"}'],
    [
      'callback XML',
      decodeCallbackXml,
      '<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oUser_1]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[SCAN]]></Event><EventKey><![CDATA[scene_1]]></EventKey><Ticket><![CDATA[TICKET]]></Ticket></xml>',
    ],
  ] as const;

  // Invariant: whatever arrives, a scene decoder answers a value or throws its SceneDecodeError
  // (code badResponse, a path) — never another exception, never a crash.
  it.each(decoders)('%s: a value or a SceneDecodeError, nothing else', (_name, decode, valid) => {
    const hostile = fc.oneof(
      arbHostileText,
      arbNearMissText(fc.constant(valid)),
      ...(valid.startsWith('{') ? [arbNearMissJson(fc.constant(JSON.parse(valid) as unknown))] : []),
    );
    fc.assert(
      fc.property(hostile, (text) => {
        try {
          decode(text);
        } catch (err) {
          if (!(err instanceof SceneDecodeError)) throw new Error(`threw ${String(err)}`);
          expect(err.code).toBe('badResponse');
          expect(err.path.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('body decoding under any Content-Encoding', () => {
  const LIMIT = 4096;
  const encodings = ['gzip', 'x-gzip', 'deflate', 'br', 'identity', 'compress', 'gzip, br', 'GZIP', '', ' ', 'deflate, deflate'] as const;
  const encode = (encoding: string, raw: Buffer, raw2: boolean): Buffer => {
    switch (encoding.trim().toLowerCase()) {
      case 'gzip':
      case 'x-gzip':
        return gzipSync(raw);
      case 'deflate':
        return raw2 ? deflateRawSync(raw) : deflateSync(raw);
      case 'br':
        return brotliCompressSync(raw);
      default:
        return raw;
    }
  };

  // Invariant: any bytes under any Content-Encoding header give text, or a ServiceFailure whose
  // code is badResponse (undecodable) or tooLarge (past the cap, also after inflating) — the cap
  // holds for compressed bodies too, so a small bomb cannot allocate more than the limit.
  it('gives text, badResponse or tooLarge; never more than the cap', () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)),
      // Genuinely encoded bodies, some of them past the cap once inflated.
      fc.tuple(fc.constantFrom(...encodings), fc.nat({ max: LIMIT * 3 }), fc.boolean(), fc.uint8Array({ maxLength: 64 })).map(([encoding, size, raw2, seed]) => ({
        encoding,
        bytes: encode(encoding.split(',')[0] ?? '', Buffer.concat([Buffer.from(seed), Buffer.alloc(size, 0x61)]), raw2),
      })),
    );
    fc.assert(
      fc.property(body, fc.constantFrom<string | undefined>(...encodings, undefined), (input, header) => {
        const { bytes, encoding } = Buffer.isBuffer(input) ? { bytes: input, encoding: header } : input;
        try {
          const text = decodeBody('webwxsync', bytes, encoding, LIMIT);
          expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(LIMIT * 3);
          expect(text.length).toBeLessThanOrEqual(LIMIT);
        } catch (err) {
          if (!(err instanceof ServiceFailure)) throw new Error(`threw ${String(err)}`);
          expect(['badResponse', 'tooLarge']).toContain(err.code);
          expect(err.data.endpoint).toBe('webwxsync');
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the stored session file on hostile content', () => {
  const dir = mkdtempSync(join(tmpdir(), 'webwx-fuzz-session-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const valid = sampleSession(1);

  // Invariant: whatever a session file holds (garbage, JSON of any shape, a session damaged in
  // one place), loading it gives a session the codec accepts, no session (only for a blank
  // file), or a SessionStoreError — never another exception — and the error never quotes the
  // file (it may hold secrets).
  it('loads a valid session or refuses with sessionCorrupt, quoting nothing', async () => {
    const marker = '@crypt_FUZZSECRET';
    const damaged = { ...valid, credentials: { ...valid.credentials, skey: marker } } as StoredSession;
    const content = fc.oneof(
      arbHostileText,
      arbNearMissJson(fc.constant(damaged as unknown)),
      arbNearMissText(fc.constant(JSON.stringify(damaged))),
      fc.uint8Array({ maxLength: 256 }).map((a) => Buffer.from(a).toString('latin1')),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(content, async (text) => {
        const path = join(dir, `s${n++}.json`);
        writeFileSync(path, text, { mode: 0o600 });
        try {
          const loaded = await fileSessionStore(path).load();
          if (loaded === null) expect(text.trim()).toBe('');
          else expect(loaded.version).toBe(1);
        } catch (err) {
          if (!(err instanceof SessionStoreError)) throw new Error(`threw ${String(err)}`);
          expect(err.code).toBe('sessionCorrupt');
          expect(JSON.stringify(err.data)).not.toContain('FUZZSECRET');
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the CLI stdin commands, on a running session', () => {
  ensureBuilt();
  afterAll(() => killLeftovers());

  // Invariant: whatever lines arrive on stdin, each line that is not a command gets exactly one
  // badCommand error, each send is answered (sent, or an error for a refused send), stdout stays
  // NDJSON, and the session goes on: a logout afterwards still ends it with exit 0.
  it('answers every line, stays up, then logs out cleanly', { timeout: 60_000 }, async () => {
    const sim = await startSimulator({ hold: 300, auto: true, autoDelay: 10, contacts: 8 });
    try {
      const cli = startCli(['login', '--json', '--login-origin', sim.origin]);
      await cli.waitFor(isEvent('state', { state: 'syncing' }), 'the login');
      const friend = sim.control.contacts().find((c) => c.UserName.startsWith('@') && !c.UserName.startsWith('@@'))!.UserName;
      const noLineBreak = (s: string): boolean => !/[\r\n]/.test(s);
      const line = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.json(),
        fc.record({ cmd: fc.constantFrom('send', 'logout ', 'Send', 'SEND', 'exec', '__proto__'), to: fc.oneof(fc.string(), fc.integer()), text: fc.oneof(fc.string(), fc.constant(null)) }).map((v) => JSON.stringify(v)),
        fc.constantFrom('{"cmd":"send","to":"@nosuchuser","text":"x"}', '{"__proto__":{"cmd":"logout"}}', '{"cmd":"send","to":"x","text":""}', `{"cmd":"send","to":"${friend}","text":"fuzz ✓"}`),
        fc.constant(`{"cmd":"send","to":"x","text":"${'y'.repeat(1024 * 1024 + 10)}"}`),
      );
      const lines = fc.sample(line, { numRuns: sized(120, 1_000), seed: 4_711 }).filter(noLineBreak);
      // A blank line is a line that is not valid JSON too: it gets its badCommand like any other.
      const parsed = lines.map((l) => parseStdinCommand(l));
      // A logout in the middle would end the run early: the fuzz is about everything else.
      const kept = lines.filter((_, i) => !(parsed[i]?.ok && parsed[i].command.cmd === 'logout'));
      const verdicts = kept.map((l) => parseStdinCommand(l));
      const refusedCount = verdicts.filter((v) => !v.ok).length;
      const sendCount = verdicts.filter((v) => v.ok).length;
      for (const l of kept) cli.send(l);

      await cli.waitFor(() => cli.events.filter((e) => e.event === 'error' && e['code'] === 'badCommand').length >= refusedCount, `${refusedCount} badCommand errors`, 30_000);
      const answered = (): number => cli.events.filter((e) => e.event === 'sent' || (e.event === 'error' && e['code'] === 'sendFailed')).length;
      await cli.waitFor(() => answered() >= sendCount, `${sendCount} answered sends`, 30_000);
      cli.send('{"cmd":"logout"}');
      expect((await cli.exit).code).toBe(0);

      expect(cli.events.filter((e) => e.event === 'error' && e['code'] === 'badCommand')).toHaveLength(refusedCount);
      expect(answered()).toBe(sendCount);
      expect(refusedCount).toBeGreaterThan(50);
      expect(cli.events.filter(isEvent('logout'))).toEqual([{ event: 'logout', reason: 'user' }]);
      expect(cli.foreign).toEqual([]);
      expect(cli.stderr()).not.toMatch(/TypeError|RangeError|at .*\.js:\d+/);
    } finally {
      await sim.close();
    }
  });
});
