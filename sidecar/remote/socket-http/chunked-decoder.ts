import { HttpProtocolError, quoteExcerpt } from './http-protocol-error';

/** A chunk-size line, an extension or a trailer line longer than this is refused rather than buffered. */
const MAX_LINE = 4096;

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

/**
 * Decodes a chunked body (RFC 9112 section 7.1) as it arrives, in pieces of any size: hands out the data as slices of
 * the input (no copy), drops extensions and trailers, and refuses malformed framing.
 */
export class ChunkedDecoder {
  #state: State = 'size';
  /** The line being read (chunk size, the CRLF after a chunk, or a trailer), across inputs. */
  #line = '';
  #remaining = 0;
  /** Who sent the body, for messages. */
  readonly #origin: string;

  constructor(origin: string) {
    this.#origin = origin;
  }

  /** The last chunk and the trailers are read: the body is complete. */
  get done(): boolean {
    return this.#state === 'done';
  }

  /** Decodes `input`, calling `onData` with each piece of body data in order. */
  push(input: Buffer, onData: (data: Buffer) => void): void {
    let at = 0;
    while (at < input.length) {
      if (this.#state === 'done') throw this.#malformed('bytes after the last chunk');
      if (this.#state === 'data') {
        const length = Math.min(this.#remaining, input.length - at);
        onData(input.subarray(at, at + length));
        at += length;
        this.#remaining -= length;
        if (this.#remaining === 0) this.#state = 'data-end';
        continue;
      }
      const lineFeed = input.indexOf(10, at);
      const end = lineFeed < 0 ? input.length : lineFeed;
      this.#line += input.toString('latin1', at, end);
      if (this.#line.length > MAX_LINE) throw this.#malformed('a line longer than 4 KiB');
      if (lineFeed < 0) return;
      at = lineFeed + 1;
      const line = this.#line.endsWith('\r') ? this.#line.slice(0, -1) : this.#line;
      this.#line = '';
      this.#endLine(line);
    }
  }

  #endLine(line: string): void {
    if (this.#state === 'size') {
      // Leading zeros are allowed; a size past 2^53 - 1 would lose precision, and is no real chunk anyway.
      const size = /^0*([0-9a-fA-F]{1,14})[ \t]*(?:;.*)?$/.exec(line);
      const remaining = size ? Number.parseInt(size[1], 16) : Number.NaN;
      if (!Number.isSafeInteger(remaining)) throw this.#malformed(`a chunk size of ${quoteExcerpt(line, 40)}`);
      this.#remaining = remaining;
      this.#state = this.#remaining === 0 ? 'trailer' : 'data';
    } else if (this.#state === 'data-end') {
      if (line !== '') throw this.#malformed('a chunk longer than its size');
      this.#state = 'size';
    } else if (line === '') {
      this.#state = 'done';
    }
  }

  #malformed(what: string): HttpProtocolError {
    return new HttpProtocolError(`${this.#origin} sent a malformed chunked body (${what}).`);
  }
}
