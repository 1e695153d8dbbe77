import type { LocalFile, LocalScanStats } from './compare-schema';
import { hasModelExtension } from '../../../shared/model-folders';
import { isDepotError } from '../../../shared/errors';
import { HashPool } from '../../disk/hashing/hash-pool';
import { openHashCache, type HashCache } from '../../disk/hashing/hash-cache';
import { hashFiles, type HashFilesProgress } from '../../disk/hashing/hash-files';

export type { HashFilesProgress } from '../../disk/hashing/hash-files';
import { walkLocalFiles, type WalkedFile } from './walk-local-files';

export interface ScanLocalFilesOptions {
  /** The folder to scan, recursively (absolute). */
  localDir: string;
  /** Hashes files on worker threads (the caller closes it). Default: a pool of its own, closed at the end. */
  pool?: Pick<HashPool, 'hash'>;
  /** Known hashes of unchanged files, keyed by (dev, ino, size, mtime). Default: none (every file is read). */
  hashCache?: HashCache | null;
  /** Where to open the hash cache from when `hashCache` is not given. Default: no cache. */
  hashCacheFile?: string;
  /** Files and bytes hashed so far, for the progress bar (bytes count only the files the cache did not know). */
  onProgress?: (progress: HashFilesProgress) => void;
  /** Told when the hash cache could not be saved (the run still succeeds). */
  onWarning?: (message: string) => void;
}

export interface LocalFileScan {
  files: LocalFile[];
  stats: LocalScanStats;
}

/**
 * `compare --scan-files`: the SHA-256 of every model file below the folder (MODEL_EXTENSIONS), through
 * hashFiles (worker pool + hash cache), so an unchanged file is never read twice. A file that changes, vanishes or
 * cannot be read is listed as invalid with the reason, and the run goes on.
 */
export async function scanLocalFiles(options: ScanLocalFilesOptions): Promise<LocalFileScan> {
  if (options.pool) return scanWith(options.pool, options);
  const pool = new HashPool();
  try {
    return await scanWith(pool, options);
  } finally {
    await pool.close();
  }
}

async function scanWith(pool: Pick<HashPool, 'hash'>, options: ScanLocalFilesOptions): Promise<LocalFileScan> {
  const { localDir, onProgress, onWarning } = options;
  const hashCache =
    options.hashCache ?? (options.hashCacheFile ? await openHashCache({ file: options.hashCacheFile }) : null);
  const found: WalkedFile[] = [];
  for await (const file of walkLocalFiles({ root: localDir, include: hasModelExtension })) found.push(file);
  const hashed = await hashFiles({
    paths: found.map((file) => file.path),
    pool,
    ...(hashCache ? { cache: hashCache } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
  const stats: LocalScanStats = {
    mode: 'files',
    filesFound: found.length,
    filesRead: hashed.hashed,
    fromCache: hashed.cacheHits,
    invalid: [],
    ignored: 0,
  };
  const files: LocalFile[] = [];
  hashed.results.forEach((result, index) => {
    const file = found[index];
    if (!file) return;
    if ('error' in result) {
      stats.invalid.push({ file: file.relativePath, reason: result.error.message });
      return;
    }
    const name = file.relativePath.split('/').pop() ?? file.relativePath;
    files.push({
      name,
      hasExtension: true,
      path: file.path,
      sha256: result.sha256,
      size: result.size,
      source: file.path,
    });
  });
  try {
    await hashCache?.save();
  } catch (error) {
    // A read-only folder only loses the speed-up of the next run.
    if (!isDepotError(error) || error.code !== 'IO') throw error;
    onWarning?.(`${error.message} The next run hashes every file again.`);
  }
  return { files, stats };
}
