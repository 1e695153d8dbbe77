import { DepotError, errorCodeOf } from '../../../shared/errors';

/**
 * A failed write to a download's partial file: a full disk or quota is DISK_FULL (the partial stays, so a rerun after
 * freeing space resumes), anything else IO with the system error's code.
 */
export function partialWriteError(error: unknown, name: string): DepotError {
  const code = errorCodeOf(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new DepotError(
      'DISK_FULL',
      `${name}: the disk filled up while downloading. The partial file was kept: free some space and start the ` +
        `download again, it resumes where it stopped.`,
      { cause: error },
    );
  }
  return new DepotError('IO', `${name}: writing the partial download failed (${String(code ?? error)}).`, {
    cause: error,
  });
}
