import { describe, expect, it } from 'vitest';
import { RequestError } from 'got';
import { DecodeError } from '../../../src/codecs/index.js';
import { ServiceFailure, toServiceError } from '../../../src/services/index.js';
import { decodeWith } from '../../../src/services/errors.js';

describe('toServiceError', () => {
  it('gives a DecodeError its own data', () => {
    const err = new DecodeError('webwxsync', 'AddMsgList.0.MsgId', 'expected MsgId', '{"Skey":"@crypt_secret"}');
    const data = toServiceError(err, 'webwxinit');
    expect(data).toEqual(err.toJSON());
    expect(data).toMatchObject({ code: 'badResponse', endpoint: 'webwxsync', path: 'AddMsgList.0.MsgId' });
    expect(JSON.stringify(data)).not.toContain('@crypt_secret');
  });

  it('passes a ServiceFailure through unchanged', () => {
    const failure = new ServiceFailure({ code: 'httpStatus', endpoint: 'synccheck', status: 502, message: 'synccheck: HTTP status 502' });
    expect(toServiceError(failure, 'webwxsync')).toBe(failure.data);
  });

  it.each([
    ['a DOM AbortError', new DOMException('The operation was aborted.', 'AbortError')],
    ['an error coded ERR_ABORTED', Object.assign(new Error('stop'), { code: 'ERR_ABORTED' })],
  ])('maps %s to aborted', (_label, err) => {
    expect(toServiceError(err, 'login')).toMatchObject({ code: 'aborted', endpoint: 'login' });
  });

  it('maps a got RequestError to network with its code but never its message (it may hold the URL)', () => {
    const url = 'https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxsync?sid=SECRETSID&skey=%40crypt_SECRET';
    const err = new RequestError(`connect ECONNRESET ${url}`, { code: 'ECONNRESET' } as unknown as Error, {} as never);
    const data = toServiceError(err, 'webwxsync');
    expect(data).toEqual({ code: 'network', endpoint: 'webwxsync', message: 'webwxsync: network failure (ECONNRESET)' });
  });

  it('maps anything else to network without echoing it', () => {
    const secret = 'pass_ticket=abc%2Fdef SECRETVALUE';
    for (const thrown of [new TypeError(secret), secret, { message: secret }, null, undefined, 42]) {
      const data = toServiceError(thrown, 'webwxinit');
      expect(data.code).toBe('network');
      expect(data.endpoint).toBe('webwxinit');
      expect(JSON.stringify(data)).not.toContain('SECRETVALUE');
    }
    expect(toServiceError(new TypeError('x'), 'webwxinit').message).toBe('webwxinit: unexpected failure (TypeError)');
  });

  it('does not echo an error code that is not an identifier', () => {
    const err = Object.assign(new Error('x'), { code: 'skey=@crypt_LEAK' });
    expect(JSON.stringify(toServiceError(err, 'login'))).not.toContain('LEAK');
  });
});

describe('decodeWith', () => {
  it('turns what a codec throws into a ServiceFailure of the endpoint', () => {
    const thrown = (() => {
      try {
        decodeWith('synccheck', () => {
          throw new DecodeError('synccheck', 'synccheck.retcode', 'expected an integer string');
        }, '');
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(ServiceFailure);
    expect((thrown as ServiceFailure).data).toMatchObject({ code: 'badResponse', endpoint: 'synccheck', path: 'synccheck.retcode' });
  });

  it('returns what the codec decodes', () => {
    expect(decodeWith('synccheck', (b) => b.length, 'abc')).toBe(3);
  });
});
