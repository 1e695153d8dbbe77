import { HttpProtocolError } from './http-protocol-error';

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
    if (!TOKEN.test(name)) throw new HttpProtocolError(`${origin} sent an unreadable header line (${quote(line)}).`);
    const key = name.toLowerCase();
    const value = line.slice(colon + 1).trim();
    const previous = headers.get(key);
    headers.set(key, previous === undefined ? value : `${previous}, ${value}`);
  }
  return { status: Number(statusLine[1]), headers };
}

/** A short, printable excerpt of what the server sent, for the message. */
function quote(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(printable.length > 80 ? `${printable.slice(0, 80)}…` : printable);
}
