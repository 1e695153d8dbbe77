import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { zRingHashAnswer, type RingHashAnswer } from './ring-hash-message';
import { DepotError } from '../../../shared/errors';

type Question =
  | { type: 'update'; offset: number; length: number }
  | { type: 'file'; path: string; bytes: number }
  | { type: 'range'; path: string; start: number; end: number }
  | { type: 'reset' }
  | { type: 'digest' };

/**
 * A download's SHA-256, computed in a worker thread from the shared ring the bytes are written from (no copy, no
 * re-read). On the 2-core target the main thread is busy receiving and copying; hashing beside it is what lets a
 * download keep up with `curl -o` (measured in test/bench/download-throughput.bench.ts). Questions are answered in
 * the order asked.
 */
export class RingHasher {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve(answer: RingHashAnswer): void; reject(error: Error): void }>();
  #nextId = 1;
  #failure: Error | undefined;

  /** `ring` is the shared memory `update` ranges point into. */
  constructor(ring: SharedArrayBuffer) {
    // Not `new URL('./…', import.meta.url)`: vitest rewrites that pattern into a web address under jsdom, where the
    // extension's tests drive a real sidecar.
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ring-hash-worker.mjs');
    this.#worker = new Worker(script, { workerData: { ring }, execArgv: [] });
    this.#worker.on('message', (raw: unknown) => {
      const answer = zRingHashAnswer.parse(raw);
      const waiter = this.#waiting.get(answer.id);
      this.#waiting.delete(answer.id);
      waiter?.resolve(answer);
    });
    this.#worker.on('error', (error) => this.#failAll(error));
    this.#worker.on('exit', () => this.#failAll(new Error('the hash worker stopped')));
  }

  /** Hashes `length` bytes of the ring from `offset` (the next bytes of the file). */
  async hashRange(offset: number, length: number): Promise<void> {
    await this.#ask({ type: 'update', offset, length });
  }

  /** Hashes the first `bytes` of a file: a partial download left by an earlier process (its hash state died with it). */
  async hashFilePrefix(path: string, bytes: number): Promise<void> {
    await this.#ask({ type: 'file', path, bytes });
  }

  /** Hashes bytes `[start, end)` of a file: the next bytes of the download, written there by several connections. */
  async hashFileRange(path: string, start: number, end: number): Promise<void> {
    await this.#ask({ type: 'range', path, start, end });
  }

  async reset(): Promise<void> {
    await this.#ask({ type: 'reset' });
  }

  /** The SHA-256 (hex) of everything hashed so far. */
  async digest(): Promise<string> {
    const answer = await this.#ask({ type: 'digest' });
    if (answer.type !== 'done' || answer.sha256 === undefined) throw new Error('the hash worker sent no digest');
    return answer.sha256;
  }

  async close(): Promise<void> {
    this.#failure ??= new Error('the hasher was closed');
    await this.#worker.terminate();
  }

  async #ask(question: Question): Promise<RingHashAnswer> {
    if (this.#failure) throw this.#failure;
    const id = this.#nextId++;
    const answer = await new Promise<RingHashAnswer>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ ...question, id });
    });
    if (answer.type === 'error') {
      throw new DepotError('IO', `hashing the download failed: ${answer.message}`, { details: { code: answer.code } });
    }
    return answer;
  }

  #failAll(error: Error): void {
    this.#failure ??= error;
    for (const waiter of this.#waiting.values()) waiter.reject(this.#failure);
    this.#waiting.clear();
  }
}
