import { DepotError, errorCodeOf } from '../../shared/errors';

export interface FileOperationErrorOptions {
  /** What failed, naming the files: `Cannot copy a to b`. */
  what: string;
  /** The system error. */
  error: unknown;
  /** Facts for the caller (the paths). */
  details: Record<string, unknown>;
  /** The end of the message after the system code, such as what became of the files. Default '.'. */
  after?: string;
}

/**
 * A file operation that failed for real (not one of the refusals a caller falls back from): DISK_FULL when the volume
 * is full, else IO. The message names the system code only, not Node's text, which repeats the paths.
 */
export function fileOperationError({ what, error, details, after = '.' }: FileOperationErrorOptions): DepotError {
  const code = errorCodeOf(error);
  return new DepotError(code === 'ENOSPC' ? 'DISK_FULL' : 'IO', `${what} (${code ?? 'error'})${after}`, {
    details,
    cause: error,
  });
}
