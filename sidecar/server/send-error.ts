import type { Response } from 'express';
import { isDepotError, type DepotErrorCode } from '../../shared/errors';
import type { ErrorBody } from './http-api';

/** HTTP status per error code. Upstream failures are 502 (the sidecar is fine, the host is not). */
const STATUS_BY_CODE: Partial<Record<DepotErrorCode, number>> = {
  BAD_INPUT: 400,
  BAD_CONFIG: 400,
  UNSAFE_PATH: 400,
  HOST_NOT_ALLOWED: 400,
  ORIGIN_REFUSED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  DOWNLOAD_LOCKED: 409,
  CANCELLED: 409,
  AUTH_REQUIRED: 401,
  AUTH_DENIED: 403,
  RATE_LIMITED: 429,
  REGISTRY_LOCKED: 503,
  DISK_FULL: 507,
  HASH_MISMATCH: 502,
  SIZE_MISMATCH: 502,
  SOURCE_CHANGED: 502,
  NETWORK: 502,
  TIMEOUT: 504,
  HTTP_ERROR: 502,
};

/** The `{ error: { code, message } }` body of an error; anything that is not a DepotError is hidden behind 'IO'. */
export function errorBody(error: unknown): { status: number; body: ErrorBody } {
  if (isDepotError(error)) {
    return { status: STATUS_BY_CODE[error.code] ?? 500, body: { error: { code: error.code, message: error.message } } };
  }
  // An unexpected error's message may hold paths or internals; a person gets a sentence, the log gets the rest.
  return {
    status: 500,
    body: { error: { code: 'IO', message: 'The sidecar hit an unexpected error; see its log for details.' } },
  };
}

/** Sends an error answer. Never a stack trace; messages of DepotErrors are written never to hold a token. */
export function sendError(res: Response, error: unknown, status?: number): void {
  const answer = errorBody(error);
  if (res.headersSent) return;
  res.status(status ?? answer.status).json(answer.body);
}
