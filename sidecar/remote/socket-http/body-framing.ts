import { ChunkedDecoder } from './chunked-decoder';
import { HttpProtocolError, quoteExcerpt } from './http-protocol-error';
import type { ResponseHead } from './parse-response-head';

/** How an answer's body ends (RFC 9112 section 6.3). */
export type BodyFraming =
  | { kind: 'length'; remaining: number }
  | { kind: 'chunked'; decoder: ChunkedDecoder }
  | { kind: 'close' }
  | { kind: 'none' };

/** The framing of the body after `head`, for a request made with `method`; refuses what cannot be read safely. */
export function bodyFraming(head: ResponseHead, request: { origin: string; method: string }): BodyFraming {
  const { origin, method } = request;
  if (method === 'HEAD' || head.status === 204 || head.status === 304) return { kind: 'none' };
  const transferEncoding = head.headers.get('transfer-encoding');
  if (transferEncoding !== undefined) {
    // Accept-Encoding: identity was asked for; any other coding here would land in the file as it is.
    if (transferEncoding.trim().toLowerCase() !== 'chunked') {
      throw new HttpProtocolError(
        `${origin} sent a body in a transfer coding model-depot cannot read (${quoteExcerpt(transferEncoding, 40)}).`,
      );
    }
    return { kind: 'chunked', decoder: new ChunkedDecoder(origin) };
  }
  const contentLength = head.headers.get('content-length');
  if (contentLength !== undefined) {
    // "5, 5" (a repeated header) is one length; "5, 6" is a server that cannot be trusted with a body.
    const values = new Set(contentLength.split(',').map((value) => value.trim()));
    const [value] = values;
    if (values.size !== 1 || !/^\d{1,15}$/.test(value)) {
      throw new HttpProtocolError(`${origin} sent an unreadable Content-Length (${quoteExcerpt(contentLength, 40)}).`);
    }
    const remaining = Number(value);
    return remaining === 0 ? { kind: 'none' } : { kind: 'length', remaining };
  }
  return { kind: 'close' };
}
