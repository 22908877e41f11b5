import { describe, expect, it } from 'vitest';
import { decodeJsLogin } from '../../src/codecs/index.js';

describe('package', () => {
  it('decodes the jslogin answer of seed 001', () => {
    expect(decodeJsLogin('window.QRLogin.code = 200; window.QRLogin.uuid = "XXXXXXX";')).toEqual({ code: 200, uuid: 'XXXXXXX' });
  });
});
