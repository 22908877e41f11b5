/**
 * One copy per process of the short strings every client repeats (cookie domains, paths and
 * names, origin-plus-path keys), instead of one per client.
 *
 * Why a copy: a string cut from a URL (`url.pathname`, `url.host`) is, in V8, a slice that keeps
 * the whole URL alive — query with secrets included — for as long as the piece is kept; a kept
 * cache key would hold a ~300-byte URL per client. The first time a value is seen it is copied
 * into a string of its own; later clients get that copy.
 */
const known = new Map<string, string>();
/** A process that meets endless hosts (tests with a server per case) must stay small. */
const LIMIT = 512;

export function sharedString(s: string): string {
  const kept = known.get(s);
  if (kept !== undefined) return kept;
  if (known.size >= LIMIT) known.clear();
  // Through a Buffer: the only copy V8 cannot turn back into a slice or a concatenation.
  const own = Buffer.from(s, 'utf8').toString('utf8');
  known.set(own, own);
  return own;
}
