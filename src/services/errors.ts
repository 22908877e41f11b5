/**
 * How a failed call becomes plain data. Services throw only `ServiceFailure`; whatever else was
 * thrown underneath (got's errors, aborts, the codecs' DecodeError, plain bugs) is turned into a
 * `ServiceErrorData` here, with a message built from fixed text so that no URL, body or cookie —
 * and so no secret — can leak through it.
 */
import { RequestError } from 'got';
import { isDecodeError, redactSecrets, type Endpoint } from '../codecs/index.js';
import type { ServiceErrorData } from './types.js';

/** The only error a service throws: the failure as plain data in `data`. */
export class ServiceFailure extends Error {
  readonly data: ServiceErrorData;

  constructor(data: ServiceErrorData) {
    super(data.message);
    this.name = 'ServiceFailure';
    this.data = data;
  }

  get code(): ServiceErrorData['code'] {
    return this.data.code;
  }

  toJSON(): ServiceErrorData {
    return this.data;
  }
}

export function isServiceFailure(value: unknown): value is ServiceFailure {
  return value instanceof ServiceFailure;
}

/** got's error codes are identifiers (ECONNRESET, ERR_…); anything else is not echoed. */
const SAFE_CODE = /^[A-Z][A-Z0-9_]{0,39}$/;

function codeSuffix(err: { code?: unknown }): string {
  return typeof err.code === 'string' && SAFE_CODE.test(err.code) ? ` (${err.code})` : '';
}

function isAbortLike(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  // got's AbortError, p-cancelable's CancelError and the DOM AbortError all mean "we were told to stop".
  return err.name === 'AbortError' || err.name === 'CancelError' || (err as { code?: unknown }).code === 'ERR_ABORTED';
}

/** Builds the data of one failure; the message is redacted once more as a last line of defence. */
function data(fields: ServiceErrorData): ServiceErrorData {
  return { ...fields, message: redactSecrets(fields.message) } as ServiceErrorData;
}

export const abortedFailure = (endpoint: Endpoint): ServiceFailure =>
  new ServiceFailure(data({ code: 'aborted', endpoint, message: `${endpoint}: request aborted` }));

export const tooLargeFailure = (endpoint: Endpoint, limit: number): ServiceFailure =>
  new ServiceFailure(data({ code: 'tooLarge', endpoint, message: `${endpoint}: answer larger than ${limit} bytes` }));

export const httpStatusFailure = (endpoint: Endpoint, status: number): ServiceFailure =>
  new ServiceFailure(data({ code: 'httpStatus', endpoint, status, message: `${endpoint}: HTTP status ${status}` }));

export const timeoutFailure = (endpoint: Endpoint, ms?: number): ServiceFailure =>
  new ServiceFailure(
    data({ code: 'timeout', endpoint, message: `${endpoint}: no answer${ms === undefined ? '' : ` within ${ms} ms`}` }),
  );

/** A connection that failed or was cut (`err` may carry a system code such as ECONNRESET). */
export const networkFailure = (endpoint: Endpoint, err: { code?: unknown }): ServiceFailure =>
  new ServiceFailure(data({ code: 'network', endpoint, message: `${endpoint}: network failure${codeSuffix(err)}` }));

/**
 * Turns anything thrown while calling `endpoint` into plain data. Never throws; never includes a
 * URL (got's messages may carry one, with skey/sid/pass_ticket in it).
 */
export function toServiceError(err: unknown, endpoint: Endpoint): ServiceErrorData {
  if (err instanceof ServiceFailure) return err.data;
  if (isDecodeError(err)) return err.toJSON();
  if (isAbortLike(err)) return abortedFailure(endpoint).data;
  if (err instanceof RequestError) {
    if (err.name === 'TimeoutError') return timeoutFailure(endpoint).data;
    if (err.name === 'HTTPError' && typeof err.response?.statusCode === 'number') {
      return httpStatusFailure(endpoint, err.response.statusCode).data;
    }
    return data({ code: 'network', endpoint, message: `${endpoint}: network failure${codeSuffix(err)}` });
  }
  if (err instanceof Error) {
    return data({ code: 'network', endpoint, message: `${endpoint}: unexpected failure (${err.name})${codeSuffix(err as { code?: unknown })}` });
  }
  return data({ code: 'network', endpoint, message: `${endpoint}: unexpected failure` });
}

/** The same as `toServiceError`, as the error a service throws. */
export const toServiceFailure = (err: unknown, endpoint: Endpoint): ServiceFailure =>
  err instanceof ServiceFailure ? err : new ServiceFailure(toServiceError(err, endpoint));

/** Runs a codec on an answer; whatever it throws becomes a ServiceFailure of that endpoint. */
export function decodeWith<T>(endpoint: Endpoint, decode: (body: string) => T, body: string): T {
  try {
    return decode(body);
  } catch (err) {
    throw toServiceFailure(err, endpoint);
  }
}
