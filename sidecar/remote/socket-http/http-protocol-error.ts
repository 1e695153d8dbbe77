/**
 * An answer that breaks HTTP/1.1 (an unreadable head, a malformed chunk, a body cut short). The downloader treats it
 * as a network failure: retried, then reported as NETWORK with the file name (toDownloadFailure).
 */
export class HttpProtocolError extends Error {
  override readonly name = 'HttpProtocolError';
  readonly code = 'HTTP_PROTOCOL';
}

/**
 * A short excerpt of what a server sent, safe to print: anything but printable ASCII becomes "?" (no terminal escape
 * sequences reach a log), cut at `max` characters, quoted.
 */
export function quoteExcerpt(text: string, max = 80): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(printable.length > max ? `${printable.slice(0, max)}…` : printable);
}
