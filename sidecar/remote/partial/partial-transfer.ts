import type { FileHandle } from 'node:fs/promises';
import { removeWriteLeftovers } from '../../disk/remove-write-leftovers';
import { lockPartial } from './lock-partial';
import { openPartialFile } from './open-partial-file';
import { DIRECT_IO_BLOCK, pageAlignedMemory } from '../ring/page-aligned-memory';
import { stripUrlCredentials } from '../../runtime/redact-url';
import { readResumeState, removePartial, writeResumeState, type PartialPaths } from './resume-state';
import { RING_BYTES, RING_WRITE_WINDOW } from '../ring/ring-file-writer';
import { RingHasher } from '../ring/ring-hasher';
import { bytesDone, contiguousPrefix, tilesFile, type Segment } from '../segmented/segment-state';

/** What one download carries between attempts. `hasher` always covers exactly `writtenBytes` of the `.part`. */
export interface Transfer {
  handle: FileHandle;
  /** The handle writes past the page cache (see openPartialFile); `writtenBytes` then stays a multiple of 4 KiB until the end. */
  direct: boolean;
  /** The page-aligned shared memory the bytes pass through to the file and to `hasher`. */
  ring: SharedArrayBuffer;
  hasher: RingHasher;
  writtenBytes: number;
  total?: number;
  etag?: string;
  lastModified?: string;
  storedUrl: string;
  expectedSha256?: string;
  /**
   * Set while the file is fetched over several connections: its ranges and their progress (`writtenBytes` is then
   * their sum, and the hash covers only the written prefix).
   */
  segments?: Segment[];
  /** Set once the partial was deleted (mismatch): no state may be written for it any more. */
  discarded?: boolean;
  /** Releases the partial's lock (lockPartial); the download calls it last. */
  release(): Promise<void>;
}

/**
 * Opens the partial file of a download, keeping what an earlier process left when its resume state describes the
 * same model (by SHA-256) or, without one, the same URL; anything else is discarded first. Takes the partial's lock
 * before anything (DOWNLOAD_LOCKED while another live process holds it); `release` gives it back.
 */
export async function openTransfer(options: {
  url: string;
  paths: PartialPaths;
  expectedSha256?: string;
  expectedSize?: number;
  /** The file name, for messages. */
  name: string;
}): Promise<Transfer> {
  const release = await lockPartial(options.paths, { name: options.name });
  try {
    return await openLockedTransfer(options, release);
  } catch (error) {
    await release();
    throw error;
  }
}

async function openLockedTransfer(
  options: { url: string; paths: PartialPaths; expectedSha256?: string; expectedSize?: number },
  release: () => Promise<void>,
): Promise<Transfer> {
  const { paths, expectedSha256 } = options;
  const storedUrl = stripUrlCredentials(options.url);
  const state = await readResumeState(paths.state);
  // Same model (by SHA-256) or, without one, the same URL: then the partial bytes are worth keeping.
  const same =
    state !== null &&
    (expectedSha256 ? state.expectedSha256 === expectedSha256 : state.url === storedUrl && !state.expectedSha256) &&
    (options.expectedSize === undefined ||
      state.expectedSize === undefined ||
      state.expectedSize === options.expectedSize);
  // Segments from a state are kept only when they describe the whole file (a state from elsewhere may not).
  const segments =
    same && state.segments !== undefined && state.total !== undefined && tilesFile(state.segments, state.total)
      ? state.segments
      : undefined;
  if (!same || (state.segments !== undefined && segments === undefined)) await removePartial(paths);
  // A process killed mid-save leaves `<key>.part.json.<pid>.<hex>.tmp`; this one holds the partial's lock.
  await removeWriteLeftovers({ file: paths.state });
  const ring = pageAlignedMemory(RING_BYTES);
  const { handle, direct } = await openPartialFile(paths.part, Buffer.from(ring, 0, DIRECT_IO_BLOCK));
  if (segments !== undefined) {
    // Every segment's `done` bytes were written before the state was saved: nothing is cut (the bytes after each
    // segment's `done` are fetched again, whatever the file holds there).
    return {
      handle,
      direct,
      ring,
      hasher: new RingHasher(ring),
      writtenBytes: bytesDone(segments),
      total: state?.total,
      etag: state?.url === storedUrl ? state.etag : undefined,
      lastModified: state?.url === storedUrl ? state.lastModified : undefined,
      storedUrl,
      expectedSha256,
      segments,
      release,
    };
  }
  let writtenBytes: number;
  try {
    const size = (await handle.stat()).size;
    writtenBytes = same ? keptPrefix(size, state.bytes) : 0;
    if (direct) writtenBytes -= writtenBytes % DIRECT_IO_BLOCK;
    if (writtenBytes !== size) await handle.truncate(writtenBytes);
  } catch (error) {
    await handle.close();
    throw error;
  }
  const sameSource = same && state.url === storedUrl;
  return {
    handle,
    direct,
    ring,
    hasher: new RingHasher(ring),
    writtenBytes,
    total: same ? state.total : undefined,
    etag: sameSource ? state.etag : undefined,
    lastModified: sameSource ? state.lastModified : undefined,
    storedUrl,
    expectedSha256,
    release,
  };
}

/**
 * The If-Range value of a resumed request: it needs a strong validator, so a weak ETag falls back to Last-Modified,
 * or to none (the SHA-256 still guards what is kept).
 */
export function ifRangeValidator(transfer: Pick<Transfer, 'etag' | 'lastModified'>): string | undefined {
  return transfer.etag && !transfer.etag.startsWith('W/') ? transfer.etag : transfer.lastModified;
}

/** The server sent the whole file again (Range ignored, or If-Range saw a change): start over, never mix. */
export async function restartFromZero(transfer: Transfer): Promise<void> {
  await transfer.handle.truncate(0);
  await transfer.hasher.reset();
  transfer.writtenBytes = 0;
  transfer.segments = undefined;
  transfer.total = undefined;
  transfer.etag = undefined;
  transfer.lastModified = undefined;
}

/**
 * Direct writes start on a 4 KiB boundary. Only a body that ended early without an error (no Content-Length) leaves
 * an unaligned end mid-download: cut it to the boundary and hash the kept prefix again (the hash cannot be unwound).
 */
export async function alignForDirectWrites(transfer: Transfer, part: string): Promise<void> {
  const aligned = transfer.writtenBytes - (transfer.writtenBytes % DIRECT_IO_BLOCK);
  if (aligned === transfer.writtenBytes) return;
  await transfer.handle.truncate(aligned);
  await transfer.hasher.reset();
  await transfer.hasher.hashFilePrefix(part, aligned);
  transfer.writtenBytes = aligned;
}

/** Deletes the partial and its state for good (a mismatch): nothing of it may be resumed. */
export async function discardTransfer(transfer: Transfer, paths: PartialPaths): Promise<void> {
  transfer.discarded = true;
  await transfer.handle.close();
  await removePartial(paths);
}

/** Writes the resume state (never credentials: the URL is stored stripped). */
export async function saveTransferState(
  transfer: Transfer,
  paths: PartialPaths,
  expectedSize: number | undefined,
): Promise<void> {
  if (transfer.discarded) return;
  const segments = transfer.segments;
  await writeResumeState(paths.state, {
    version: segments ? 2 : 1,
    url: transfer.storedUrl,
    expectedSha256: transfer.expectedSha256,
    expectedSize,
    total: transfer.total,
    etag: transfer.etag,
    lastModified: transfer.lastModified,
    bytes: segments ? contiguousPrefix(segments) : transfer.writtenBytes,
    segments: segments?.map(({ start, end, done }) => ({ start, end, done })),
    updatedAt: new Date().toISOString(),
  });
}

/**
 * How much of a partial file can be trusted. An attempt that ended (even by an error) cut the file to what it wrote
 * and hashed, and saved that count: all of it. A killed process leaves its last writes unfinished, maybe out of
 * order, so the file can end past a hole; the holes can only lie in the writer's last window, which is dropped.
 */
function keptPrefix(size: number, savedBytes: number): number {
  if (savedBytes === size) return size;
  return Math.min(size, Math.max(savedBytes, size - RING_WRITE_WINDOW));
}
