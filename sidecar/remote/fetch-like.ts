import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { RingTarget } from './ring/ring-target';

/** The request options the downloader uses; socketFetch and Node's global fetch both accept them. */
export interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  /** Always 'manual': redirects are followed by hand so each hop's host is checked first. */
  redirect?: 'manual';
  signal?: AbortSignal;
  /** An injected fetch's body stream buffer, where it has one; larger chunks mean fewer hash/write calls. */
  highWaterMark?: number;
  /** false asks an injected fetch that decompresses for raw bytes, so byte counts and ranges hold. */
  compress?: boolean;
}

/** The part of a response the downloader reads. */
export interface FetchResponse {
  status: number;
  headers: { get(name: string): string | null };
  body: NodeJS.ReadableStream | ReadableStream<Uint8Array> | null;
}

/** A fetch function: socketFetch by default, injectable (tests pass Node's global fetch or their own). */
export type FetchLike = (url: string, init?: FetchInit) => Promise<FetchResponse>;

export interface RingReadOptions {
  /** Called with the size of every read; a returned promise holds the connection until it settles (bandwidth cap). */
  pace?: (bytes: number) => Promise<void> | undefined;
  /** The largest single read, asked before each one: a capped rate stays smooth with small reads. Default 1 MiB. */
  maxReadBytes?: () => number;
  /**
   * The most bytes the body may bring (what the file still lacks, or the range asked for). A body that goes on past
   * it (endless chunked or close-delimited, or a Content-Length larger than asked) fails with SIZE_MISMATCH
   * (`details.overflow`) once those bytes are taken, and the connection is dropped. Default: no limit.
   */
  limitBytes?: number;
}

/**
 * A body that can be read straight into a download's ring instead of as a stream: socketFetch's answers and the
 * undici download answers of proxied hops. Read as a stream, it is an ordinary Readable.
 */
export abstract class RingReadable extends Readable {
  /** Reads the rest of the body into `target`; settles once all of it is there. Only before anything else read it. */
  abstract readInto(target: RingTarget, options?: RingReadOptions): Promise<void>;
}

/** The body as a Node stream, whichever fetch produced it. */
export function bodyStream(response: FetchResponse): Readable {
  const body = response.body;
  if (body === null) return Readable.from([]);
  if (body instanceof Readable) return body;
  // The DOM and node:stream/web typings describe the same runtime class but are not assignable to each other.
  if ('getReader' in body) return Readable.fromWeb(body as unknown as WebReadableStream<Uint8Array>);
  return Readable.from(body);
}

/** Frees the connection of an answer whose body is not wanted (redirects, errors already read). */
export function discardBody(response: FetchResponse): void {
  const body = response.body;
  if (body === null) return;
  if (body instanceof Readable) body.destroy();
  // A failed cancel of a body nobody reads changes nothing: the connection is dropped either way.
  else if ('cancel' in body) void body.cancel().catch(() => undefined);
}

/** Reads at most `limit` bytes of a small answer (error JSON), then drops the rest. */
export async function readSmallBody(response: FetchResponse, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = bodyStream(response);
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      chunks.push(buffer);
      size += buffer.length;
      if (size >= limit) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}
