import { stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { DepotError, isDepotError, errorCodeOf } from '../../../shared/errors';
import { fileIdentity, sameFileIdentity, type FileIdentity } from './file-identity';

/** What a digest function (in this thread or in a worker) reports. */
export interface DigestResult {
  sha256: string;
  /** Bytes actually read; compared with the size seen before reading. */
  bytes: number;
}

export interface HashedFile {
  sha256: string;
  size: number;
  /** The file's identity before reading, equal to the one after: the hash cache key. */
  identity: FileIdentity;
}

export type DigestFunction = (path: string) => Promise<DigestResult>;

/**
 * Runs `digest` on a regular file and re-stats it afterwards: a file that changed or vanished meanwhile throws
 * `FILE_CHANGED` and its hash is discarded, so a half-written model is never cached or registered.
 */
export async function hashUnchangedFile(path: string, digest: DigestFunction): Promise<HashedFile> {
  const before = await statForHash(path, 'before');
  if (!before.isFile()) {
    throw new DepotError(
      'IO',
      `${path}: not a regular file (a FIFO, socket or device), so it cannot be read as a model. Remove it or point to the real file.`,
      { details: { path } },
    );
  }
  let result: DigestResult;
  try {
    result = await digest(path);
  } catch (error) {
    throw fileReadError(path, error);
  }
  const after = await statForHash(path, 'after');
  const identity = fileIdentity(before);
  if (!sameFileIdentity(identity, fileIdentity(after)) || result.bytes !== before.size) {
    throw new DepotError(
      'FILE_CHANGED',
      `${path} changed while it was being hashed (${describeChange(identity, fileIdentity(after), result.bytes)}); its hash was discarded. Run again once the file is complete.`,
      { details: { path, before: identity, after: fileIdentity(after), bytesRead: result.bytes } },
    );
  }
  return { sha256: result.sha256, size: before.size, identity };
}

function describeChange(before: FileIdentity, after: FileIdentity, bytesRead: number): string {
  if (before.ino !== after.ino || before.dev !== after.dev) return 'replaced by another file';
  if (before.size !== after.size) return `size ${before.size} -> ${after.size} bytes`;
  if (before.mtimeMs !== after.mtimeMs) return 'modified';
  return `read ${bytesRead} of ${before.size} bytes`;
}

async function statForHash(path: string, when: 'before' | 'after'): Promise<Stats> {
  try {
    return await stat(path);
  } catch (error) {
    throw fileReadError(path, error, when);
  }
}

/** Maps a Node file-system error to the one error class; a vanished file is a change, anything else is IO. */
export function fileReadError(path: string, error: unknown, when: 'before' | 'after' = 'before'): DepotError {
  if (isDepotError(error)) return error;
  const code = errorCodeOf(error);
  if (code === 'ENOENT') {
    const moment = when === 'after' ? 'while it was being hashed' : 'before it could be hashed';
    return new DepotError('FILE_CHANGED', `${path} vanished ${moment}; nothing was recorded for it.`, {
      details: { path },
      cause: error,
    });
  }
  const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? 'read failed');
  return new DepotError(
    'IO',
    `${path}: cannot be read (${reason}). Check the file's permissions and the disk, or move it out of the models folders.`,
    { details: { path, errno: code }, cause: error },
  );
}
