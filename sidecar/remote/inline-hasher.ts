import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * The download's SHA-256, fed with the bytes as they are written (one pass). It hashes on the main thread: a worker
 * thread was tried and measured slower on the 2-core target under load (one more copy and message per MiB, and the
 * CPU is shared with everything else anyway); this class keeps the seam should that change.
 */
export class InlineHasher {
  #hash: Hash = createHash('sha256');

  update(chunk: Buffer): void {
    this.#hash.update(chunk);
  }

  async hashFilePrefix(path: string, bytes: number): Promise<void> {
    for await (const chunk of createReadStream(path, { start: 0, end: bytes - 1, highWaterMark: 1024 * 1024 })) {
      this.#hash.update(chunk);
    }
  }

  reset(): void {
    this.#hash = createHash('sha256');
  }

  async digest(): Promise<string> {
    return this.#hash.digest('hex');
  }

  async close(): Promise<void> {}
}
