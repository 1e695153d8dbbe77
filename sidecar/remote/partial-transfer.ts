import { open, type FileHandle } from 'node:fs/promises';
import { InlineHasher } from './inline-hasher';
import { stripUrlCredentials } from './redact-url';
import { readResumeState, removePartial, writeResumeState, type PartialPaths } from './resume-state';

/** What one download carries between attempts. `hasher` always covers exactly `writtenBytes` of the `.part`. */
export interface Transfer {
  handle: FileHandle;
  hasher: InlineHasher;
  writtenBytes: number;
  total?: number;
  etag?: string;
  lastModified?: string;
  storedUrl: string;
  expectedSha256?: string;
  /** Set once the partial was deleted (mismatch): no state may be written for it any more. */
  discarded?: boolean;
}

/**
 * Opens the partial file of a download, keeping what an earlier process left when its resume state describes the
 * same model (by SHA-256) or, without one, the same URL; anything else is discarded first.
 */
export async function openTransfer(options: {
  url: string;
  paths: PartialPaths;
  expectedSha256?: string;
  expectedSize?: number;
}): Promise<Transfer> {
  const { paths, expectedSha256 } = options;
  const storedUrl = stripUrlCredentials(options.url);
  const state = await readResumeState(paths.state);
  // Same model (by SHA-256) or, without one, the same URL: then the partial bytes are worth keeping.
  const same =
    state !== null &&
    (expectedSha256 ? state.expectedSha256 === expectedSha256 : state.url === storedUrl && !state.expectedSha256) &&
    (options.expectedSize === undefined || state.expectedSize === undefined || state.expectedSize === options.expectedSize);
  if (!same) await removePartial(paths);
  const handle = await open(paths.part, 'a');
  const writtenBytes = (await handle.stat()).size;
  const sameSource = same && state.url === storedUrl;
  return {
    handle,
    hasher: new InlineHasher(),
    writtenBytes,
    total: same ? state.total : undefined,
    etag: sameSource ? state.etag : undefined,
    lastModified: sameSource ? state.lastModified : undefined,
    storedUrl,
    expectedSha256,
  };
}

/** The server sent the whole file again (Range ignored, or If-Range saw a change): start over, never mix. */
export async function restartFromZero(transfer: Transfer): Promise<void> {
  await transfer.handle.truncate(0);
  transfer.hasher.reset();
  transfer.writtenBytes = 0;
  transfer.total = undefined;
  transfer.etag = undefined;
  transfer.lastModified = undefined;
}

/** Deletes the partial and its state for good (a mismatch): nothing of it may be resumed. */
export async function discardTransfer(transfer: Transfer, paths: PartialPaths): Promise<void> {
  transfer.discarded = true;
  await transfer.handle.close();
  await removePartial(paths);
}

/** Writes the resume state (never credentials: the URL is stored stripped). */
export async function saveTransferState(transfer: Transfer, paths: PartialPaths, expectedSize: number | undefined): Promise<void> {
  if (transfer.discarded) return;
  await writeResumeState(paths.state, {
    version: 1,
    url: transfer.storedUrl,
    expectedSha256: transfer.expectedSha256,
    expectedSize,
    total: transfer.total,
    etag: transfer.etag,
    lastModified: transfer.lastModified,
    bytes: transfer.writtenBytes,
    updatedAt: new Date().toISOString(),
  });
}

