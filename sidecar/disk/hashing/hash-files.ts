import { stat } from 'node:fs/promises';
import { DepotError, isDepotError } from '../../../shared/errors';
import { fileIdentity, type FileIdentity } from './file-identity';
import { fileReadError } from './hash-unchanged-file';
import type { HashCache } from './hash-cache';
import type { HashPool } from './hash-pool';
import { forEachLimited } from '../../runtime/for-each-limited';

export interface HashFilesProgress {
  /** Files settled (hashed, from the cache or failed) out of filesTotal. */
  filesDone: number;
  filesTotal: number;
  /** Content bytes hashed so far out of bytesTotal (the files the cache did not know). */
  bytesDone: number;
  bytesTotal: number;
  /** The file that just progressed, when there is one. */
  path?: string;
}

export interface HashFilesOptions {
  /** Paths to hash (symlinks are followed). */
  paths: readonly string[];
  /** The worker pool doing the reads. */
  pool: Pick<HashPool, 'hash'>;
  /** Consulted first and filled with every new hash; default: none (every file is read). Not saved here. */
  cache?: HashCache;
  /** Aggregate progress; called after every read of every file and after every settled file. Default: none. */
  onProgress?: (progress: HashFilesProgress) => void;
  /** Stops queued and running hashes; the call rejects with DepotError('CANCELLED'). Default: none. */
  signal?: AbortSignal;
}

export type HashedPath =
  | { path: string; sha256: string; size: number; identity: FileIdentity; fromCache: boolean }
  | { path: string; error: DepotError };

export interface HashFilesResult {
  /** One entry per path, in the order given. */
  results: HashedPath[];
  /** Files answered by the cache: none of their content was read. */
  cacheHits: number;
  /** Files actually read and hashed. */
  hashed: number;
  /** Files that failed (changed, vanished, unreadable). */
  failed: number;
  /** Content bytes read and hashed; 0 on a rescan of unchanged files. */
  bytesRead: number;
}

/** Parallel stats: enough to keep libuv's thread pool busy without opening thousands of requests at once. */
const STAT_CONCURRENCY = 64;

/**
 * Hashes many files: a stat of each (no content read) answers unchanged files from the cache; the others go to
 * the pool (all cores). A file that fails is reported in its result and does not stop the others; only
 * cancellation does. New hashes are put in the cache (the caller saves it).
 */
export async function hashFiles({
  paths,
  pool,
  cache,
  onProgress,
  signal,
}: HashFilesOptions): Promise<HashFilesResult> {
  const results: HashedPath[] = new Array(paths.length);
  const toHash: Array<{ index: number; size: number }> = [];
  let cacheHits = 0;
  await forEachLimited(
    paths.map((path, index) => ({ path, index })),
    STAT_CONCURRENCY,
    async ({ path, index }) => {
      try {
        const identity = fileIdentity(await stat(path));
        const known = cache?.get(identity);
        if (known === undefined) toHash.push({ index, size: identity.size });
        else {
          results[index] = { path, sha256: known, size: identity.size, identity, fromCache: true };
          cacheHits++;
        }
      } catch (error) {
        results[index] = { path, error: fileReadError(path, error) };
      }
    },
  );
  toHash.sort((a, b) => a.index - b.index);

  const progress: HashFilesProgress = {
    filesDone: paths.length - toHash.length,
    filesTotal: paths.length,
    bytesDone: 0,
    bytesTotal: toHash.reduce((sum, file) => sum + file.size, 0),
  };
  onProgress?.({ ...progress });
  let hashed = 0;
  let bytesRead = 0;
  await Promise.all(
    toHash.map(async ({ index }) => {
      const path = paths[index] ?? '';
      let fileBytes = 0;
      try {
        const result = await pool.hash(path, {
          signal,
          onProgress: (bytes) => {
            progress.bytesDone += bytes - fileBytes;
            bytesRead += bytes - fileBytes;
            fileBytes = bytes;
            onProgress?.({ ...progress, path });
          },
        });
        cache?.set(result.identity, result.sha256);
        results[index] = { path, ...result, fromCache: false };
        hashed++;
      } catch (error) {
        if (isDepotError(error) && error.code === 'CANCELLED') throw error;
        results[index] = { path, error: fileReadError(path, error) };
      }
      progress.filesDone++;
      onProgress?.({ ...progress, path });
    }),
  );
  if (signal?.aborted) throw new DepotError('CANCELLED', 'Hashing was cancelled.');
  const failed = results.filter((result) => 'error' in result).length;
  return { results, cacheHits, hashed, failed, bytesRead };
}
