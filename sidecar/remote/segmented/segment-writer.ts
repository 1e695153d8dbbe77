import type { FileHandle } from 'node:fs/promises';
import { partialWriteError } from '../partial/partial-write-error';
import type { RingTarget } from '../ring/ring-target';
import type { Segment } from './segment-state';

/** Slots of one connection's buffer: one filling while the others are written. */
export const SEGMENT_SLOTS = 4;
/**
 * 512 KiB: eight connections share the work, so each needs less buffer than the single connection's 1 MiB slots,
 * and a killed process loses (and fetches again) at most about one slot per connection.
 */
export const SEGMENT_SLOT_BYTES = 512 * 1024;

export interface SegmentWriterOptions {
  /** The partial file, opened for positional writes through the page cache. */
  handle: FileHandle;
  /** The segment being fetched; `done` is advanced here. */
  segment: Segment;
  /** The file offset this request's body ends at (exclusive): at most the segment's end. */
  end: number;
  /** SEGMENT_SLOTS * SEGMENT_SLOT_BYTES of memory, reused from segment to segment by one connection. */
  memory: Buffer;
  /** Called once more of the segment is written (`segment.done` grew). */
  onWritten(): void;
  /** Called for every read that landed, with its size. */
  onReceived(bytes: number): void;
  /** The file name, for messages. */
  name: string;
}

/**
 * Where one connection's body goes: a few slots of memory that a socket reads into in place (HttpResponseReader) or
 * a stream is copied into, each full slot written at its offset in the file, in order. Never takes a byte past the
 * requested end, so two connections never write the same range.
 */
export class SegmentWriter implements RingTarget {
  /** Bytes of the segment received so far (written or on their way). */
  received: number;
  readonly #options: SegmentWriterOptions;
  readonly #slots: Buffer[];
  readonly #busy: Array<Promise<void> | undefined> = new Array(SEGMENT_SLOTS);
  #confirmed: Promise<void> = Promise.resolve();
  #current = 0;
  #fill = 0;
  #failure: Error | undefined;
  #closing = false;

  constructor(options: SegmentWriterOptions) {
    this.#options = options;
    this.received = options.segment.done;
    this.#slots = Array.from({ length: SEGMENT_SLOTS }, (_, index) =>
      options.memory.subarray(index * SEGMENT_SLOT_BYTES, (index + 1) * SEGMENT_SLOT_BYTES),
    );
  }

  /** Bytes of this request still to come. */
  get left(): number {
    const { segment, end } = this.#options;
    return end - segment.start - this.received;
  }

  freeRegion(max: number): Buffer | undefined {
    if (this.#closing || this.#failure || this.#busy[this.#current]) return undefined;
    const room = Math.min(max, SEGMENT_SLOT_BYTES - this.#fill, this.left);
    if (room <= 0) return undefined;
    return this.#slots[this.#current].subarray(this.#fill, this.#fill + room);
  }

  commit(length: number): void {
    this.#fill += length;
    this.received += length;
    if (this.#fill === SEGMENT_SLOT_BYTES || this.left <= 0) this.#handOver();
    this.#options.onReceived(length);
  }

  async whenFree(): Promise<void> {
    await this.#busy[this.#current];
  }

  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Writes what the filling slot holds and waits for every write: afterwards `segment.done` is final. */
  async close(): Promise<void> {
    this.#closing = true;
    if (!this.#failure && this.#fill > 0) {
      await this.#busy[this.#current];
      if (!this.#failure) this.#handOver();
    }
    await Promise.all(this.#busy);
  }

  #handOver(): void {
    const index = this.#current;
    const length = this.#fill;
    const { segment, handle } = this.#options;
    const position = segment.start + this.received - length;
    const written = writeFully(handle, this.#slots[index].subarray(0, length), position, this.#options.name);
    const previous = this.#confirmed;
    // Written in parallel, counted in order: `done` only ever covers bytes that are all in the file.
    const confirmed = (async () => {
      await Promise.all([previous, written]);
      segment.done = position + length - segment.start;
      this.#options.onWritten();
    })();
    confirmed.catch((error: unknown) => {
      this.#failure ??= error instanceof Error ? error : new Error(String(error));
    });
    this.#confirmed = confirmed;
    const settled: Promise<void> = confirmed
      .catch(() => undefined)
      .then(() => {
        if (this.#busy[index] === settled) this.#busy[index] = undefined;
      });
    this.#busy[index] = settled;
    this.#current = (index + 1) % SEGMENT_SLOTS;
    this.#fill = 0;
  }
}

async function writeFully(handle: FileHandle, buffer: Buffer, position: number, name: string): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    try {
      const { bytesWritten } = await handle.write(buffer, done, buffer.length - done, position + done);
      done += bytesWritten;
    } catch (error) {
      throw partialWriteError(error, name);
    }
  }
}
