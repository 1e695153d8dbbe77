/**
 * The one error class of model-depot. `code` is stable (scripts, the server and the extension switch on it);
 * `message` says what happened and what to do next, and never contains a token or a credentialed URL.
 */
export type DepotErrorCode =
  | 'BAD_INPUT' // malformed workflow, request body, WebSocket message or argument
  | 'BAD_CONFIG' // malformed config file
  | 'NOT_FOUND' // a file, repository, revision or job that does not exist
  | 'HASH_MISMATCH' // downloaded bytes do not match the expected SHA-256
  | 'SIZE_MISMATCH' // downloaded byte count differs from the expected size
  | 'AUTH_REQUIRED' // the host wants a token and none was given (HTTP 401)
  | 'AUTH_DENIED' // a token was given but has no access (HTTP 403)
  | 'RATE_LIMITED' // HTTP 429 after all retries
  | 'HOST_NOT_ALLOWED' // a URL or redirect hop outside the allow-list
  | 'UNSAFE_PATH' // a file name or category that would leave the models root
  | 'DISK_FULL' // not enough free space, or ENOSPC while writing
  | 'NETWORK' // connection refused, reset or dropped after all retries
  | 'TIMEOUT' // a named phase (connect, idle, total) took too long
  | 'CANCELLED' // cancelled by the user
  | 'CONFLICT' // a different file already sits under the wanted name
  | 'SOURCE_CHANGED' // the file changed at the source during a resume
  | 'HTTP_ERROR' // any other unexpected HTTP status
  | 'FILE_CHANGED' // a local file changed or vanished while it was being read
  | 'REGISTRY_LOCKED' // another sidecar holds the models directory
  | 'DOWNLOAD_LOCKED' // another process is downloading the same partial file
  | 'REGISTRY_CORRUPT' // the registry file could not be parsed
  | 'ORIGIN_REFUSED' // a request from an origin or host that is not allowed
  | 'IO'; // any other local file-system failure

export interface DepotErrorOptions {
  /** Machine-readable facts (expected/actual hashes, status, host); never a token. */
  details?: Record<string, unknown>;
  /** The underlying error. */
  cause?: unknown;
}

export class DepotError extends Error {
  override readonly name = 'DepotError';
  readonly code: DepotErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: DepotErrorCode, message: string, options: DepotErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

export function isDepotError(error: unknown): error is DepotError {
  return error instanceof DepotError;
}

/** Codes caused by bad input from the caller (exit code 2, HTTP 4xx); every other code is a failure (exit 1, 5xx/502). */
export const BAD_INPUT_CODES: ReadonlySet<DepotErrorCode> = new Set<DepotErrorCode>([
  'BAD_INPUT',
  'BAD_CONFIG',
  'UNSAFE_PATH',
  'HOST_NOT_ALLOWED',
  'ORIGIN_REFUSED',
]);

/** The `code` of a Node system error (or a proper-lockfile error), such as 'ENOENT'; undefined for anything else. */
export function errorCodeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

/** True when `error` is a Node system error (or proper-lockfile error) with this `code`, such as 'ENOENT'. */
export function hasErrorCode(error: unknown, code: string): boolean {
  return errorCodeOf(error) === code;
}
