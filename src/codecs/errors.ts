import type { Errors } from 'io-ts';
import { redactSecrets } from './redact.js';

/** Every answer the engine decodes, named as the endpoint that produced it. */
export type Endpoint =
  | 'jslogin'
  | 'login'
  | 'webwxnewloginpage'
  | 'webwxpushloginurl'
  | 'webwxinit'
  | 'webwxstatusnotify'
  | 'webwxgetcontact'
  | 'webwxbatchgetcontact'
  | 'synccheck'
  | 'webwxsync'
  | 'webwxsendmsg'
  | 'webwxlogout';

/** The plain-data form of a decode failure: what the machine's context and events carry. */
export interface DecodeErrorData {
  readonly code: 'badResponse';
  readonly endpoint: Endpoint;
  /** Where the answer was wrong, e.g. `AddMsgList.3.MsgId`, or `(body)` for the whole text. */
  readonly path: string;
  /** A short excerpt of the offending text with every secret masked. */
  readonly excerpt: string;
  readonly message: string;
}

const EXCERPT_CHARS = 80;
const REDACT_CHARS = 16_384;

/** Makes a short, secret-free excerpt of a body for diagnostics. */
export function excerptOf(text: string): string {
  // Redact a generous head before cutting, so a cut can never split a secret out of its pattern.
  const head = text.length > REDACT_CHARS ? text.slice(0, REDACT_CHARS) : text;
  const clean = redactSecrets(head).replace(/\s+/g, ' ').trim();
  return clean.length > EXCERPT_CHARS ? `${clean.slice(0, EXCERPT_CHARS)}…` : clean;
}

/**
 * Thrown by every `decode*` function when an answer does not have the shape the protocol says.
 * It carries no secret: the excerpt is redacted and the body itself is not kept.
 */
export class DecodeError extends Error implements DecodeErrorData {
  readonly code = 'badResponse' as const;
  readonly endpoint: Endpoint;
  readonly path: string;
  readonly excerpt: string;

  constructor(endpoint: Endpoint, path: string, reason: string, body = '') {
    const excerpt = excerptOf(body);
    super(`${endpoint}: bad response at ${path}: ${reason}`);
    this.name = 'DecodeError';
    this.endpoint = endpoint;
    this.path = path;
    this.excerpt = excerpt;
  }

  toJSON(): DecodeErrorData {
    return { code: this.code, endpoint: this.endpoint, path: this.path, excerpt: this.excerpt, message: this.message };
  }
}

export function isDecodeError(value: unknown): value is DecodeError {
  return value instanceof DecodeError;
}

/** The dotted path of the first io-ts validation error, e.g. `AddMsgList.3.MsgId`. */
export function pathOfErrors(errors: Errors): string {
  const first = errors[0];
  if (!first) return '(body)';
  // Intersection and union members are keyed by their index; those keys are not in the data.
  const keys = first.context
    .filter((entry, i) => {
      const parent = first.context[i - 1]?.type as { _tag?: string } | undefined;
      return entry.key !== '' && parent?._tag !== 'IntersectionType' && parent?._tag !== 'UnionType';
    })
    .map((entry) => entry.key);
  return keys.length > 0 ? keys.join('.') : '(body)';
}

/** Describes the first io-ts error without echoing the value (it may be a secret). */
export function reasonOfErrors(errors: Errors): string {
  const first = errors[0];
  if (!first) return 'invalid';
  const last = first.context[first.context.length - 1];
  const expected = last ? last.type.name : 'value';
  const actual = first.value === undefined ? 'nothing' : first.value === null ? 'null' : Array.isArray(first.value) ? 'array' : typeof first.value;
  return first.message ?? `expected ${expected}, got ${actual}`;
}
