import type { Socket } from 'node:net';
import { DepotError } from '../../../shared/errors';
import { RingReadable, type RingReadOptions } from '../fetch-like';
import { bodyFraming, type BodyFraming } from './body-framing';
import { HttpProtocolError } from './http-protocol-error';
import type { ResponseHead } from './parse-response-head';
import { ResponseHeadBuffer } from './response-head-buffer';
import { copyIntoRing, type RingTarget } from '../ring/ring-target';

export type ReadIntoOptions = RingReadOptions;

export interface HttpResponseReaderOptions {
  /** `protocol://host:port` of the server, for messages (never the path: it may carry a signature). */
  origin: string;
  /** The request's method: a HEAD answer has no body. */
  method: string;
  /** Destroys the connection and fails whatever waits on it, with the signal's reason. */
  signal?: AbortSignal;
}

const SCRATCH_BYTES = 64 * 1024;
const DEFAULT_MAX_READ = 1024 * 1024;
/**
 * The first read once someone reads the body: onread asks for its buffer right after the previous read (the head's),
 * before `readInto` tells the cap.
 */
const FIRST_BODY_READ_BYTES = 4096;

interface RingReading {
  target: RingTarget;
  options: ReadIntoOptions;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * The answer of one HTTP/1.1 exchange on a socket opened with `onread` (socketFetch): parses the head, then is the
 * body. Read as a stream (error answers, any other consumer) it is an ordinary Readable. `readInto` instead has the
 * socket read straight into the download's ring, so a multi-gigabyte body costs no allocation per chunk: the garbage
 * collection of Node's HTTP client, one external buffer per 64 KiB, was what limited a download to half of curl.
 */
export class HttpResponseReader extends RingReadable {
  /** Settles with the final (non-1xx) head, or rejects when the connection fails first. */
  readonly head: Promise<ResponseHead>;
  readonly #options: HttpResponseReaderOptions;
  /** The connection's own read buffer: heads, chunked bodies, and any read that cannot go straight into the ring. */
  readonly #scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  #socket: Socket | undefined;
  readonly #headBuffer: ResponseHeadBuffer;
  #resolveHead!: (head: ResponseHead) => void;
  #rejectHead!: (error: Error) => void;
  /** How the body ends; undefined while the head is still being read. */
  #framing: BodyFraming | undefined;
  /** Body bytes received but not delivered yet (copies): before anyone reads, or while every ring slot is busy. */
  #backlog: Buffer[] = [];
  #mode: 'waiting' | 'stream' | 'ring' = 'waiting';
  #ring: RingReading | undefined;
  /** The last read buffer handed to the socket was a region of the ring (so its bytes are already in place). */
  #readingInPlace = false;
  /** The one pace promise in flight; while it (or a drain) runs, further reads become `#unpaid` instead. */
  #pacing: Promise<void> | undefined;
  /** Bytes read but not yet paid for with `pace`: the drain pays them, one promise at a time. */
  #unpaid = 0;
  #draining = false;
  /** `push` asked to stop (stream mode): the socket waits for the next `_read`. */
  #pushPaused = false;
  /** Bytes the ring may still take (`limitBytes`), or undefined for no limit. */
  #left: number | undefined;
  #limit: number | undefined;
  /** The whole body has arrived (part of it may still wait in the backlog). */
  #complete = false;
  #ended = false;
  #failure: Error | undefined;
  readonly #onAbort = (): void => {
    this.#fail(toError(this.#options.signal?.reason));
  };

  constructor(options: HttpResponseReaderOptions) {
    super();
    this.#options = options;
    this.#headBuffer = new ResponseHeadBuffer(options.origin);
    this.head = new Promise<ResponseHead>((resolve, reject) => {
      this.#resolveHead = resolve;
      this.#rejectHead = reject;
    });
    // Whoever opened the exchange awaits `head`; a failure after that must not count as unhandled here.
    this.head.catch(() => undefined);
    options.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Takes over the socket's events; its `onread` must call `nextReadBuffer` and `onRead`. */
  attach(socket: Socket): void {
    this.#socket = socket;
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => this.#onClose());
    if (this.#failure) socket.destroy();
  }

  /**
   * onread's buffer for the next read: the ring's free space when the body goes there unframed, else scratch. Node
   * asks for it once when the socket opens and then right after every `onRead` (lib/internal/stream_base_commons.js,
   * onStreamRead), paused or not: so a buffer is always chosen with the state the previous read left.
   */
  nextReadBuffer(): Buffer {
    const max = this.#ring?.options.maxReadBytes?.() ?? DEFAULT_MAX_READ;
    this.#readingInPlace = false;
    if (this.#mode === 'ring' && this.#backlog.length === 0 && this.#ring) {
      const framing = this.#framing;
      const framed =
        framing?.kind === 'length' ? Math.min(max, framing.remaining) : framing?.kind === 'close' ? max : 0;
      const room = Math.min(framed, this.#left ?? framed);
      const region = room > 0 ? this.#ring.target.freeRegion(room) : undefined;
      if (region) {
        this.#readingInPlace = true;
        return region;
      }
    }
    // Chosen now, used by the first read after the body's reader resumes the socket: small, since its cap is unknown.
    if (this.#mode === 'waiting' && this.#framing !== undefined)
      return this.#scratch.subarray(0, FIRST_BODY_READ_BYTES);
    return this.#scratch.subarray(0, Math.min(max, SCRATCH_BYTES));
  }

  /** onread's callback: `length` bytes landed in the last `nextReadBuffer()`. Returns false to pause the socket. */
  onRead(length: number): boolean {
    if (this.#failure) return false;
    try {
      if (this.#readingInPlace) this.#tookInPlace(length);
      else if (this.#framing === undefined) this.#readHead(this.#scratch.subarray(0, length));
      else this.#receive(this.#scratch.subarray(0, length));
      return this.#shouldGoOn(length);
    } catch (error) {
      this.#fail(toError(error));
      return false;
    }
  }

  /**
   * Reads the rest of the body into `target` and settles once all of it is there (or rejects with the connection's
   * or the writer's failure). Only before anything else read the body.
   */
  readInto(target: RingTarget, options: ReadIntoOptions = {}): Promise<void> {
    if (this.#mode !== 'waiting')
      return Promise.reject(new TypeError('HttpResponseReader: the body is already being read'));
    if (this.#failure) return Promise.reject(this.#failure);
    this.#mode = 'ring';
    this.#left = options.limitBytes;
    this.#limit = options.limitBytes;
    if (this.#left !== undefined) {
      // Bytes that came with the head count against the limit like any others.
      this.#backlog = this.#backlog.map((piece) => this.#withinLimit(piece)).filter((piece) => piece.length > 0);
      if (this.#failure) return Promise.reject(this.#failure);
    }
    return new Promise<void>((resolve, reject) => {
      this.#ring = { target, options, resolve, reject };
      // Body bytes that came with the head are paid for like any read.
      if (options.pace) this.#unpaid = this.#backlog.reduce((sum, piece) => sum + piece.length, 0);
      void this.#drain();
    });
  }

  override _read(): void {
    if (this.#failure) {
      this.destroy(this.#failure);
      return;
    }
    if (this.#mode === 'waiting') {
      this.#mode = 'stream';
      for (const piece of this.#backlog) this.push(piece);
      this.#backlog = [];
    }
    this.#pushPaused = false;
    if (this.#complete) this.#endStream();
    else if (this.#framing !== undefined) this.#socket?.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A discarded body (redirect, error answer): the connection goes with it.
    this.#failure ??= error ?? new HttpProtocolError(`the answer from ${this.#options.origin} was discarded.`);
    this.#release();
    this.#ring?.reject(this.#failure);
    callback(error);
  }

  #readHead(data: Buffer): void {
    const complete = this.#headBuffer.push(data);
    if (!complete) return;
    this.#framing = bodyFraming(complete.head, this.#options);
    this.#resolveHead(complete.head);
    if (this.#framing.kind === 'none') this.#markComplete();
    else if (complete.rest.length > 0) this.#receive(complete.rest);
  }

  /** Body bytes read into scratch (or left after the head): unframed, then delivered. */
  #receive(data: Buffer): void {
    const framing = this.#framing;
    if (framing === undefined || framing.kind === 'none') return;
    if (framing.kind === 'chunked') {
      framing.decoder.push(data, (piece) => this.#deliver(piece));
      if (framing.decoder.done) this.#markComplete();
    } else if (framing.kind === 'length') {
      // Bytes past Content-Length (a server bug) are dropped: the size and the hash judge the body.
      const piece = data.subarray(0, framing.remaining);
      framing.remaining -= piece.length;
      this.#deliver(piece);
      if (framing.remaining === 0) this.#markComplete();
    } else {
      this.#deliver(data);
    }
  }

  /** A read went straight into the ring's free region (only unframed bodies, never past Content-Length). */
  #tookInPlace(length: number): void {
    const framing = this.#framing;
    this.#ring?.target.commit(length);
    if (this.#left !== undefined) this.#left -= length;
    if (framing?.kind === 'length') {
      framing.remaining -= length;
      if (framing.remaining === 0) this.#markComplete();
    }
  }

  #deliver(received: Buffer): void {
    if (received.length === 0 || this.#failure) return;
    if (this.#mode === 'stream') {
      if (!this.push(Buffer.from(received))) this.#pushPaused = true;
      return;
    }
    const data = this.#mode === 'ring' ? this.#withinLimit(received) : received;
    if (data.length === 0 || this.#failure) return;
    const target = this.#mode === 'ring' && this.#backlog.length === 0 ? this.#ring?.target : undefined;
    const rest = target ? copyIntoRing(target, data) : data;
    // The scratch buffer is read into again: what waits must be a copy.
    if (rest.length > 0) this.#backlog.push(Buffer.from(rest));
  }

  /**
   * The part of `data` the limit still admits. A byte past it means the body is longer than the answer may be (an
   * endless chunked or close-delimited body, a wrong Content-Length): the exchange fails and the connection goes,
   * so such a body never fills the disk.
   */
  #withinLimit(data: Buffer): Buffer {
    const left = this.#left;
    if (left === undefined) return data;
    const piece = data.subarray(0, left);
    this.#left = left - piece.length;
    if (piece.length < data.length) {
      const host = new URL(this.#options.origin).host;
      this.#fail(
        new DepotError(
          'SIZE_MISMATCH',
          `${host} kept sending past the ${this.#limit} bytes this answer was to have; the ` +
            `download stopped there and dropped the connection.`,
          { details: { host, limit: this.#limit, overflow: true } },
        ),
      );
    }
    return piece;
  }

  /** Whether the socket may read on after a read of `length` bytes; otherwise whatever resumes it is started. */
  #shouldGoOn(length: number): boolean {
    if (this.#failure) return false;
    if (this.#mode === 'stream') {
      if (this.#complete) this.#endStream();
      return !this.#complete && !this.#pushPaused;
    }
    if (this.#mode === 'waiting') return this.#framing === undefined;
    const ring = this.#ring;
    if (!ring) return false;
    // Only one pace promise at a time, always awaited by the drain: tls hands over the rest of a record it already
    // decrypted even while paused, and those reads become a debt the drain pays (no promise is left behind).
    if (ring.options.pace) {
      if (this.#pacing || this.#draining) this.#unpaid += length;
      else this.#pacing = ring.options.pace(length);
    }
    if (this.#pacing || this.#complete || this.#backlog.length > 0 || !ring.target.freeRegion(1)) {
      void this.#drain();
      return false;
    }
    return true;
  }

  /**
   * With the socket paused: waits for the bandwidth cap and for ring slots, moves the backlog into the ring, then
   * either finishes (the body is complete) or lets the socket read again.
   */
  async #drain(): Promise<void> {
    const ring = this.#ring;
    if (this.#draining || !ring) return;
    this.#draining = true;
    try {
      for (;;) {
        if (this.#failure) return;
        const pacing = this.#pacing;
        if (pacing) {
          this.#pacing = undefined;
          await pacing;
          continue;
        }
        if (this.#unpaid > 0 && ring.options.pace) {
          const bytes = Math.min(this.#unpaid, ring.options.maxReadBytes?.() ?? DEFAULT_MAX_READ);
          this.#unpaid -= bytes;
          this.#pacing = ring.options.pace(bytes);
          continue;
        }
        if (ring.target.failure) throw ring.target.failure;
        this.#flushBacklog();
        if (this.#backlog.length === 0 && (this.#complete || ring.target.freeRegion(1))) break;
        await ring.target.whenFree();
        if (!ring.target.freeRegion(1))
          throw ring.target.failure ?? new DepotError('IO', 'The download stopped writing before the body was in.');
      }
    } catch (error) {
      this.#fail(toError(error));
      return;
    } finally {
      this.#draining = false;
    }
    if (this.#failure) return;
    if (this.#complete) {
      this.#release();
      ring.resolve();
    } else {
      this.#socket?.resume();
    }
  }

  #flushBacklog(): void {
    const target = this.#ring?.target;
    while (target && this.#backlog.length > 0) {
      const rest = copyIntoRing(target, this.#backlog[0]);
      if (rest.length > 0) {
        this.#backlog[0] = rest;
        return;
      }
      this.#backlog.shift();
    }
  }

  /**
   * The whole body is in: the connection (opened with `Connection: close`) goes. Before anyone reads the body, the
   * abort listener goes too: the body is all here, nothing is left for an abort to stop.
   */
  #markComplete(): void {
    this.#complete = true;
    if (this.#mode === 'waiting') this.#release();
    else this.#socket?.destroy();
  }

  #endStream(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#release();
    this.push(null);
  }

  #onClose(): void {
    if (this.#complete || this.#failure) return;
    const framing = this.#framing;
    if (framing?.kind === 'close') {
      this.#complete = true;
      if (this.#mode === 'stream') this.#endStream();
      else if (this.#mode === 'ring') void this.#drain();
      return;
    }
    const when =
      framing === undefined
        ? 'before answering'
        : framing.kind === 'length'
          ? `with ${framing.remaining} bytes of the body still to come`
          : 'in the middle of a chunked body';
    this.#fail(new HttpProtocolError(`${this.#options.origin} closed the connection ${when}.`));
  }

  #fail(error: Error): void {
    if (this.#failure) return;
    this.#failure = error;
    this.#release();
    if (this.#framing === undefined) this.#rejectHead(error);
    if (this.#ring) this.#ring.reject(error);
    else if (this.#mode === 'stream' && !this.#ended) this.destroy(error);
  }

  /** Drops the connection and the abort listener (a body read to its end keeps nothing open). */
  #release(): void {
    this.#socket?.destroy();
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
