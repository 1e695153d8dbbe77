import { hasErrorCode } from '../../../shared/errors';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { zMetadataCacheFile, type MetadataCacheFile } from './compare-schema';
import { readValidJsonFile } from '../../disk/read-valid-json-file';
import { writeFileAtomic } from '../../disk/write-file-atomic';

/** The metadata cache in the compared folder, so unchanged JSON files are not read again. Hidden: never scanned. */
export const METADATA_CACHE_NAME = '.model-depot-compare-cache.json';
/** The hash cache of `--scan-files`, in the sidecar's hash cache format: unchanged files are not hashed again. */
export const HASH_CACHE_NAME = '.model-depot-compare-hashes.json';

/** The cache in `localDir`, or an empty one when there is none or it is unreadable (it is only a cache). */
export async function loadCompareCache(localDir: string): Promise<MetadataCacheFile> {
  return (
    (await readValidJsonFile(join(localDir, METADATA_CACHE_NAME), zMetadataCacheFile)) ?? { version: 1, entries: {} }
  );
}

/**
 * Writes the cache atomically (temp file + rename). A folder we may not write to (a read-only share) only loses the
 * speed-up: the answer is `false` and the caller says so.
 */
export async function saveCompareCache(localDir: string, cache: MetadataCacheFile): Promise<boolean> {
  try {
    await writeFileAtomic(join(localDir, METADATA_CACHE_NAME), JSON.stringify(cache));
    return true;
  } catch (error) {
    if (['EACCES', 'EPERM', 'EROFS'].some((code) => hasErrorCode(error, code))) return false;
    throw error;
  }
}

/** `--clear-cache`: removes both cache files from the folder. */
export async function clearCompareCaches(localDir: string): Promise<void> {
  await rm(join(localDir, METADATA_CACHE_NAME), { force: true });
  await rm(join(localDir, HASH_CACHE_NAME), { force: true });
}
