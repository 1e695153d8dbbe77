import type { Stats } from 'node:fs';
import type { LocalFile, LocalScanStats } from '../../shared/compare-schema';
import { hasModelExtension } from '../../shared/model-folders';
import { isDepotError } from '../../shared/errors';
import { forEachLimited } from './for-each-limited';
import { walkLocalFiles, type WalkedFile } from './walk-local-files';

/** The part of owner B's `HashPool` this service uses (worker threads; `sidecar/disk/hash-pool.ts`). */
export interface FileHasher {
  hash(path: string): Promise<{ sha256: string; size: number }>;
}

/** The part of owner B's hash cache this service uses: keyed by (dev, ino, size, mtimeMs). */
export interface FileHashCache {
  get(stats: Stats): string | undefined;
  set(stats: Stats, sha256: string): void;
  save(): Promise<void>;
}

export interface ScanProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface ScanLocalFilesOptions {
  /** The folder to scan, recursively (absolute). */
  localDir: string;
  /** Hashes one file (owner B's pool). */
  hasher: FileHasher;
  /** Known hashes of unchanged files; null with `--no-cache` (every file is read). */
  hashCache: FileHashCache | null;
  /** How many files are handed to the hasher at once. Default 8 (the pool queues the rest). */
  concurrency?: number;
  /** Called after each file (cached ones included), for the progress bar. */
  onProgress?: (progress: ScanProgress) => void;
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
  const { localDir, hasher, hashCache, concurrency = 8, onProgress } = options;
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
  onProgress?.({ ...progress });

  const files: LocalFile[] = [];
  await forEachLimited(found, concurrency, async (file) => {
    let sha256 = hashCache?.get(file.stats);
    if (sha256 !== undefined) {
      stats.fromCache++;
    } else {
      try {
        sha256 = (await hasher.hash(file.path)).sha256;
        stats.filesRead++;
        hashCache?.set(file.stats, sha256);
      } catch (error) {
        if (!isDepotError(error) || (error.code !== 'FILE_CHANGED' && error.code !== 'IO')) throw error;
        stats.invalid.push({ file: file.relativePath, reason: error.message });
      }
    }
    if (sha256 !== undefined) {
      files.push({ name: file.relativePath.split('/').pop() ?? file.relativePath, hasExtension: true,
        path: file.path, sha256, size: file.stats.size, source: file.path });
    }
    progress.filesDone++;
    progress.bytesDone += file.stats.size;
    onProgress?.({ ...progress });
  });
  await hashCache?.save();
  stats.invalid.sort((a, b) => a.file.localeCompare(b.file));
  return { files, stats };
}
