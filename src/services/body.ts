/**
 * From the bytes on the wire to text: undo the Content-Encoding here, with a cap on the decoded
 * size, then decode UTF-8 — always UTF-8, never a charset guessed from headers.
 *
 * Why not got's own decompression: a corrupt or unknown encoding would surface as a read error
 * (`network`, which the machine retries as transient) rather than `badResponse`; raw deflate
 * streams (no zlib wrapper, sent by some servers) would fail; and the size cap would rest on how
 * got counts progress through its decompressor.
 */
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import type { Endpoint } from '../codecs/index.js';
import { ServiceFailure, tooLargeFailure } from './errors.js';

/** What we tell servers we can undo. */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

const utf8 = new TextDecoder('utf-8');

const badEncoding = (endpoint: Endpoint, what: string): ServiceFailure =>
  new ServiceFailure({ code: 'badResponse', endpoint, path: '(body)', excerpt: '', message: `${endpoint}: bad response at (body): ${what}` });

const isOutputTooLarge = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE';

function inflateEither(raw: Buffer, maxOutputLength: number): Buffer {
  try {
    return inflateSync(raw, { maxOutputLength });
  } catch (err) {
    if (isOutputTooLarge(err)) throw err;
    // Some servers send a bare deflate stream without the zlib wrapper.
    return inflateRawSync(raw, { maxOutputLength });
  }
}

function decompress(encoding: string, raw: Buffer, maxOutputLength: number): Buffer | null {
  switch (encoding) {
    case 'identity':
      return raw;
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(raw, { maxOutputLength });
    case 'deflate':
      return inflateEither(raw, maxOutputLength);
    case 'br':
      return brotliDecompressSync(raw, { maxOutputLength });
    default:
      return null;
  }
}

/** The answer's text; throws `tooLarge` past `limit` decoded bytes, `badResponse` if undecodable. */
export function decodeBody(endpoint: Endpoint, raw: Buffer, contentEncoding: string | undefined, limit: number): string {
  // Encodings apply in the order listed, so they are undone from the last one back.
  const encodings = (contentEncoding ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '')
    .reverse();
  let bytes = raw;
  for (const encoding of encodings) {
    let next: Buffer | null;
    try {
      next = decompress(encoding, bytes, limit);
    } catch (err) {
      if (isOutputTooLarge(err)) throw tooLargeFailure(endpoint, limit);
      throw badEncoding(endpoint, `cannot undo content-encoding ${encoding}`);
    }
    if (next === null) throw badEncoding(endpoint, 'unknown content-encoding');
    bytes = next;
  }
  if (bytes.length > limit) throw tooLargeFailure(endpoint, limit);
  return utf8.decode(bytes);
}
