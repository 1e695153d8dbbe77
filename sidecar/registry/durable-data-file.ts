import { hasErrorCode } from '../../shared/errors';
import { open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Adapter } from 'lowdb';
import { writeFileAtomic } from '../disk/write-file-atomic';

export interface DurableDataFileOptions<T> {
  /** Text to data, for `read()`. */
  parse: (text: string) => T;
  /** Data to text; called when `write()` is called, so later changes to the data are not caught by that write. */
  stringify: (data: T) => string;
}

interface QueuedWrite {
  text: string;
  written: Promise<void>;
}

/**
 * A lowdb adapter like lowdb's own `DataFile`, but durable: lowdb's writer (steno) renames its temporary file into
 * place without an fsync, so after a power cut the file could be empty or lost. Here each write goes through
 * `writeFileAtomic` with `flush` (the temporary file is fsynced before the rename), and the folder is fsynced after
 * it, so a resolved write is on disk: after a power cut the file holds the last resolved write or a later one.
 *
 * Writes run one at a time, in call order (two renames in flight could land in the wrong order and leave older data
 * last). Like steno, writes called while one is in flight are folded into the next one, which writes the newest data.
 */
export class DurableDataFile<T> implements Adapter<T> {
  readonly #file: string;
  readonly #parse: (text: string) => T;
  readonly #stringify: (data: T) => string;
  /** Settles when the last started or queued write has ended. */
  #tail: Promise<unknown> = Promise.resolve();
  /** The write waiting for the one in flight; later callers join it. */
  #queued: QueuedWrite | undefined;

  constructor(file: string, options: DurableDataFileOptions<T>) {
    this.#file = file;
    this.#parse = options.parse;
    this.#stringify = options.stringify;
  }

  /** The file's data, or null when there is no file. */
  async read(): Promise<T | null> {
    try {
      return this.#parse(await readFile(this.#file, 'utf8'));
    } catch (error) {
      if (hasErrorCode(error, 'ENOENT')) return null;
      throw error;
    }
  }

  async write(data: T): Promise<void> {
    const text = this.#stringify(data);
    if (this.#queued) {
      this.#queued.text = text;
      return this.#queued.written;
    }
    const queued: QueuedWrite = { text, written: Promise.resolve() };
    queued.written = this.#tail.then(async () => {
      // From here on this write has its text; newer writes queue behind it.
      this.#queued = undefined;
      await writeFileAtomic(this.#file, queued.text, { flush: true });
      await syncFolder(dirname(this.#file));
    });
    this.#queued = queued;
    // Only the order matters to the next write; a failure is this write's callers' to handle.
    this.#tail = Promise.allSettled([queued.written]);
    return queued.written;
  }
}

/** Makes a rename in `folder` durable (POSIX: a rename is only on disk once its folder is fsynced). */
async function syncFolder(folder: string): Promise<void> {
  // Windows cannot open a folder for fsync; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
