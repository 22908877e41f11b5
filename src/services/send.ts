/** webwxsendmsg: one text message (PROTOCOL.md "Session", "send text"). */
import { decodeSendMsg } from '../codecs/index.js';
import { decodeWith } from './errors.js';
import { requestText, type ServiceDeps } from './http.js';
import type { Service } from './types.js';
import { baseRequest, cgiUrl, LANG, refererOf } from './wire.js';

export const sendText: Service<'sendText', ServiceDeps> = async (deps, input, signal) => {
  const { hosts, credentials } = input;
  const url = cgiUrl(hosts.main, 'webwxsendmsg', [
    ['lang', LANG],
    ['pass_ticket', credentials.passTicket],
  ]);
  const value = {
    BaseRequest: baseRequest(credentials),
    Scene: 0,
    Msg: {
      Type: 1,
      Content: input.content,
      FromUserName: input.from,
      ToUserName: input.to,
      // The same id on every retry of one send lets the server and the dedupe window see one message.
      LocalID: input.clientMsgId,
      ClientMsgId: input.clientMsgId,
    },
  };
  const body = await requestText(
    deps,
    { endpoint: 'webwxsendmsg', role: 'main', method: 'POST', url, referer: refererOf(hosts.main), body: { kind: 'json', value } },
    signal,
  );
  return decodeWith('webwxsendmsg', decodeSendMsg, body);
};
