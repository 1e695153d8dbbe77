/**
 * An answer that breaks HTTP/1.1 (an unreadable head, a malformed chunk, a body cut short). The downloader treats it
 * as a network failure: retried, then reported as NETWORK with the file name (toDownloadFailure).
 */
export class HttpProtocolError extends Error {
  override readonly name = 'HttpProtocolError';
  readonly code = 'HTTP_PROTOCOL';
}
