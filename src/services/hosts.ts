/**
 * Which hosts a session talks to, decided by the login poll's redirect_uri (PROTOCOL.md "Hosts")
 * and the host rule of CONTRACT.md. Pure: no I/O, so the machine's guards may call it.
 */

/** Origins (scheme://host[:port]) of every host role of one session. */
export interface Hosts {
  /** jslogin, QR image and login poll. */
  readonly login: string;
  /** webwxinit, webwxsync, sendmsg, contacts, logout, pushloginurl. */
  readonly main: string;
  /** synccheck only. */
  readonly push: string;
  /** media upload and webwxgetmedia only. */
  readonly file: string;
}

export type HostDecision =
  | { readonly ok: true; readonly hosts: Hosts }
  | { readonly ok: false; readonly reason: 'untrustedRedirect' | 'badRedirect' };

interface KnownHost {
  /** The hostname matches this suffix (exactly, or as `.suffix`). */
  readonly suffix: string;
  readonly main: string;
}

/** Most specific first: `wx2.qq.com` must win over `qq.com`. */
const KNOWN_HOSTS: readonly KnownHost[] = [
  { suffix: 'wx2.qq.com', main: 'wx2.qq.com' },
  { suffix: 'wx8.qq.com', main: 'wx8.qq.com' },
  { suffix: 'qq.com', main: 'wx.qq.com' },
  { suffix: 'web2.wechat.com', main: 'web2.wechat.com' },
  { suffix: 'wechat.com', main: 'web.wechat.com' },
];

const matchesSuffix = (hostname: string, suffix: string): boolean =>
  hostname === suffix || hostname.endsWith(`.${suffix}`);

/** The PROTOCOL.md table entry for a WeChat hostname, or null for any other host. */
export function knownHostsFor(hostname: string): Omit<Hosts, 'login'> | null {
  const host = hostname.toLowerCase();
  const known = KNOWN_HOSTS.find((k) => matchesSuffix(host, k.suffix));
  if (!known) return null;
  return {
    main: `https://${known.main}`,
    push: `https://webpush.${known.main}`,
    file: `https://file.${known.main}`,
  };
}

/**
 * The host rule: a known WeChat redirect host gives the table's hosts; any other redirect is
 * trusted only when its origin equals the login origin (the simulator), and then every role
 * uses that origin. Anything else is refused before a request is sent there.
 */
export function decideHosts(redirectUri: string, loginOrigin: string): HostDecision {
  let redirect: URL;
  let login: URL;
  try {
    redirect = new URL(redirectUri);
    login = new URL(loginOrigin);
  } catch {
    return { ok: false, reason: 'badRedirect' };
  }
  if (redirect.protocol !== 'https:' && redirect.protocol !== 'http:') return { ok: false, reason: 'badRedirect' };
  if (redirect.origin === login.origin) {
    const origin = login.origin;
    return { ok: true, hosts: { login: origin, main: origin, push: origin, file: origin } };
  }
  const known = redirect.protocol === 'https:' && redirect.port === '' ? knownHostsFor(redirect.hostname) : null;
  if (!known) return { ok: false, reason: 'untrustedRedirect' };
  return { ok: true, hosts: { login: login.origin, ...known } };
}

/**
 * Whether a stored session's hosts may be used under this login origin: the host rule again, as
 * if its main host were the redirect — a known WeChat host with the table's push and file hosts,
 * or every role on the login origin itself. A session stored against one simulator is not sent to
 * another, nor to a host the table does not name.
 */
export function storedHostsTrusted(hosts: Omit<Hosts, 'login'>, loginOrigin: string): boolean {
  const decision = decideHosts(`${hosts.main}/`, loginOrigin);
  return decision.ok && decision.hosts.main === hosts.main && decision.hosts.push === hosts.push && decision.hosts.file === hosts.file;
}

/** The login origin used when none is given. */
export const DEFAULT_LOGIN_ORIGIN = 'https://login.wx.qq.com';
/** The host the QR code's text names (the QR encodes `https://login.weixin.qq.com/l/<uuid>`). */
export const QR_TEXT_ORIGIN = 'https://login.weixin.qq.com';
