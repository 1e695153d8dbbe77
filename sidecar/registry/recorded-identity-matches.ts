import { type FileIdentity, sameFileIdentity } from '../disk/hashing/file-identity';
import type { FileEntry } from './registry-schema';

/**
 * True when the registry recorded a stat for the entry and it equals `identity`: the file is still the one that was
 * hashed, so its registered SHA-256 holds without reading it. An entry without a recorded stat never matches.
 */
export function recordedIdentityMatches(
  entry: Pick<FileEntry, 'dev' | 'ino' | 'size' | 'mtimeMs'>,
  identity: FileIdentity,
): boolean {
  const { dev, ino, size, mtimeMs } = entry;
  if (dev === undefined || ino === undefined || size === undefined || mtimeMs === undefined) return false;
  return sameFileIdentity({ dev, ino, size, mtimeMs }, identity);
}
