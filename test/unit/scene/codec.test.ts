import { describe, expect, it } from 'vitest';
import {
  decodeCallbackXml,
  decodeQrCodeCreateAnswer,
  decodeQrCodeCreateRequest,
  decodeTokenAnswer,
  encodeCallbackXml,
  encodeQrCodeCreateAnswer,
  encodeQrCodeCreateRequest,
  encodeSceneScanXml,
  encodeTokenAnswer,
  isTokenRejected,
  redactSceneSecrets,
  SceneDecodeError,
  showQrCodeUrl,
} from '../../../src/codecs/scene.js';

function decodeError(run: () => unknown): SceneDecodeError {
  try {
    run();
  } catch (err) {
    if (err instanceof SceneDecodeError) return err;
    throw err;
  }
  throw new Error('expected a SceneDecodeError');
}

describe('token answer', () => {
  it('decodes a grant and an errcode refusal', () => {
    expect(decodeTokenAnswer('{"access_token":"ACCESS_TOKEN","expires_in":7200}')).toEqual({
      ok: true,
      value: { accessToken: 'ACCESS_TOKEN', expiresIn: 7200 },
    });
    expect(decodeTokenAnswer('{"errcode":40013,"errmsg":"invalid appid"}')).toEqual({ ok: false, errcode: 40013, errmsg: 'invalid appid' });
    expect(decodeTokenAnswer('{"errcode":-1,"errmsg":"system error"}')).toEqual({ ok: false, errcode: -1, errmsg: 'system error' });
  });

  it('treats errcode 0 as success and round-trips its encoder', () => {
    expect(decodeTokenAnswer('{"errcode":0,"access_token":"T","expires_in":60}')).toEqual({ ok: true, value: { accessToken: 'T', expiresIn: 60 } });
    expect(decodeTokenAnswer(encodeTokenAnswer({ accessToken: 'abc-_1', expiresIn: 7200 }))).toEqual({
      ok: true,
      value: { accessToken: 'abc-_1', expiresIn: 7200 },
    });
  });

  it('names the path of what is wrong and never quotes the token', () => {
    const missing = decodeError(() => decodeTokenAnswer('{"expires_in":7200}'));
    expect(missing.code).toBe('badResponse');
    expect(missing.endpoint).toBe('token');
    expect(missing.path).toBe('access_token');
    const badExpiry = decodeError(() => decodeTokenAnswer('{"access_token":"SECRET_TOKEN_VALUE","expires_in":-5}'));
    expect(badExpiry.path).toBe('expires_in');
    expect(badExpiry.excerpt).not.toContain('SECRET_TOKEN_VALUE');
    expect(badExpiry.message).not.toContain('SECRET_TOKEN_VALUE');
    expect(JSON.stringify(badExpiry.toJSON())).not.toContain('SECRET_TOKEN_VALUE');
    expect(decodeError(() => decodeTokenAnswer('<html>busy</html>')).path).toBe('(body)');
    expect(decodeError(() => decodeTokenAnswer('[1]')).path).toBe('(body)');
    expect(decodeError(() => decodeTokenAnswer('{"errcode":"x"}')).path).toBe('errcode');
    expect(decodeError(() => decodeTokenAnswer(`{"access_token":"${'a'.repeat(70_000)}","expires_in":1}`)).message).toMatch(/too large/);
  });
});

describe('qrcode/create', () => {
  it('writes the QR_STR_SCENE request and reads it back', () => {
    const body = encodeQrCodeCreateRequest({ expireSeconds: 300, sceneStr: 'abc_123-X' });
    expect(JSON.parse(body)).toEqual({ expire_seconds: 300, action_name: 'QR_STR_SCENE', action_info: { scene: { scene_str: 'abc_123-X' } } });
    expect(decodeQrCodeCreateRequest(body)).toEqual({ expireSeconds: 300, sceneStr: 'abc_123-X' });
  });

  it('refuses requests the platform would refuse', () => {
    expect(decodeError(() => decodeQrCodeCreateRequest(encodeQrCodeCreateRequest({ expireSeconds: 10, sceneStr: 'a' }))).path).toBe('expire_seconds');
    expect(decodeError(() => decodeQrCodeCreateRequest(encodeQrCodeCreateRequest({ expireSeconds: 300, sceneStr: 'x'.repeat(65) }))).path).toBe(
      'action_info.scene.scene_str',
    );
    expect(decodeError(() => decodeQrCodeCreateRequest('{"expire_seconds":300,"action_name":"QR_SCENE","action_info":{"scene":{"scene_id":1}}}')).path).toBe(
      'action_name',
    );
  });

  it('decodes the answer of the platform documentation and errcode answers', () => {
    const doc =
      '{"ticket":"gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xL2taZ2Z3TVRtNzJXV1Brb3ZhYmJJAAIEZ23sUwMEmm3sUw==","expire_seconds":60,"url":"http://weixin.qq.com/q/kZgfwMTm72WWPkovabbI"}';
    expect(decodeQrCodeCreateAnswer(doc)).toEqual({
      ok: true,
      value: {
        ticket: 'gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xL2taZ2Z3TVRtNzJXV1Brb3ZhYmJJAAIEZ23sUwMEmm3sUw==',
        url: 'http://weixin.qq.com/q/kZgfwMTm72WWPkovabbI',
        expireSeconds: 60,
      },
    });
    expect(decodeQrCodeCreateAnswer('{"errcode":42001,"errmsg":"access_token expired rid: 1"}')).toEqual({
      ok: false,
      errcode: 42001,
      errmsg: 'access_token expired rid: 1',
    });
    const permanent = { ticket: 't+/=', url: 'http://weixin.qq.com/q/x', expireSeconds: null };
    expect(decodeQrCodeCreateAnswer(encodeQrCodeCreateAnswer(permanent))).toEqual({ ok: true, value: permanent });
    expect(decodeError(() => decodeQrCodeCreateAnswer('{"ticket":"","url":"u"}')).path).toBe('ticket');
    expect(decodeError(() => decodeQrCodeCreateAnswer('{"ticket":"t"}')).path).toBe('url');
  });

  it('URL-encodes the ticket for showqrcode', () => {
    expect(showQrCodeUrl('https://mp.weixin.qq.com/', 'gQ+a/b==')).toBe('https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=gQ%2Ba%2Fb%3D%3D');
  });

  it('knows which errcodes mean "refresh the token"', () => {
    expect([40001, 40014, 42001].every(isTokenRejected)).toBe(true);
    expect([0, -1, 40013, 41001, 45009].some(isTokenRejected)).toBe(false);
  });
});

describe('callback XML', () => {
  const newFollower = `<xml><ToUserName><![CDATA[gh_45072270791c]]></ToUserName>
<FromUserName><![CDATA[oLVPpjqs9BhvzwPj5A-vTYAX3GLc]]></FromUserName>
<CreateTime>1589512381</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[subscribe]]></Event>
<EventKey><![CDATA[qrscene_1589512352]]></EventKey>
<Ticket><![CDATA[gQEi8TwAAAAAAAAAAS5odHRwOi8vd2VpeGluLnFxLmNvbS9xLzAyUFNnZ2RNRlU5Y1QxWkJqZDF1Y1QAAgTlmMReAwSAOgkA]]></Ticket>
</xml>`;

  it('reads a new follower (subscribe with the qrscene_ prefix)', () => {
    expect(decodeCallbackXml(newFollower)).toEqual({
      type: 'sceneScan',
      follow: 'subscribe',
      sceneId: '1589512352',
      openid: 'oLVPpjqs9BhvzwPj5A-vTYAX3GLc',
      toUserName: 'gh_45072270791c',
      createTime: 1589512381,
      ticket: 'gQEi8TwAAAAAAAAAAS5odHRwOi8vd2VpeGluLnFxLmNvbS9xLzAyUFNnZ2RNRlU5Y1QxWkJqZDF1Y1QAAgTlmMReAwSAOgkA',
    });
  });

  it('reads an existing follower (SCAN with the bare scene) and round-trips the encoder', () => {
    const xml = encodeSceneScanXml({ follow: 'SCAN', sceneId: 'Abc_-1', openid: 'o123', toUserName: 'gh_x', createTime: 1700000000, ticket: 'T' });
    expect(xml).toContain('<Event><![CDATA[SCAN]]></Event><EventKey><![CDATA[Abc_-1]]></EventKey>');
    expect(decodeCallbackXml(xml)).toEqual({
      type: 'sceneScan',
      follow: 'SCAN',
      sceneId: 'Abc_-1',
      openid: 'o123',
      toUserName: 'gh_x',
      createTime: 1700000000,
      ticket: 'T',
    });
    const sub = encodeSceneScanXml({ follow: 'subscribe', sceneId: 'S', openid: 'o1', toUserName: 'gh', createTime: 1, ticket: null });
    expect(sub).toContain('<EventKey><![CDATA[qrscene_S]]></EventKey>');
    expect(sub).not.toContain('Ticket');
    expect(decodeCallbackXml(sub)).toMatchObject({ type: 'sceneScan', follow: 'subscribe', sceneId: 'S', ticket: null });
  });

  it('passes over what is not a scene scan', () => {
    const plainFollow = encodeCallbackXml({ toUserName: 'gh', fromUserName: 'o1', createTime: 1, msgType: 'event', event: 'subscribe', eventKey: '' });
    expect(decodeCallbackXml(plainFollow)).toEqual({ type: 'other', msgType: 'event', event: 'subscribe', openid: 'o1' });
    const unfollow = encodeCallbackXml({ toUserName: 'gh', fromUserName: 'o1', createTime: 1, msgType: 'event', event: 'unsubscribe' });
    expect(decodeCallbackXml(unfollow)).toMatchObject({ type: 'other', event: 'unsubscribe' });
    const text = '<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>hi</Content></xml>';
    expect(decodeCallbackXml(text)).toEqual({ type: 'other', msgType: 'text', event: null, openid: 'o1' });
  });

  it('keeps CDATA text intact, even text that looks like the CDATA end', () => {
    const xml = encodeCallbackXml({ toUserName: 'gh]]>x<y', fromUserName: 'o1', createTime: 1, msgType: 'event', event: 'SCAN', eventKey: 'k' });
    expect(decodeCallbackXml(xml)).toMatchObject({ type: 'sceneScan', toUserName: 'gh]]>x<y', sceneId: 'k' });
  });

  it('refuses malformed and hostile XML with a path', () => {
    expect(decodeError(() => decodeCallbackXml('not xml <')).path).toBe('(body)');
    expect(decodeError(() => decodeCallbackXml('<!DOCTYPE x [<!ENTITY a "b">]><xml></xml>')).message).toMatch(/DOCTYPE/);
    expect(decodeError(() => decodeCallbackXml('<xml><ToUserName>gh</ToUserName></xml>')).path).toBe('xml.FromUserName');
    const badOpenid = encodeCallbackXml({ toUserName: 'gh', fromUserName: 'o 1', createTime: 1, msgType: 'event', event: 'SCAN', eventKey: 'k' });
    expect(decodeError(() => decodeCallbackXml(badOpenid)).path).toBe('xml.FromUserName');
    const badScene = encodeCallbackXml({ toUserName: 'gh', fromUserName: 'o1', createTime: 1, msgType: 'event', event: 'SCAN', eventKey: 'a/b' });
    expect(decodeError(() => decodeCallbackXml(badScene)).path).toBe('xml.EventKey');
    const twice = '<xml><ToUserName>a</ToUserName><ToUserName>b</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType></xml>';
    expect(decodeError(() => decodeCallbackXml(twice)).path).toBe('xml.ToUserName');
    const badTime = newFollower.replace('1589512381', '-3');
    expect(decodeError(() => decodeCallbackXml(badTime)).path).toBe('xml.CreateTime');
    expect(decodeError(() => decodeCallbackXml(`<xml>${'a'.repeat(20_000)}</xml>`)).message).toMatch(/too large/);
  });
});

describe('redactSceneSecrets', () => {
  it('masks tokens, secrets and tickets in JSON and query strings', () => {
    const text =
      'GET /cgi-bin/token?grant_type=client_credential&appid=wx1&secret=S3CR3T {"access_token":"TOK","ticket":"TIX"} /create?access_token=TOK2&x=1';
    const clean = redactSceneSecrets(text);
    for (const secret of ['S3CR3T', 'TOK', 'TIX', 'TOK2']) expect(clean).not.toContain(`=${secret}`);
    expect(clean).not.toContain('"TOK"');
    expect(clean).not.toContain('"TIX"');
    expect(clean).toContain('appid=wx1');
  });
});
