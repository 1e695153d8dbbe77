import { HttpProtocolError } from './http-protocol-error';
import { parseResponseHead, type ResponseHead } from './parse-response-head';

const MAX_HEAD_BYTES = 64 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * Collects an answer's head across reads of any size. Skips informational heads (100 Continue, 103 Early Hints: the
 * real answer follows on the same connection), refuses a 101 nobody asked for and a head over 64 KiB.
 */
export class ResponseHeadBuffer {
  #bytes = Buffer.alloc(0);
  /** `protocol://host:port`, for messages. */
  readonly #origin: string;

  constructor(origin: string) {
    this.#origin = origin;
  }

  /** Adds `data` (copied: it may be a reused read buffer); once the final head is in, returns it and what followed. */
  push(data: Buffer): { head: ResponseHead; rest: Buffer } | undefined {
    this.#bytes = this.#bytes.length === 0 ? Buffer.from(data) : Buffer.concat([this.#bytes, data]);
    for (;;) {
      const end = this.#bytes.indexOf(HEAD_END);
      if (end > MAX_HEAD_BYTES || (end < 0 && this.#bytes.length > MAX_HEAD_BYTES)) {
        throw new HttpProtocolError(`${this.#origin} sent a response head larger than 64 KiB.`);
      }
      if (end < 0) return undefined;
      const head = parseResponseHead(this.#bytes.toString('latin1', 0, end), this.#origin);
      const rest = this.#bytes.subarray(end + HEAD_END.length);
      if (head.status === 101) throw new HttpProtocolError(`${this.#origin} switched protocols unasked (101).`);
      this.#bytes = head.status >= 200 ? Buffer.alloc(0) : rest;
      if (head.status >= 200) return { head, rest };
    }
  }
}
