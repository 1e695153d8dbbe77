import { DepotError, isDepotError } from '../../../shared/errors';
import { redactText } from '../../runtime/logger';

/** The error of a cancelled download; the partial file is kept for a later resume. */
export function cancelledDownload(name: string, cause: unknown): DepotError {
  return new DepotError('CANCELLED', `${name}: download cancelled; the partial file was kept so it can resume.`, {
    cause,
  });
}

/** Local file errors stay what they are; anything else from the socket side is a network failure worth a retry. */
export function toDownloadFailure(error: unknown, name: string): DepotError {
  if (isDepotError(error)) return error;
  if (error instanceof Error && 'path' in error && 'syscall' in error) {
    return new DepotError('IO', `${name}: a local file operation failed (${redactText(error.message)}).`, {
      cause: error,
    });
  }
  const message = error instanceof Error ? redactText(error.message) : 'unknown error';
  return new DepotError('NETWORK', `${name}: the connection failed (${message}).`, { cause: error });
}
