import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { partialWriteError } from '../partial/partial-write-error';
import { DIRECT_IO_BLOCK } from './page-aligned-memory';
import type { RingHasher } from './ring-hasher';
import { copyIntoRing, type RingTarget } from './ring-target';

/** Slots of the ring: one filling, the others being written or hashed. */
export const RING_SLOTS = 4;
const SLOT_BYTES = 1024 * 1024;
/**
 * 4 x 1 MiB. Bytes in the ring when the process is killed, and the last RING_WRITE_WINDOW of the file, are fetched
 * again (the SIGKILL test allows 2% of 1 GiB, the sockets' own 5-7 MiB of buffers included: 1.008-1.010x measured,
 * against 1.011-1.019x with 2 MiB slots). With socketFetch reading in place, 1 MiB slots still keep pace with curl
 * (1.00-1.37x of curl -o, against 1.08-1.74x with 2 MiB, at about 0.15 CPU-s/GiB more).
 */
export const RING_BYTES = RING_SLOTS * SLOT_BYTES;
/**
 * The span of file writes that can be in flight at once (every slot but the filling one). After a kill, bytes the
 * file holds past a hole lie within this span of its end.
 */
export const RING_WRITE_WINDOW = (RING_SLOTS - 1) * SLOT_BYTES;
/** The largest read a socket makes straight into a slot: half a slot, so a slot fills in two reads at most. */
export const RING_READ_BYTES = SLOT_BYTES / 2;

export interface RingFileWriterOptions {
  /** The partial file, open for positional writes (openPartialFile). */
  handle: FileHandle;
  /** The handle writes directly (O_DIRECT): whole 4 KiB blocks at 4 KiB offsets, the last one padded then cut. */
  direct: boolean;
  /** Page-aligned shared memory of RING_BYTES the bytes pass through; `hasher` reads them from it. */
  ring: SharedArrayBuffer;
  /** Fed with exactly the bytes that reached the file, in file order. */
  hasher: RingHasher;
  /** Bytes already in the file and in the hash; a multiple of 4 KiB when `direct`. */
  startBytes: number;
  /** Called after each slot is written and hashed, with the bytes now in the file and in the hash. */
  onWritten(bytes: number): void;
  /**
   * Called for every chunk received, with the bytes received so far (from the start of the file), once they are in
   * the ring but before they are written: progress and the stall watch follow the network, not the slots.
   */
  onReceived?(bytes: number): void;
  /** The file name for error messages. */
  name: string;
}

/**
 * The download's sink: copies the bytes into a ring of aligned slots, writes each full slot to the file (several in
 * flight, so the disk never waits for the network or the reverse) and has the worker hash it once written, in order.
 * `bytes` only ever counts a prefix that is both in the file and in the hash. Writes that finished beyond it are cut
 * off: by this writer when it stops (error, cancel, end), or, after a crash, by the next process, which drops the
 * file's last RING_WRITE_WINDOW (openTransfer).
 */
export class RingFileWriter extends Writable implements RingTarget {
  /** Bytes in the file and in the hash, from the start of the file. */
  bytes: number;
  /** Bytes received, from the start of the file: `bytes` plus what is on its way through the ring. */
  received: number;
  readonly #options: RingFileWriterOptions;
  readonly #slots: Buffer[];
  readonly #slotSize: number;
  /** Per slot: set while its bytes are being written and hashed; it may be refilled once this is undefined. */
  readonly #busy: Array<Promise<void> | undefined>;
  /** Settles when every slot handed over so far is written and hashed, in order; rejects at the first failure. */
  #confirmed: Promise<void> = Promise.resolve();
  #current = 0;
  #fill = 0;
  /** The file offset of the current slot's first byte. */
  #position: number;
  #failure: Error | undefined;
  /** Set when the writer starts finishing: from then on nothing more is copied into the ring. */
  #closing = false;

  constructor(options: RingFileWriterOptions) {
    // Chunks are copied at once; the stream buffers only while every slot is busy (bytes lost if the process dies).
    super({ highWaterMark: 256 * 1024 });
    if (options.direct && options.startBytes % DIRECT_IO_BLOCK !== 0) {
      throw new TypeError('RingFileWriter: a direct write must start on a 4 KiB boundary');
    }
    this.#options = options;
    this.bytes = options.startBytes;
    this.received = options.startBytes;
    this.#position = options.startBytes;
    this.#slotSize = options.ring.byteLength / RING_SLOTS;
    const memory = Buffer.from(options.ring);
    this.#slots = Array.from({ length: RING_SLOTS }, (_, index) =>
      memory.subarray(index * this.#slotSize, (index + 1) * this.#slotSize),
    );
    this.#busy = new Array<Promise<void> | undefined>(RING_SLOTS);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#copyFrom(chunk, callback);
  }

  /** The stream ended: the last, partly filled slot goes out too, and everything is waited for. */
  override _final(callback: (error?: Error | null) => void): void {
    this.#finish(true).then(() => callback(), callback);
  }

  /**
   * Settles once nothing of this writer touches the file or the hash any more. A pipeline can reject before an
   * errored writer has finished its last writes: the next attempt must not start (or truncate) before that.
   */
  async settled(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (this.closed) resolve();
      else this.once('close', () => resolve());
    });
  }

  /**
   * An error or abort upstream (dropped connection, stall, cancel): the writes in flight finish, and the whole 4 KiB
   * blocks of the filling slot are kept too, so a resume fetches as little as possible again.
   */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#finish(false).then(
      () => callback(error),
      (finishError: unknown) => callback(error ?? toError(finishError)),
    );
  }

  /**
   * The free part of the current slot, at most `max` bytes, for a reader to fill in place (socketFetch reads the
   * network straight into it); undefined while that slot is still being written or hashed (wait for `whenFree`), or
   * once the writer is finishing.
   */
  freeRegion(max: number): Buffer | undefined {
    if (this.#closing || this.#failure || this.#busy[this.#current]) return undefined;
    return this.#slots[this.#current].subarray(this.#fill, Math.min(this.#slotSize, this.#fill + max));
  }

  /**
   * `length` bytes were placed at the start of `freeRegion()`: they count as received (progress, stall watch) and a
   * full slot goes to the disk. Reported only now, so a cancel from a progress listener keeps every byte it saw.
   */
  commit(length: number): void {
    this.#fill += length;
    this.received += length;
    if (this.#fill === this.#slotSize) this.#handOver(this.#fill);
    this.#options.onReceived?.(this.received);
  }

  /** Settles once `freeRegion` has room again (or the writer failed: `failure` says so). */
  async whenFree(): Promise<void> {
    await this.#busy[this.#current];
  }

  /** The first write or hash failure, if any; nothing more can be written after one. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /**
   * Copies into the ring, synchronously while slots are free (the usual case: no promise per chunk, which the
   * garbage collector of a 1 GB/s download notices), and resumes once a busy slot is written and hashed.
   */
  #copyFrom(chunk: Buffer, callback: (error?: Error | null) => void): void {
    if (this.#failure) {
      callback(this.#failure);
      return;
    }
    // Destroyed meanwhile (a cancel from a progress listener runs synchronously): the ring is #finish's now.
    if (this.#closing) {
      callback();
      return;
    }
    const rest = copyIntoRing(this, chunk);
    if (rest.length === 0) {
      callback(this.#failure);
      return;
    }
    void this.whenFree().then(() => this.#copyFrom(rest, callback));
  }

  /** Writes `length` bytes of the current slot (rounded up to whole blocks when direct) and queues their hash. */
  #handOver(length: number): void {
    const index = this.#current;
    const slot = this.#slots[index];
    const writeLength = this.#options.direct ? Math.ceil(length / DIRECT_IO_BLOCK) * DIRECT_IO_BLOCK : length;
    // Padding is cut by #finish; it only ever follows the very last bytes.
    if (writeLength > length) slot.fill(0, length, writeLength);
    const written = this.#writeFully(slot.subarray(0, writeLength), this.#position);
    const previous = this.#confirmed;
    const confirmed = (async () => {
      await Promise.all([previous, written]);
      await this.#options.hasher.hashRange(index * this.#slotSize, length);
      this.bytes += length;
      this.#options.onWritten(this.bytes);
    })();
    // The failure is kept in #failure and rethrown by the next copy or by #finish; no rejection goes unhandled.
    confirmed.catch((error: unknown) => {
      this.#failure ??= toError(error);
    });
    this.#confirmed = confirmed;
    const settled: Promise<void> = confirmed
      .catch(() => {})
      .then(() => {
        if (this.#busy[index] === settled) this.#busy[index] = undefined;
      });
    this.#busy[index] = settled;
    this.#position += length;
    this.#current = (index + 1) % RING_SLOTS;
    this.#fill = 0;
  }

  async #writeFully(buffer: Buffer, position: number): Promise<void> {
    let done = 0;
    while (done < buffer.length) {
      try {
        const { bytesWritten } = await this.#options.handle.write(buffer, done, buffer.length - done, position + done);
        done += bytesWritten;
      } catch (error) {
        throw partialWriteError(error, this.#options.name);
      }
    }
  }

  /**
   * Hands over what the current slot holds (all of it at the end, whole blocks only after an error), waits for every
   * write and hash, and cuts the file to exactly `bytes`: padding, or writes that finished beyond a failed one.
   */
  async #finish(ended: boolean): Promise<void> {
    this.#closing = true;
    if (!this.#failure && this.#fill > 0) {
      await this.#busy[this.#current];
      const keep = ended || !this.#options.direct ? this.#fill : this.#fill - (this.#fill % DIRECT_IO_BLOCK);
      if (!this.#failure && keep > 0) this.#handOver(keep);
    }
    await Promise.all(this.#busy);
    await this.#options.handle.truncate(this.bytes).catch((error: unknown) => {
      this.#failure ??= partialWriteError(error, this.#options.name);
    });
    if (ended && this.#failure) throw this.#failure;
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
