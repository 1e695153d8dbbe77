import { HttpProtocolError, quoteExcerpt as quote } from './http-protocol-error';

export interface ResponseHead {
  status: number;
  /** Values by lower-case name; a repeated header's values are joined with ", ", as fetch's `headers.get` does. */
  headers: Map<string, string>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Parses an HTTP/1.x response head: the status line and the header lines, without the blank line that ends it
 * (latin1, as sent). Strict where a mistake could corrupt a body: no folded lines, no space before a colon (RFC 9112
 * section 5), a three-digit status.
 */
export function parseResponseHead(head: string, origin: string): ResponseHead {
  const lines = head.split('\r\n');
  const statusLine = /^HTTP\/1\.[01] (\d{3})(?: [^\r\n]*)?$/.exec(lines[0]);
  if (!statusLine) throw new HttpProtocolError(`${origin} sent an answer that is not HTTP/1.1 (${quote(lines[0])}).`);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    // A bare CR, LF or NUL in a value would make another parser on the path read other headers (RFC 9110 5.5).
    if (!TOKEN.test(name) || /[\r\n\0]/.test(line)) {
      throw new HttpProtocolError(`${origin} sent an unreadable header line (${quote(line)}).`);
    }
    const key = name.toLowerCase();
    // Only spaces and tabs around a value (RFC 9110 5.5); String.trim would also eat latin1 bytes such as 0xA0.
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    const previous = headers.get(key);
    headers.set(key, previous === undefined ? value : `${previous}, ${value}`);
  }
  return { status: Number(statusLine[1]), headers };
}
