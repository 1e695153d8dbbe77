import { DepotError, errorCodeOf, isDepotError } from '../../../shared/errors';
import { redactText } from '../../runtime/logger';

/** The error of a cancelled download; the partial file is kept for a later resume. */
export function cancelledDownload(name: string, cause: unknown): DepotError {
  return new DepotError('CANCELLED', `${name}: download cancelled; the partial file was kept so it can resume.`, {
    cause,
  });
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);
const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

/**
 * Local file errors stay what they are (a full disk is DISK_FULL, never retried); a name that does not resolve gets
 * one more try (`details.maxRetries`) and a message naming the host; anything else from the socket side is a
 * network failure worth a retry.
 */
export function toDownloadFailure(error: unknown, name: string): DepotError {
  if (isDepotError(error)) return error;
  const code = errorCodeOf(error);
  if (code !== undefined && DISK_FULL_CODES.has(code)) {
    return new DepotError(
      'DISK_FULL',
      `${name}: the disk filled up during the download (${code}); the partial file was kept. Free some space and try again.`,
      { cause: error },
    );
  }
  if (code !== undefined && DNS_CODES.has(code)) {
    const host = hostnameOf(error);
    return new DepotError(
      'NETWORK',
      `${name}: cannot resolve ${host ?? 'the download host'} (${code}); check the network connection, the proxy ` +
        `settings (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) or HF_ENDPOINT / CIVITAI_ENDPOINT.`,
      { details: { host, code, phase: 'dns', maxRetries: 1 }, cause: error },
    );
  }
  if (error instanceof Error && 'path' in error && 'syscall' in error) {
    return new DepotError('IO', `${name}: a local file operation failed (${redactText(error.message)}).`, {
      cause: error,
    });
  }
  const message = error instanceof Error ? redactText(error.message) : 'unknown error';
  return new DepotError('NETWORK', `${name}: the connection failed (${message}).`, { cause: error });
}

/** The host name a DNS lookup failed for: Node's getaddrinfo errors carry it as `hostname`. */
function hostnameOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'hostname' in error && typeof error.hostname === 'string'
    ? error.hostname
    : undefined;
}
