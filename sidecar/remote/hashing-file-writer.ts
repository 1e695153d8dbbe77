import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { DepotError } from '../../shared/errors';

/** Where written bytes go to be hashed. */
export interface ChunkHasher {
  update(chunk: Buffer): void;
}

export interface HashingFileWriterOptions {
  /** The open partial file; bytes are appended at its end. */
  handle: FileHandle;
  /** Fed with exactly the bytes that reached the file, so hash and file never disagree after an error. */
  hasher: ChunkHasher;
  /** Bytes already in the file (and in the hash). */
  startBytes: number;
  /** Called after each write with the total bytes in the file. */
  onWritten(bytes: number): void;
  /** The file name for error messages. */
  name: string;
}

/**
 * The download's sink: writes to the partial file and hashes in the same pass (no re-read), counting only bytes the
 * file system accepted. `writev` batches the small chunks of a fast socket into one system call.
 */
export class HashingFileWriter extends Writable {
  bytes: number;
  readonly #options: HashingFileWriterOptions;

  constructor(options: HashingFileWriterOptions) {
    // 1 MiB buffered at most: bytes in buffers are lost when the process is killed and must be fetched again.
    super({ highWaterMark: 1024 * 1024 });
    this.#options = options;
    this.bytes = options.startBytes;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#writeAll([chunk]).then(() => callback(), callback);
  }

  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    callback: (error?: Error | null) => void,
  ): void {
    this.#writeAll(chunks.map((entry) => entry.chunk)).then(() => callback(), callback);
  }

  async #writeAll(buffers: Buffer[]): Promise<void> {
    let pending = buffers;
    while (pending.length > 0) {
      let written: number;
      try {
        ({ bytesWritten: written } = await this.#options.handle.writev(pending));
      } catch (error) {
        throw toDepotError(error, this.#options.name);
      }
      // A short write (rare: signals, full disks) leaves a tail; hash only what landed and write the rest again.
      const rest: Buffer[] = [];
      for (const buffer of pending) {
        if (written >= buffer.length) {
          this.#options.hasher.update(buffer);
          written -= buffer.length;
          this.bytes += buffer.length;
        } else {
          if (written > 0) {
            this.#options.hasher.update(buffer.subarray(0, written));
            this.bytes += written;
            rest.push(buffer.subarray(written));
            written = 0;
          } else rest.push(buffer);
        }
      }
      pending = rest;
      this.#options.onWritten(this.bytes);
    }
  }
}

function toDepotError(error: unknown, name: string): DepotError {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new DepotError(
      'DISK_FULL',
      `${name}: the disk filled up while downloading. The partial file was kept: free some space and start the ` +
        `download again, it resumes where it stopped.`,
      { cause: error },
    );
  }
  return new DepotError('IO', `${name}: writing the partial download failed (${String(code ?? error)}).`, {
    cause: error,
  });
}
