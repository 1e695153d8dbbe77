import type { Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { DepotError } from '../../../shared/errors';
import { parseContentRange } from '../parse-content-range';
import { copyIntoRing, type RingTarget } from '../ring/ring-target';
import type { HttpAgent, HttpTimeouts } from './create-http-agent';
import { headerGetter, type HeaderGetter } from './header-getter';
import { httpFailure, type HttpFailureContext } from './http-failure';

export interface RequestDownloadOptions {
  /** One hop's URL, already checked by the host policy (a CDN's may carry a signature: never printed whole). */
  url: string;
  /** Default GET. */
  method?: 'GET' | 'HEAD';
  /** Range, If-Range, Authorization (only for the provider's own host: the caller decides). Default none. */
  headers?: Record<string, string>;
  /** The depot's agent. */
  agent: HttpAgent;
  /** Cancels the exchange; a DepotError reason (a stall watch) is the failure as it is, anything else CANCELLED. */
  signal?: AbortSignal;
  /** Overrides the agent's first-byte and idle timeouts (idle: HF_HUB_DOWNLOAD_TIMEOUT). */
  timeouts?: Partial<Pick<HttpTimeouts, 'firstByteMs' | 'idleMs'>>;
}

export interface ReadIntoOptions {
  /**
   * The bytes the body must bring (the file's known size minus the part already on disk). Never more is taken, and
   * a body that ends sooner fails (NETWORK, so the download resumes). Default: what the answer declares.
   */
  expectedBytes?: number;
  /** Called with the size of every piece; a returned promise holds the connection until it settles (bandwidth cap). */
  pace?: (bytes: number) => Promise<void> | undefined;
}

/**
 * The head of one download hop's answer. Its body waits, with the connection paused (no idle timeout runs), until it
 * is read into a ring, read as text, or discarded: every answer must get one of the three, or its signal aborted.
 */
export interface DownloadAnswer {
  status: number;
  headers: HeaderGetter;
  /** The body's size as the answer declares it: a 206's Content-Range span, else Content-Length; 0 without a body. */
  declaredBytes: number | undefined;
  /**
   * Reads the body into `target` and settles with the bytes placed there once all of them are in. Never reads past
   * the smaller of `expectedBytes` and `declaredBytes`: a longer body (endless chunked or close-delimited) stops there
   * with SIZE_MISMATCH, and the connection is dropped.
   */
  readInto(target: RingTarget, options?: ReadIntoOptions): Promise<number>;
  /** Reads at most `limit` bytes of a small body (an error's JSON), then drops the rest. Default 64 KiB. */
  readText(limit?: number): Promise<string>;
  /** The body is not wanted (a redirect, an error already described): a short one is skipped, a long one cut. */
  discard(): void;
}

/** A body up to this size is read and dropped on discard, so its keep-alive connection serves the next hop. */
const SKIPPED_BODY_BYTES = 64 * 1024;

/**
 * One download hop through the depot's agent with undici's `dispatch`: settles with the answer's head (1xx heads
 * skipped, at most a few), holding its body until the caller chose what to do with it. No redirects, no
 * decompression (nothing asks for it). The body is copied into the ring chunk by chunk as undici hands it over,
 * with the connection paused while the ring is full or the bandwidth cap wants a pause.
 */
export function requestDownload(options: RequestDownloadOptions): Promise<DownloadAnswer> {
  const url = new URL(options.url);
  const timeouts: HttpTimeouts = {
    connectMs: options.agent.timeouts.connectMs,
    firstByteMs: options.timeouts?.firstByteMs ?? options.agent.timeouts.firstByteMs,
    idleMs: options.timeouts?.idleMs ?? options.agent.timeouts.idleMs,
  };
  const exchange = new DownloadExchange(options.method ?? 'GET', {
    url,
    proxy: options.agent.proxyFor(url),
    timeouts,
    signal: options.signal,
  });
  options.agent.dispatcher.dispatch(
    {
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: options.method ?? 'GET',
      headers: options.headers,
      headersTimeout: timeouts.firstByteMs,
      bodyTimeout: timeouts.idleMs,
    },
    exchange,
  );
  return exchange.head;
}

type BodySink =
  | {
      kind: 'ring';
      target: RingTarget;
      limit: number | undefined;
      expected: number | undefined;
      pace: ReadIntoOptions['pace'];
    }
  | { kind: 'text'; limit: number; chunks: Buffer[] }
  | { kind: 'skip' };

/** The handler of one exchange: the head as a promise, then the body into whichever sink the caller chose. */
class DownloadExchange implements Dispatcher.DispatchHandler {
  readonly head: Promise<DownloadAnswer>;
  readonly #method: string;
  readonly #context: HttpFailureContext;
  /** The host, for messages (never the path: a CDN's carries a signature). */
  readonly #host: string;
  #resolveHead!: (answer: DownloadAnswer) => void;
  #rejectHead!: (error: DepotError) => void;
  #controller: Dispatcher.DispatchController | undefined;
  #headSeen = false;
  #declared: number | undefined;
  #sink: BodySink | undefined;
  #resolveBody: ((value: number) => void) | undefined;
  #rejectBody: ((error: DepotError) => void) | undefined;
  /** Bytes taken from the body (into the ring, or as text). */
  #taken = 0;
  /** A piece that did not fit into the ring yet, and the pace promise for it: the connection waits for both. */
  #waiting: { rest: Buffer; pacing: Promise<void> | undefined } | undefined;
  /** The body went past its limit: the exchange fails once what fitted is in the ring. */
  #overflowed = false;
  #ended = false;
  #settled = false;
  /** Why the exchange failed, for a read asked for afterwards. */
  #failure: DepotError | undefined;
  readonly #onAbort = (): void => {
    const reason: unknown = this.#context.signal?.reason;
    this.#fail(reason instanceof Error ? reason : new Error(String(reason)));
  };

  constructor(method: string, context: HttpFailureContext) {
    this.#method = method;
    this.#context = context;
    this.#host = new URL(context.url).host;
    this.head = new Promise<DownloadAnswer>((resolve, reject) => {
      this.#resolveHead = resolve;
      this.#rejectHead = reject;
    });
    if (context.signal?.aborted === true) queueMicrotask(this.#onAbort);
    else context.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#settled)
      controller.abort(new DepotError('CANCELLED', 'The download hop was given up before it started.'));
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200 || this.#headSeen) return;
    this.#headSeen = true;
    // Nothing of the body is taken until the caller says where it goes.
    controller.pause();
    const getter = headerGetter(headers);
    this.#declared = declaredBytes(this.#method, statusCode, getter);
    this.#resolveHead({
      status: statusCode,
      headers: getter,
      declaredBytes: this.#declared,
      readInto: (target, options = {}) => this.#read(ringSink(target, options, this.#declared)),
      readText: async (limit = 64 * 1024) => {
        const sink: BodySink = { kind: 'text', limit, chunks: [] };
        await this.#read(sink);
        return Buffer.concat(sink.chunks).toString('utf8');
      },
      discard: () => {
        if (this.#declared !== undefined && this.#declared <= SKIPPED_BODY_BYTES) {
          this.#read({ kind: 'skip' }).catch(() => undefined);
        } else {
          this.#settle();
          this.#controller?.abort(new DepotError('CANCELLED', 'The body was not wanted.'));
        }
      },
    });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const sink = this.#sink;
    if (sink === undefined || this.#settled) return;
    if (sink.kind === 'skip') return;
    if (sink.kind === 'text') {
      const piece = chunk.subarray(0, sink.limit - this.#taken);
      sink.chunks.push(Buffer.from(piece));
      this.#taken += piece.length;
      // Enough of an error's text: the rest is not wanted, and the connection goes with it.
      if (this.#taken >= sink.limit) this.#finish();
      return;
    }
    const room = sink.limit === undefined ? chunk.length : sink.limit - this.#taken;
    const piece = room < chunk.length ? chunk.subarray(0, room) : chunk;
    if (piece.length < chunk.length) this.#overflowed = true;
    this.#taken += piece.length;
    const pacing = piece.length > 0 ? sink.pace?.(piece.length) : undefined;
    const rest = copyIntoRing(sink.target, piece);
    if (rest.length === 0 && pacing === undefined && !this.#overflowed) return;
    controller.pause();
    // The chunk is undici's to reuse once this returns: what waits must be a copy.
    this.#waiting = { rest: rest.length > 0 ? Buffer.from(rest) : rest, pacing };
    void this.#drain(sink.target);
  }

  onResponseEnd(): void {
    this.#ended = true;
    if (this.#waiting === undefined) this.#finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#fail(error);
  }

  /** Lets the body flow into `sink`; settles once it is all there (or the exchange failed). */
  #read(sink: BodySink): Promise<number> {
    if (this.#sink !== undefined)
      return Promise.reject(new TypeError('The body of a download answer is read only once.'));
    this.#sink = sink;
    return new Promise<number>((resolve, reject) => {
      this.#resolveBody = resolve;
      this.#rejectBody = reject;
      if (this.#settled) reject(this.#failure ?? new DepotError('CANCELLED', 'The answer was already discarded.'));
      else if (this.#ended) this.#finish();
      else this.#controller?.resume();
    });
  }

  /** With the connection paused: waits for the bandwidth cap and for ring slots, then lets the body flow again. */
  async #drain(target: RingTarget): Promise<void> {
    try {
      const waiting = this.#waiting;
      if (waiting?.pacing) await waiting.pacing;
      let rest = waiting?.rest ?? Buffer.alloc(0);
      while (rest.length > 0 && !this.#settled) {
        if (target.failure) throw target.failure;
        await target.whenFree();
        if (target.failure) throw target.failure;
        const before = rest.length;
        rest = copyIntoRing(target, rest);
        if (rest.length === before && !target.freeRegion(1)) {
          throw new DepotError('IO', 'The download stopped writing before the body was in.');
        }
      }
    } catch (error) {
      this.#fail(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.#waiting = undefined;
    if (this.#settled) return;
    if (this.#overflowed || this.#ended) this.#finish();
    else this.#controller?.resume();
  }

  /** The body is over for this exchange: all of it, its limit, or enough text. */
  #finish(): void {
    const sink = this.#sink;
    if (sink === undefined || this.#settled) return;
    if (sink.kind === 'ring' && this.#overflowed) {
      const host = this.#host;
      this.#fail(
        new DepotError(
          'SIZE_MISMATCH',
          `${host} kept sending past the ${sink.limit} bytes this answer was to have; the download took exactly those ` +
            `and dropped the connection.`,
          { details: { host, limit: sink.limit, overflow: true } },
        ),
      );
      return;
    }
    if (sink.kind === 'ring' && sink.expected !== undefined && this.#taken < sink.expected) {
      const host = this.#host;
      this.#fail(
        new DepotError('NETWORK', `${host} ended the body after ${this.#taken} of ${sink.expected} bytes; try again.`, {
          details: { host, received: this.#taken, expected: sink.expected },
        }),
      );
      return;
    }
    const taken = this.#taken;
    this.#settle();
    // A text read that stopped at its limit leaves a body nobody wants: the connection goes.
    if (!this.#ended) this.#controller?.abort(new DepotError('CANCELLED', 'The rest of the body was not wanted.'));
    this.#resolveBody?.(taken);
  }

  #fail(error: Error): void {
    if (this.#settled) return;
    this.#settle();
    const failure = httpFailure(error, this.#context);
    this.#failure = failure;
    this.#controller?.abort(failure);
    if (!this.#headSeen) this.#rejectHead(failure);
    this.#rejectBody?.(failure);
  }

  #settle(): void {
    this.#settled = true;
    this.#context.signal?.removeEventListener('abort', this.#onAbort);
  }
}

function ringSink(target: RingTarget, options: ReadIntoOptions, declared: number | undefined): BodySink {
  const expected = options.expectedBytes;
  const limit = expected === undefined ? declared : declared === undefined ? expected : Math.min(expected, declared);
  return { kind: 'ring', target, limit, expected, pace: options.pace };
}

/** A HEAD, 204 or 304 has no body; a 206 covers its Content-Range; else Content-Length when it is a number. */
function declaredBytes(method: string, status: number, headers: HeaderGetter): number | undefined {
  if (method === 'HEAD' || status === 204 || status === 304) return 0;
  if (status === 206) {
    const range = parseContentRange(headers.get('content-range'));
    if (range?.start !== undefined && range.end !== undefined) return range.end - range.start + 1;
  }
  const length = headers.get('content-length');
  return length !== null && /^\d+$/.test(length.trim()) ? Number(length) : undefined;
}
