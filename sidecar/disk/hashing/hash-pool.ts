import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { DepotError } from '../../../shared/errors';
import { zHashWorkerMessage, type HashWorkerMessage } from './hash-worker-message';
import { HASH_CHUNK_SIZE } from './hash-file';
import { hashUnchangedFile, type DigestResult, type HashedFile } from './hash-unchanged-file';

export interface HashPoolOptions {
  /** Worker threads; default os.availableParallelism(). */
  workers?: number;
  /** Bytes per read in each worker; default HASH_CHUNK_SIZE (8 MiB). */
  chunkSize?: number;
}

export interface PoolHashOptions {
  /** Called after every read with the bytes of this file hashed so far; default: none. */
  onProgress?: (bytesDone: number) => void;
  /** Removes the file from the queue, or stops its worker mid-file; rejects with DepotError('CANCELLED'). */
  signal?: AbortSignal;
}

interface Task {
  id: number;
  path: string;
  onProgress?: (bytesDone: number) => void;
  resolve: (result: DigestResult) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  task?: Task;
}

/**
 * SHA-256 on worker threads, so hashing many files uses every core (one file is disk- or core-bound either way).
 * Files wait in a FIFO queue; workers start on demand and are unref'ed while idle so a forgotten pool never keeps
 * the process alive. Each file gets the same before/after checks as hashFile (FILE_CHANGED, IO).
 */
export class HashPool {
  readonly size: number;
  private readonly chunkSize: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: HashPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
    this.chunkSize = options.chunkSize ?? HASH_CHUNK_SIZE;
  }

  hash(path: string, options: PoolHashOptions = {}): Promise<HashedFile> {
    return hashUnchangedFile(path, (p) => this.digest(p, options));
  }

  /** Stops every worker; files still queued or running reject with CANCELLED. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(cancelled(task.path));
    await Promise.all(
      this.slots.splice(0).map(async (slot) => {
        if (slot.task) slot.task.reject(cancelled(slot.task.path));
        await slot.worker.terminate();
      }),
    );
  }

  private digest(path: string, { onProgress, signal }: PoolHashOptions): Promise<DigestResult> {
    if (this.closed)
      return Promise.reject(new DepotError('CANCELLED', `The hash pool is closed; ${path} was not hashed.`));
    if (signal?.aborted) return Promise.reject(cancelled(path));
    return new Promise<DigestResult>((resolve, reject) => {
      const task: Task = { id: this.nextId++, path, onProgress, resolve, reject };
      const onAbort = () => {
        const queued = this.queue.indexOf(task);
        if (queued >= 0) {
          this.queue.splice(queued, 1);
          reject(cancelled(path));
          return;
        }
        this.slots.find((slot) => slot.task === task)?.worker.postMessage({ type: 'cancel', id: task.id });
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle =
        <T>(fn: (value: T) => void) =>
        (value: T) => {
          signal?.removeEventListener('abort', onAbort);
          fn(value);
        };
      task.resolve = settle(resolve);
      task.reject = settle(reject);
      this.queue.push(task);
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.task);
      if (!slot && this.slots.length < this.size) slot = this.startWorker();
      if (!slot) return;
      const task = this.queue.shift();
      if (!task) return;
      slot.task = task;
      slot.worker.ref();
      slot.worker.postMessage({ type: 'hash', id: task.id, path: task.path, chunkSize: this.chunkSize });
    }
  }

  private startWorker(): Slot {
    // execArgv [] keeps a test runner's or tsx's loaders out of the worker: it is plain JS and starts faster bare.
    const worker = new Worker(new URL('./hash-worker.mjs', import.meta.url), { execArgv: [] });
    const slot: Slot = { worker };
    worker.on('message', (raw: unknown) => this.onMessage(slot, zHashWorkerMessage.parse(raw)));
    worker.on('error', (error) => this.onCrash(slot, error));
    worker.on('exit', (code) => {
      if (!this.closed) this.onCrash(slot, new Error(`hash worker exited with code ${code}`));
    });
    this.slots.push(slot);
    return slot;
  }

  private onMessage(slot: Slot, message: HashWorkerMessage): void {
    const task = slot.task;
    if (!task || task.id !== message.id) return;
    if (message.type === 'progress') {
      task.onProgress?.(message.bytes);
      return;
    }
    slot.task = undefined;
    slot.worker.unref();
    if (message.type === 'done') task.resolve({ sha256: message.sha256, bytes: message.bytes });
    else if (message.code === 'CANCELLED') task.reject(cancelled(task.path));
    // A Node-like error keeps its errno code so fileReadError maps ENOENT/EACCES/EISDIR like hashFile does.
    else task.reject(Object.assign(new Error(message.message), { code: message.code }));
    this.pump();
  }

  private onCrash(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    this.slots.splice(index, 1);
    slot.task?.reject(error);
    void slot.worker.terminate();
    this.pump();
  }
}

function cancelled(path: string): DepotError {
  return new DepotError('CANCELLED', `Hashing ${path} was cancelled.`, { details: { path } });
}
