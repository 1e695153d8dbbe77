import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DepotError, hasErrorCode } from '../../../shared/errors';
import { zHashCacheFile, type HashCacheFile } from './hash-cache-file';
import { parseJsonText } from '../../runtime/parse-json-text';
import type { FileIdentity } from './file-identity';
import { removeWriteLeftovers } from '../remove-write-leftovers';
import { writeFileAtomic } from '../write-file-atomic';

export interface OpenHashCacheOptions {
  /** The cache file; usually defaultHashCacheFile(modelsRoot). Created on the first save(). */
  file: string;
  /**
   * The caller holds the registry lock of the folder of `file` (`<modelsRoot>/.registry`): the temporary files that
   * killed saves left there (`hash-cache.json.<pid>.<hex>.tmp`) are removed on open, except those of processes still
   * running (a `check` saves the cache without the lock). Default false: nothing is removed.
   */
  holdsRegistryLock?: boolean;
}

export interface HashCache {
  readonly file: string;
  /** Entries in memory. */
  readonly size: number;
  /** The SHA-256 recorded for exactly this (dev, ino, size, mtimeMs), or undefined. Reads no file content. */
  get(identity: FileIdentity): string | undefined;
  /** Records a hash; only for identities that were unchanged before and after hashing (hashFile guarantees it). */
  set(identity: FileIdentity, sha256: string): void;
  /** Writes the file atomically (temp file + rename) when something changed; never writes otherwise. */
  save(): Promise<void>;
}

export function defaultHashCacheFile(modelsRoot: string): string {
  return join(modelsRoot, '.registry', 'hash-cache.json');
}

/**
 * The hash cache: an unchanged file (same device, inode, size and mtime) is never read twice. Any write to a file
 * changes its mtime or size, and a replaced file gets a new inode, so a stale hit needs a deliberate mtime reset.
 * A missing or unreadable cache file just means an empty cache (it can always be rebuilt by hashing).
 */
export async function openHashCache({ file, holdsRegistryLock = false }: OpenHashCacheOptions): Promise<HashCache> {
  if (holdsRegistryLock) await removeLeftovers(file);
  const { entries, dirty: startDirty } = await loadEntries(file);
  let dirty = startDirty;
  return {
    file,
    get size() {
      return entries.size;
    },
    get(identity) {
      return entries.get(keyOf(identity));
    },
    set(identity, sha256) {
      const key = keyOf(identity);
      if (entries.get(key) === sha256) return;
      entries.set(key, sha256);
      dirty = true;
    },
    async save() {
      if (!dirty) return;
      const content: HashCacheFile = { version: 1, entries: Object.fromEntries(entries) };
      await writeAtomically(file, JSON.stringify(content));
      dirty = false;
    },
  };
}

function keyOf({ dev, ino, size, mtimeMs }: FileIdentity): string {
  return `${dev}:${ino}:${size}:${mtimeMs}`;
}

async function loadEntries(file: string): Promise<{ entries: Map<string, string>; dirty: boolean }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) {
      return { entries: new Map(), dirty: false };
    }
    throw new DepotError('IO', `Cannot read the hash cache ${file}; check its permissions or delete it.`, {
      cause: error,
    });
  }
  const parsed = zHashCacheFile.safeParse(parseJsonText(text));
  // A damaged cache is rebuilt by hashing again; marking it dirty replaces it on the next save.
  if (!parsed.success) return { entries: new Map(), dirty: true };
  return { entries: new Map(Object.entries(parsed.data.entries)), dirty: false };
}

async function removeLeftovers(file: string): Promise<void> {
  try {
    await removeWriteLeftovers({ file, spareRunningWriters: true });
  } catch (error) {
    throw new DepotError(
      'IO',
      `Cannot remove the hash cache's old temporary files beside ${file}; check the folder's permissions.`,
      {
        cause: error,
      },
    );
  }
}

async function writeAtomically(file: string, content: string): Promise<void> {
  try {
    await writeFileAtomic(file, content, { flush: true });
  } catch (error) {
    throw new DepotError('IO', `Cannot write the hash cache ${file}; check free space and permissions.`, {
      cause: error,
    });
  }
}
