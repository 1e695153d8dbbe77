import type { FetchInit, FetchLike, FetchResponse, RingReadOptions } from '../fetch-like';
import { RingReadable } from '../fetch-like';
import type { RingTarget } from '../ring/ring-target';
import type { HttpAgent, HttpTimeouts } from './create-http-agent';
import { requestDownload, type DownloadAnswer } from './request-download';

export interface CreateUndiciDownloadFetchOptions {
  /** The depot's agent: its proxies, trusted authorities and connect timeout. */
  agent: HttpAgent;
  /** First-byte and idle timeouts of a download hop (idle: HF_HUB_DOWNLOAD_TIMEOUT). Default the agent's. */
  timeouts?: Partial<Pick<HttpTimeouts, 'firstByteMs' | 'idleMs'>>;
}

/** Where a stream read of an answer (an error's text, an injected consumer) is copied before it is pushed. */
const STREAM_READ_BYTES = 64 * 1024;

/**
 * The downloader's fetch over undici (`requestDownload`) through the depot's agent: what a hop that goes through a
 * proxy uses, since the hand-written client speaks to origins only. Its bodies are read straight into the ring
 * like socketFetch's, with the same limit on how much a body may bring.
 */
export function createUndiciDownloadFetch(options: CreateUndiciDownloadFetchOptions): FetchLike {
  return async (url: string, init: FetchInit = {}): Promise<FetchResponse> => {
    const answer = await requestDownload({
      url,
      method: init.method === 'HEAD' ? 'HEAD' : 'GET',
      headers: init.headers,
      agent: options.agent,
      signal: init.signal,
      timeouts: options.timeouts,
    });
    return { status: answer.status, headers: answer.headers, body: new DownloadAnswerBody(answer) };
  };
}

/** A download answer's body: into a ring when the downloader reads it, else a stream (error bodies). */
class DownloadAnswerBody extends RingReadable {
  readonly #answer: DownloadAnswer;
  #reading: 'no' | 'ring' | 'stream' = 'no';
  /** Stream mode: `push` asked to stop; the copy waits for the next `_read`. */
  #paused = false;
  #wake: (() => void) | undefined;
  #failure: Error | undefined;

  constructor(answer: DownloadAnswer) {
    super();
    this.#answer = answer;
  }

  readInto(target: RingTarget, options: RingReadOptions = {}): Promise<void> {
    if (this.#reading !== 'no') return Promise.reject(new TypeError('The body is already being read.'));
    this.#reading = 'ring';
    return this.#answer
      .readInto(target, { expectedBytes: options.limitBytes, pace: options.pace })
      .then(() => undefined);
  }

  override _read(): void {
    this.#paused = false;
    if (this.#reading === 'stream') {
      const wake = this.#wake;
      this.#wake = undefined;
      wake?.();
      return;
    }
    if (this.#reading === 'ring') return;
    this.#reading = 'stream';
    const scratch = Buffer.allocUnsafe(STREAM_READ_BYTES);
    const failureOf = (): Error | undefined => this.#failure;
    // A ring of one slot that pushes what lands in it: the answer's own backpressure does the rest.
    const target: RingTarget = {
      freeRegion: (max) =>
        this.#paused || this.#failure ? undefined : scratch.subarray(0, Math.min(max, scratch.length)),
      commit: (length) => {
        if (!this.push(Buffer.from(scratch.subarray(0, length)))) this.#paused = true;
      },
      whenFree: () =>
        this.#paused && !this.#failure
          ? new Promise<void>((resolve) => {
              this.#wake = resolve;
            })
          : Promise.resolve(),
      get failure() {
        return failureOf();
      },
    };
    this.#answer.readInto(target).then(
      () => this.push(null),
      (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.#reading === 'no') this.#answer.discard();
    // A stream read in flight stops at its next piece: the ring's failure ends the exchange and its connection.
    this.#failure ??= error ?? new Error('The body was not wanted.');
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
    callback(error);
  }
}
