import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { errorCodeOf, isDepotError } from '../../../shared/errors';
import { type FileIdentity, fileIdentity, sameFileIdentity } from '../../disk/hashing/file-identity';
import type { HashCache } from '../../disk/hashing/hash-cache';
import { hashFile as defaultHashFile } from '../../disk/hashing/hash-file';
import type { HashedFile } from '../../disk/hashing/hash-unchanged-file';
import type { FileEntry } from '../../registry/registry-schema';

/** Hashes one file, re-stating it afterwards (`hashFile` fits). */
export type HashOneFile = (path: string) => Promise<HashedFile>;

export interface VerifyFileDeps {
  /** Answers an unchanged (dev, ino, size, mtime) without reading; filled with what gets read. */
  hashCache: Pick<HashCache, 'get' | 'set'>;
  /** Reads a file nothing else vouches for. Default `hashFile`. */
  hashFile?: HashOneFile;
}

/** What a registered file holds now, or why that could not be said. */
export type VerifiedFile =
  | {
      state: 'ok';
      path: string;
      /** The SHA-256 of its bytes now (compare with the registry's to see whether it changed). */
      sha256: string;
      /** stat (symlinks followed) when it was verified. */
      identity: FileIdentity;
      /** How the SHA-256 is known: the registry's record still matches, the hash cache, or the bytes were read. */
      how: 'registry' | 'cache' | 'read';
    }
  | { state: 'gone'; path: string; message: string }
  | { state: 'unreadable'; path: string; message: string };

/**
 * The SHA-256 of a registered file's bytes as they are now, read only when neither the registry's recorded identity
 * nor the hash cache vouches for them: a second pass over unchanged files reads no content.
 */
export async function verifyRegisteredFile(
  entry: Readonly<FileEntry>,
  deps: VerifyFileDeps,
  /** Its stat (symlinks followed) when the caller has it already. */
  stats?: Stats,
): Promise<VerifiedFile> {
  const { path } = entry;
  let identity: FileIdentity;
  try {
    identity = fileIdentity(stats ?? (await stat(path)));
  } catch (error) {
    const code = errorCodeOf(error);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') {
      return { state: 'gone', path, message: `${path} is gone (or a symlink to nothing).` };
    }
    return { state: 'unreadable', path, message: `${path} cannot be examined (${code ?? 'error'}).` };
  }
  const recorded = recordedIdentity(entry);
  if (recorded !== undefined && sameFileIdentity(recorded, identity)) {
    return { state: 'ok', path, sha256: entry.sha256, identity, how: 'registry' };
  }
  const cached = deps.hashCache.get(identity);
  if (cached !== undefined) return { state: 'ok', path, sha256: cached, identity, how: 'cache' };
  try {
    const hashed = await (deps.hashFile ?? defaultHashFile)(path);
    deps.hashCache.set(hashed.identity, hashed.sha256);
    return { state: 'ok', path, sha256: hashed.sha256, identity: hashed.identity, how: 'read' };
  } catch (error) {
    if (!isDepotError(error)) throw error;
    return { state: error.code === 'FILE_CHANGED' ? 'gone' : 'unreadable', path, message: error.message };
  }
}

function recordedIdentity(entry: Readonly<FileEntry>): FileIdentity | undefined {
  const { dev, ino, size, mtimeMs } = entry;
  if (dev === undefined || ino === undefined || size === undefined || mtimeMs === undefined) return undefined;
  return { dev, ino, size, mtimeMs };
}
