import type { LocalFile, LocalScanStats } from '../../shared/compare-schema';
import { hasModelExtension } from '../../shared/model-folders';
import { isDepotError } from '../../shared/errors';
import { forEachLimited } from './for-each-limited';
import { walkLocalFiles, type WalkedFile } from './walk-local-files';

import type { HashPool } from '../disk/hash-pool';
import type { HashCache } from '../disk/hash-cache';
import { fileIdentity } from '../disk/file-identity';

export interface ScanProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface ScanLocalFilesOptions {
  /** The folder to scan, recursively (absolute). */
  localDir: string;
  /** Hashes files on worker threads (owner B's pool; the caller closes it). */
  hasher: Pick<HashPool, 'hash'>;
  /** Known hashes of unchanged files, keyed by (dev, ino, size, mtime); null with `--no-cache` (every file is read). */
  hashCache: Pick<HashCache, 'get' | 'set' | 'save'> | null;
  /** How many files are handed to the hasher at once. Default 8 (the pool queues the rest). */
  concurrency?: number;
  /** Called as bytes are hashed and after each file (cached ones included), for the progress bar. */
  onProgress?: (progress: ScanProgress) => void;
  /** Told when the hash cache could not be saved (the run still succeeds). */
  onWarning?: (message: string) => void;
}

export interface LocalFileScan {
  files: LocalFile[];
  stats: LocalScanStats;
}

/**
 * Seed 002's `--scan-files`: the SHA-256 of every model file below the folder (MODEL_EXTENSIONS), through the hash
 * cache so an unchanged file is never read twice. A file that changes or vanishes while being hashed is listed as
 * invalid with the reason, and the run goes on.
 */
export async function scanLocalFiles(options: ScanLocalFilesOptions): Promise<LocalFileScan> {
  const { localDir, hasher, hashCache, concurrency = 8, onProgress, onWarning } = options;
  const stats: LocalScanStats = { mode: 'files', filesFound: 0, filesRead: 0, fromCache: 0, invalid: [], ignored: 0 };
  const found: WalkedFile[] = [];
  for await (const file of walkLocalFiles({ root: localDir, include: hasModelExtension })) found.push(file);
  stats.filesFound = found.length;
  const progress: ScanProgress = {
    filesDone: 0,
    filesTotal: found.length,
    bytesDone: 0,
    bytesTotal: found.reduce((sum, file) => sum + file.stats.size, 0),
  };
  const report = () => onProgress?.({ ...progress });
  report();

  const files: LocalFile[] = [];
  await forEachLimited(found, concurrency, async (file) => {
    let sha256 = hashCache?.get(fileIdentity(file.stats));
    let partial = 0;
    if (sha256 !== undefined) {
      stats.fromCache++;
    } else {
      try {
        const onBytes = (bytes: number) => {
          progress.bytesDone += bytes - partial;
          partial = bytes;
          report();
        };
        const hashed = await hasher.hash(file.path, { onProgress: onBytes });
        sha256 = hashed.sha256;
        stats.filesRead++;
        // The identity seen before reading, checked unchanged after it: the only safe cache key.
        hashCache?.set(hashed.identity, sha256, file.path);
      } catch (error) {
        if (!isDepotError(error) || (error.code !== 'FILE_CHANGED' && error.code !== 'IO')) throw error;
        stats.invalid.push({ file: file.relativePath, reason: error.message });
      }
    }
    if (sha256 !== undefined) {
      const name = file.relativePath.split('/').pop() ?? file.relativePath;
      files.push({ name, hasExtension: true, path: file.path, sha256, size: file.stats.size, source: file.path });
    }
    progress.filesDone++;
    progress.bytesDone += file.stats.size - partial;
    report();
  });
  try {
    await hashCache?.save();
  } catch (error) {
    // A read-only folder only loses the speed-up of the next run.
    if (!isDepotError(error) || error.code !== 'IO') throw error;
    onWarning?.(`${error.message} The next run hashes every file again.`);
  }
  stats.invalid.sort((a, b) => a.file.localeCompare(b.file));
  return { files, stats };
}
