/**
 * Masks the protocol's secrets in free text (bodies, URLs, messages) so that diagnostics can
 * quote what the server said. The patterns cover every place a secret travels on the wire:
 * XML elements, JSON fields, query parameters and cookie pairs.
 */
const XML_SECRET_OPEN = /<(skey|wxsid|wxuin|pass_ticket|ticket)(\s[^<>]*)?>/gi;
// The string runs to its closing quote or, in a body cut short (an excerpt's head, a truncated
// answer), to the end of the text; no length bound, so a long value cannot escape by its length.
const JSON_SECRET =
  /"(Skey|SKey|Sid|wxsid|Uin|wxuin|pass_ticket|PassTicket|DeviceID|Ticket)"\s*:\s*(?:"(?:[^"\\]|\\.)*\\?(?:"|$)|-?\d+)/gi;
const QUERY_SECRET = /\b(skey|sid|uin|wxuin|wxsid|pass_ticket|ticket|deviceid|webwx_data_ticket|webwx_auth_ticket)=[^&\s"';]*/gi;
const CRYPT_TOKEN = /@crypt_[0-9A-Za-z_]+/g;
const QR_TICKET = /[0-9A-Za-z_-]+@qrticket_\d+/g;

/**
 * Masks the text of secret XML elements up to their closing tag (or the end of the text), whatever
 * they hold: attributes, CDATA and nested markup must not let a value slip past a simple pattern.
 * One forward pass, so hostile input (many openings, no closing) stays linear.
 */
function redactXmlElements(text: string): string {
  const lower = text.toLowerCase();
  let out = '';
  let from = 0;
  for (;;) {
    XML_SECRET_OPEN.lastIndex = from;
    const open = XML_SECRET_OPEN.exec(text);
    if (open === null) break;
    const name = open[1]!.toLowerCase();
    const valueStart = open.index + open[0].length;
    const close = lower.indexOf(`</${name}`, valueStart);
    out += `${text.slice(from, open.index)}<${open[1]}>***`;
    if (close < 0) {
      from = text.length;
      break;
    }
    from = close;
  }
  return out + text.slice(from);
}

export function redactSecrets(text: string): string {
  return redactXmlElements(text)
    .replace(JSON_SECRET, '"$1":"***"')
    .replace(QUERY_SECRET, '$1=***')
    .replace(CRYPT_TOKEN, '@crypt_***')
    .replace(QR_TICKET, '***@qrticket');
}
