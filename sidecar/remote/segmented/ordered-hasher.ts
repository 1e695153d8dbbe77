import type { RingHasher } from '../ring/ring-hasher';

/** Hashed per request to the worker: small enough that a cancel or a failure is noticed quickly. */
const HASH_STEP_BYTES = 16 * 1024 * 1024;

/**
 * The SHA-256 of a file several connections write at once, taken in file order: each time the written prefix grows
 * (`advance`), the worker hashes the new bytes from the file right away, while the page cache still holds them. One
 * request at a time, so the hash never runs ahead of what was written.
 */
export class OrderedHasher {
  /** Bytes from the start of the file that are in the hash. */
  hashed = 0;
  readonly #hasher: RingHasher;
  readonly #path: string;
  #target = 0;
  #running: Promise<void> | undefined;
  #failure: Error | undefined;

  /** `hasher` must be fresh (nothing hashed); `path` is the partial file. */
  constructor(hasher: RingHasher, path: string) {
    this.#hasher = hasher;
    this.#path = path;
  }

  /** The file's first `prefix` bytes are written: hash up to there (in the background). */
  advance(prefix: number): void {
    if (prefix <= this.#target) return;
    this.#target = prefix;
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
  }

  /** Settles once the hash covers `total` bytes (which must all be written); rejects with a hashing failure. */
  async finish(total: number): Promise<void> {
    this.advance(total);
    while (this.#running) await this.#running;
    if (this.#failure) throw this.#failure;
    if (this.hashed !== total) throw new Error(`OrderedHasher: hashed ${this.hashed} of ${total} bytes`);
  }

  /** Settles once no request to the worker is in flight (before the hasher is closed). */
  async settled(): Promise<void> {
    while (this.#running) await this.#running.catch(() => undefined);
  }

  async #run(): Promise<void> {
    try {
      while (this.hashed < this.#target && !this.#failure) {
        const end = Math.min(this.#target, this.hashed + HASH_STEP_BYTES);
        await this.#hasher.hashFileRange(this.#path, this.hashed, end);
        this.hashed = end;
      }
    } catch (error) {
      this.#failure = error instanceof Error ? error : new Error(String(error));
    }
  }
}
