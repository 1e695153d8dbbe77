import { errorCodeOf } from '../../../shared/errors';
import { lstat } from 'node:fs/promises';
import type { FileKind } from '../../registry/registry-schema';
import type { DepotErrorCode } from '../../../shared/errors';
import { canonicalFolder } from '../../../shared/model-folders';
import type { Registry } from '../../registry/registry';
import type { HashCache } from '../../disk/hashing/hash-cache';
import type { HashPool } from '../../disk/hashing/hash-pool';
import { hashFiles, type HashFilesProgress } from '../../disk/hashing/hash-files';
import type { FileIdentity } from '../../disk/hashing/file-identity';
import { recordedIdentityMatches } from '../../registry/recorded-identity-matches';
import { foundFileKind } from './found-file-kind';
import {
  scanModelPlaces,
  type FoundFile,
  type ModelPlace,
  type ScanModelPlacesOptions,
  type SkippedEntry,
} from '../../disk/places/scan-model-places';

/** The registry methods migrate uses; a read-only registry is enough for a dry run. */
export type MigrateRegistry = Pick<
  Registry,
  'findByPath' | 'findBySha256' | 'allFiles' | 'addFile' | 'addSource' | 'removeFile' | 'batch'
>;

export type MigrateProgress =
  | { phase: 'scanning' }
  | { phase: 'scanned'; files: number; skipped: number }
  | ({ phase: 'hashing' } & HashFilesProgress)
  | { phase: 'registering'; files: number };

/**
 * Where to look is exactly what scanModelPlaces takes (every place, hubs rescanned each run; HF cache blobs are
 * registered by name, never hashed).
 */
export interface MigrateModelsOptions
  extends Pick<ScanModelPlacesOptions, 'modelsRoot' | 'hubDirs' | 'hfCacheDir' | 'comfyuiDir' | 'folder' | 'env'> {
  /** Where files are registered; read only (findByPath/findBySha256/allFiles) in a dry run. Undefined: empty. */
  registry?: MigrateRegistry;
  /** Writes nothing at all (registry, hash cache, folders): only reports what would be registered. */
  dryRun: boolean;
  /** Consulted before hashing and filled (saved only when not a dry run). */
  hashCache: HashCache;
  /** Hashes the files neither the registry nor the cache knows. */
  pool: Pick<HashPool, 'hash'>;
  /** Phases and hashing progress. Default none. */
  onProgress?: (progress: MigrateProgress) => void;
  /** Stops hashing (CANCELLED). Default none. */
  signal?: AbortSignal;
}

export interface MigrateEntry {
  path: string;
  sha256: string;
  size: number;
  category?: string;
  place: ModelPlace;
  kind: FileKind;
  /** new: not registered; updated: registered with another hash (the file was replaced); registered: already known. */
  status: 'new' | 'updated' | 'registered';
  /** How the hash was known. */
  hashedBy: 'read' | 'cache' | 'registry' | 'hf-cache-name';
}

export interface MigrateFailure {
  path: string;
  code: DepotErrorCode;
  message: string;
}

export interface MigrateReport {
  dryRun: boolean;
  /** Every model file found, canonical candidates first (models root, then links, extra, hub, HF cache). */
  entries: MigrateEntry[];
  /** Files that could not be hashed (changed, vanished, unreadable): not registered. */
  failed: MigrateFailure[];
  skipped: SkippedEntry[];
  /** Registered files gone from disk, forgotten (or that would be, in a dry run). */
  removed: string[];
  totals: {
    files: number;
    /** Distinct SHA-256 among the entries. */
    models: number;
    /** Files beyond the first of each model. */
    aliases: number;
    newFiles: number;
    /** Bytes of the distinct models. */
    bytes: number;
    /** Files read and hashed in this run, and their bytes. */
    hashed: number;
    bytesRead: number;
    /** Files answered by the hash cache or the registry without reading. */
    cacheHits: number;
  };
}

const PLACE_ORDER: Record<ModelPlace, number> = { models: 0, extra: 1, hub: 2, 'hf-cache': 3 };

/**
 * Registers the models already on disk (`migrate`): scans every place, hashes only what neither the
 * registry nor the hash cache knows (HF cache blobs never), then registers every file in one registry write. A
 * model's first file (a real file in the models root before its links, hub and cache copies) becomes canonical;
 * the others are aliases. A dry run reports the same thing and writes nothing.
 */
export async function migrateModels(options: MigrateModelsOptions): Promise<MigrateReport> {
  const { registry, dryRun, hashCache, onProgress } = options;
  onProgress?.({ phase: 'scanning' });
  const scan = await scanModelPlaces(options);
  const found = [...scan.files].sort(byCanonicalOrder);
  onProgress?.({ phase: 'scanned', files: found.length, skipped: scan.skipped.length });

  const known = new Map<string, { sha256: string; hashedBy: MigrateEntry['hashedBy']; identity: FileIdentity }>();
  const toHash: string[] = [];
  for (const file of found) {
    const registered = registry?.findByPath(file.path);
    if (file.sha256 !== undefined)
      known.set(file.path, { sha256: file.sha256, hashedBy: 'hf-cache-name', identity: file.identity });
    else if (registered && recordedIdentityMatches(registered, file.identity)) {
      known.set(file.path, { sha256: registered.sha256, hashedBy: 'registry', identity: file.identity });
    } else toHash.push(file.path);
  }

  const hashing = await hashFiles({
    paths: toHash,
    pool: options.pool,
    cache: hashCache,
    signal: options.signal,
    onProgress: (progress) => onProgress?.({ phase: 'hashing', ...progress }),
  });
  const failed: MigrateFailure[] = [];
  for (const result of hashing.results) {
    if ('error' in result) failed.push({ path: result.path, code: result.error.code, message: result.error.message });
    else
      known.set(result.path, {
        sha256: result.sha256,
        hashedBy: result.fromCache ? 'cache' : 'read',
        identity: result.identity,
      });
  }

  const entries = found.flatMap((file) => {
    const hash = known.get(file.path);
    return hash ? [toEntry(file, hash.sha256, hash.hashedBy, registry)] : [];
  });
  const removed = await goneFiles(registry, options.folder, new Set(found.map((file) => file.path)));

  if (!dryRun && registry) {
    onProgress?.({ phase: 'registering', files: entries.length });
    await registry.batch(async () => {
      for (const path of removed) await registry.removeFile(path);
      for (const entry of entries) {
        const identity = known.get(entry.path)?.identity;
        // An unchanged registration is left alone: a rescan of unchanged files then writes nothing.
        if (entry.status === 'registered' && unchanged(registry.findByPath(entry.path), entry, identity)) continue;
        await registry.addFile({
          path: entry.path,
          sha256: entry.sha256,
          kind: entry.kind,
          category: entry.category,
          stat: identity,
        });
        if (entry.place === 'hub') await registry.addSource(entry.sha256, entry.path);
      }
    });
  }
  if (!dryRun) await hashCache.save();
  return { dryRun, entries, failed, skipped: scan.skipped, removed, totals: totalsOf(entries, hashing) };
}

function byCanonicalOrder(a: FoundFile, b: FoundFile): number {
  return (
    PLACE_ORDER[a.place] - PLACE_ORDER[b.place] ||
    Number(a.isSymlink) - Number(b.isSymlink) ||
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
  );
}

function toEntry(
  file: FoundFile,
  sha256: string,
  hashedBy: MigrateEntry['hashedBy'],
  registry?: MigrateRegistry,
): MigrateEntry {
  const previous = registry?.findByPath(file.path);
  return {
    path: file.path,
    sha256,
    size: file.size,
    ...(file.category === undefined ? {} : { category: file.category }),
    place: file.place,
    kind: foundFileKind(file),
    status: previous === undefined ? 'new' : previous.sha256 === sha256 ? 'registered' : 'updated',
    hashedBy,
  };
}

function unchanged(
  registered: ReturnType<MigrateRegistry['findByPath']>,
  entry: MigrateEntry,
  identity: FileIdentity | undefined,
): boolean {
  if (!registered || identity === undefined) return false;
  return (
    registered.kind === entry.kind &&
    registered.category === entry.category &&
    recordedIdentityMatches(registered, identity)
  );
}

/** Registered files (of `folder`, when given) not found by this scan and no longer on disk: a rescan forgets them. */
async function goneFiles(
  registry: MigrateRegistry | undefined,
  folder: string | undefined,
  found: ReadonlySet<string>,
): Promise<string[]> {
  if (!registry) return [];
  const only = folder === undefined ? undefined : canonicalFolder(folder);
  const candidates = registry
    .allFiles()
    .filter((file) => !found.has(file.path) && (only === undefined || file.category === only));
  const gone = await Promise.all(
    candidates.map(async (file) => {
      try {
        await lstat(file.path);
        return undefined;
      } catch (error) {
        if (['ENOENT', 'ENOTDIR'].includes(errorCodeOf(error) ?? '')) return file.path;
        throw error;
      }
    }),
  );
  return gone.filter((path): path is string => path !== undefined);
}

function totalsOf(
  entries: MigrateEntry[],
  hashing: { hashed: number; bytesRead: number; cacheHits: number },
): MigrateReport['totals'] {
  const sizes = new Map(entries.map((entry) => [entry.sha256, entry.size]));
  return {
    files: entries.length,
    models: sizes.size,
    aliases: entries.length - sizes.size,
    newFiles: entries.filter((entry) => entry.status !== 'registered').length,
    bytes: [...sizes.values()].reduce((sum, size) => sum + size, 0),
    hashed: hashing.hashed,
    bytesRead: hashing.bytesRead,
    cacheHits: hashing.cacheHits + entries.filter((entry) => entry.hashedBy === 'registry').length,
  };
}
