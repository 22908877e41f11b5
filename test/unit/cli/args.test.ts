import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCommandArgs, parseOrigin, parsePort, UsageError } from '../../../src/cli/args.js';
import { runCli } from '../../../src/cli/main.js';
import { exitCodeForLogout } from '../../../src/cli/run-client.js';

function streams(): { stdout: PassThrough; stderr: PassThrough; stdin: PassThrough; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  return { stdout, stderr, stdin: new PassThrough(), out: () => out, err: () => err };
}

describe('parseOrigin', () => {
  it('keeps only the origin of an http(s) URL', () => {
    expect(parseOrigin('http://127.0.0.1:8080/some/path?q=1', '--login-origin')).toBe('http://127.0.0.1:8080');
    expect(parseOrigin('https://login.wx.qq.com', '--login-origin')).toBe('https://login.wx.qq.com');
    expect(parseOrigin(undefined, '--login-origin')).toBeUndefined();
  });

  it.each(['not a url', 'ftp://127.0.0.1', 'file:///etc/passwd', 'javascript:alert(1)', ''])('refuses %j as bad usage', (text) => {
    expect(() => parseOrigin(text, '--login-origin')).toThrow(UsageError);
  });
});

describe('parsePort', () => {
  it('takes 0..65535 and nothing else', () => {
    expect(parsePort('0', '--inspect')).toBe(0);
    expect(parsePort('65535', '--inspect')).toBe(65_535);
    for (const bad of ['-1', '65536', '1.5', 'http', '']) expect(() => parsePort(bad, '--inspect'), bad).toThrow(UsageError);
  });
});

describe('parseCommandArgs', () => {
  const options = { json: { type: 'boolean' }, inspect: { type: 'string' } } as const;

  it('reads --inspect alone (empty: the default port) and --inspect=PORT', () => {
    expect(parseCommandArgs(['--inspect'], options).inspect).toBe('');
    expect(parseCommandArgs(['--inspect=9229', '--json'], options)).toEqual({ inspect: '9229', json: true });
  });

  it('turns unknown flags and stray words into usage errors', () => {
    expect(() => parseCommandArgs(['--nope'], options)).toThrow(UsageError);
    expect(() => parseCommandArgs(['stray'], options)).toThrow(UsageError);
  });
});

describe('runCli', () => {
  it('exits 2 with the usage on stderr for no command, an unknown command, or a bad flag', async () => {
    for (const argv of [[], ['fly'], ['login', '--nope'], ['login', '--login-origin', 'nope'], ['demo', '--inspect=99999']]) {
      const s = streams();
      expect(await runCli(argv, s), argv.join(' ')).toBe(2);
      expect(s.out(), argv.join(' ')).toBe('');
      expect(s.err(), argv.join(' ')).toContain('Usage:');
    }
  });

  it('knows every command of the usage: a bad flag is bad usage, not an unknown command', async () => {
    for (const name of ['login', 'demo', 'simulator', 'web']) {
      const s = streams();
      expect(await runCli([name, '--no-such-flag'], s), name).toBe(2);
      expect(s.err(), name).not.toContain('unknown command');
      expect(s.err(), name).toContain('no-such-flag');
    }
  });

  it('prints the usage on stdout and exits 0 for --help', async () => {
    for (const argv of [['--help'], ['help'], ['login', '--help']]) {
      const s = streams();
      expect(await runCli(argv, s)).toBe(0);
      expect(s.out()).toContain('webwx login');
      expect(s.err()).toBe('');
    }
  });
});

describe('exitCodeForLogout', () => {
  it('is 0 for a user or server logout and 3 for every failed login or session', () => {
    expect(exitCodeForLogout('user')).toBe(0);
    expect(exitCodeForLogout('remote')).toBe(0);
    for (const reason of ['qrExpired', 'webLoginForbidden', 'untrustedRedirect', 'tooManyFailures']) expect(exitCodeForLogout(reason)).toBe(3);
  });
});
