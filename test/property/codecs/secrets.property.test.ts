import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  decodeInit,
  decodeLoginPoll,
  decodeNewLoginPage,
  decodeSync,
  excerptOf,
  redactSecrets,
} from '../../../src/codecs/index.js';
import { arbCredentialSecrets, arbSecret } from '../../support/arbitraries.js';
import { refusal } from '../../support/decode.js';

/** Every window of this many characters of a secret must stay out of diagnostics, not just the whole. */
const WINDOW = 8;

function windowsOf(secret: string): string[] {
  if (secret.length <= WINDOW) return [secret];
  const out: string[] = [];
  for (let i = 0; i + WINDOW <= secret.length; i++) out.push(secret.slice(i, i + WINDOW));
  return out;
}

/** Everything a DecodeError could put in front of a person or a log line. */
function diagnosticsOf(err: DecodeError): string {
  return [err.message, err.excerpt, JSON.stringify(err), String(err)].join('\n');
}


function expectNoLeak(err: DecodeError, secrets: readonly string[]): void {
  const text = diagnosticsOf(err);
  for (const secret of secrets) for (const piece of windowsOf(secret)) expect(text).not.toContain(piece);
}

// ---------------------------------------------------------------------------------------------

type XmlFault = 'wxuin' | 'ret' | 'duplicateRet' | 'attributes' | 'cdata' | 'truncated' | 'nestedMessage';

function newLoginXml(s: { skey: string; wxsid: string; passTicket: string }, fault: XmlFault, cut: number): string {
  const wrap = (tag: string, value: string): string =>
    fault === 'attributes' ? `<${tag} type="text">${value}</${tag}>` : fault === 'cdata' ? `<${tag}><![CDATA[${value}]]></${tag}>` : `<${tag}>${value}</${tag}>`;
  const ret = fault === 'ret' ? '<ret>0x0</ret>' : fault === 'duplicateRet' ? '<ret>0</ret><ret>1</ret>' : '<ret>0</ret>';
  const message = fault === 'nestedMessage' ? '<message><b>OK</b></message>' : '<message></message>';
  const wxuin = fault === 'wxuin' || fault === 'attributes' || fault === 'cdata' ? 'xxx' : '2517452105';
  const xml = `<error>${ret}${message}${wrap('skey', s.skey)}${wrap('wxsid', s.wxsid)}<wxuin>${wxuin}</wxuin>${wrap('pass_ticket', s.passTicket)}<isgrayscale>1</isgrayscale></error>`;
  return fault === 'truncated' ? xml.slice(0, 40 + (cut % (xml.length - 40))) : xml;
}

describe('DecodeError never carries a secret', () => {
  // Invariant: a newloginpage answer holding real skey/wxsid/pass_ticket values, made bad anywhere
  // (bad wxuin or ret, duplicated element, attributes or CDATA around the secrets, cut short),
  // is refused with a DecodeError whose message, excerpt and JSON hold no piece of any secret.
  it('newloginpage XML', () => {
    fc.assert(
      fc.property(
        arbCredentialSecrets,
        fc.constantFrom<XmlFault>('wxuin', 'ret', 'duplicateRet', 'attributes', 'cdata', 'truncated', 'nestedMessage'),
        fc.nat(),
        (secrets, fault, cut) => {
          const err = refusal(() => decodeNewLoginPage(newLoginXml(secrets, fault, cut)));
          expectNoLeak(err, [secrets.skey, secrets.wxsid, secrets.passTicket]);
        },
      ),
      { numRuns: 300 },
    );
  });

  // Invariant: a confirmed-login answer whose redirect carries a ticket, but is bad (not a URL,
  // unterminated string, unknown code), never shows the ticket.
  it('login poll redirect_uri ticket', () => {
    fc.assert(
      // The other values are fixed so that no piece of them can be mistaken for a piece of the ticket.
      fc.property(arbSecret, fc.constantFrom('notUrl', 'unterminated', 'code'), (ticket, fault) => {
        const uri = `https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=${ticket}@qrticket_0&uuid=gYmByqjV8Q==&lang=zh_CN&scan=1527848607`;
        const body =
          fault === 'notUrl'
            ? `window.code=200;window.redirect_uri="${uri.replace('https://', '')}";`
            : fault === 'unterminated'
              ? `window.code=200;window.redirect_uri="${uri}`
              : `window.code=2000;window.redirect_uri="${uri}";`;
        expectNoLeak(refusal(() => decodeLoginPoll(body)), [ticket]);
      }),
      { numRuns: 200 },
    );
  });

  // Invariant: JSON answers carrying SKey (and a friend request Ticket) stay secret-free when a
  // field elsewhere is wrong or the text is cut, whatever the spacing.
  it('webwxinit and webwxsync SKey / Ticket', () => {
    fc.assert(
      fc.property(arbSecret, arbSecret, fc.constantFrom(0, 1, 2), fc.constantFrom('field', 'cut'), fc.nat(), (skey, ticket, indent, fault, cut) => {
        const init = { SKey: skey, BaseResponse: { Ret: 0, ErrMsg: '' }, User: { Uin: fault === 'field' ? 'bad' : 1, UserName: '@a', NickName: 'n' }, SyncKey: { Count: 0, List: [] }, ContactList: [] };
        const sync = {
          SKey: skey,
          BaseResponse: { Ret: 0 },
          AddMsgList: [{ RecommendInfo: { Ticket: ticket }, MsgId: fault === 'field' ? 123 : '1', FromUserName: '@a', ToUserName: '@b', MsgType: 37, Content: '', CreateTime: 1 }],
          SyncKey: { Count: 0, List: [] },
        };
        const cutText = (text: string): string => (fault === 'cut' ? text.slice(0, 12 + (cut % (text.length - 12))) : text);
        const initText = cutText(JSON.stringify(init, null, indent));
        const syncText = cutText(JSON.stringify(sync, null, indent));
        if (fault !== 'cut' || !initText.endsWith('}')) expectNoLeak(refusal(() => decodeInit(initText)), [skey]);
        if (fault !== 'cut' || !syncText.endsWith('}')) expectNoLeak(refusal(() => decodeSync(syncText)), [skey, ticket]);
      }),
      { numRuns: 200 },
    );
  });

  // Invariant: the excerpt's head is cut at a fixed size before redaction; a secret straddling that
  // cut (after white space the excerpt collapses) must still be masked.
  it('a secret straddling the excerpt head cut', () => {
    fc.assert(
      fc.property(arbSecret, fc.integer({ min: 16_384 - 60, max: 16_384 }), fc.constantFrom('json', 'xml', 'query'), (secret, pad, form) => {
        const carrier = form === 'json' ? `"Sid":"${secret}"` : form === 'xml' ? `<wxsid>${secret}</wxsid>` : `?sid=${secret}&x=1`;
        const excerpt = excerptOf(' '.repeat(pad) + carrier);
        for (const piece of windowsOf(secret)) expect(excerpt).not.toContain(piece);
      }),
      { numRuns: 200 },
    );
  });

  // Invariant: redactSecrets masks a secret in each wire form it travels in, whatever the case of
  // the name, with or without attributes, quotes, spacing or a cut right after it.
  it('redactSecrets covers every wire form', () => {
    const forms = [
      (s: string) => `<skey>${s}</skey>`,
      (s: string) => `<PASS_TICKET x='1'>${s}</PASS_TICKET>`,
      (s: string) => `<wxsid>${s}`,
      (s: string) => `"Skey" : "${s}"`,
      (s: string) => `"pass_ticket":"${s}`,
      (s: string) => `https://h/p?pass_ticket=${s}&r=1`,
      (s: string) => `wxuin=${s}; wxsid=${s}`,
      (s: string) => `webwx_data_ticket=${s}`,
    ];
    fc.assert(
      fc.property(arbSecret, fc.nat({ max: forms.length - 1 }), fc.string(), (secret, i, around) => {
        const redacted = redactSecrets(`${around} ${forms[i]!(secret)} ${around.includes(secret) ? '' : around}`);
        expect(redacted).not.toContain(secret);
      }),
      { numRuns: 300 },
    );
  });
});
