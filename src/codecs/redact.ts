/**
 * Masks the protocol's secrets in free text (bodies, URLs, messages) so that diagnostics can
 * quote what the server said. The patterns cover every place a secret travels on the wire:
 * XML elements, JSON fields, query parameters and cookie pairs.
 */
const XML_SECRET = /<(skey|wxsid|wxuin|pass_ticket|ticket)>[^<]*<\/\1>/gi;
const XML_SECRET_UNCLOSED = /<(skey|wxsid|wxuin|pass_ticket|ticket)>[^<]*$/i;
const JSON_SECRET = /"(Skey|SKey|Sid|Uin|pass_ticket|PassTicket|DeviceID|Ticket)"\s*:\s*("(?:[^"\\]|\\.){0,4096}"|-?\d+)/g;
const QUERY_SECRET = /\b(skey|sid|uin|wxuin|wxsid|pass_ticket|ticket|deviceid|webwx_data_ticket|webwx_auth_ticket)=[^&\s"';]*/gi;
const CRYPT_TOKEN = /@crypt_[0-9A-Za-z_]+/g;
const QR_TICKET = /[0-9A-Za-z_-]+@qrticket_\d+/g;

export function redactSecrets(text: string): string {
  return text
    .replace(XML_SECRET, '<$1>***</$1>')
    .replace(XML_SECRET_UNCLOSED, '<$1>***')
    .replace(JSON_SECRET, '"$1":"***"')
    .replace(QUERY_SECRET, '$1=***')
    .replace(CRYPT_TOKEN, '@crypt_***')
    .replace(QR_TICKET, '***@qrticket');
}
