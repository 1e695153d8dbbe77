import path from 'node:path';
import type { HashCache } from '../../disk/hashing/hash-cache';
import { hashFiles } from '../../disk/hashing/hash-files';
import type { HashPool } from '../../disk/hashing/hash-pool';
import { scanModelPlaces, type FoundFile } from '../../disk/places/scan-model-places';
import type { Registry } from '../../registry/registry';
import { recordedIdentityMatches } from '../../registry/recorded-identity-matches';
import { foundFileKind } from './found-file-kind';
import type { IndexSummary } from './depot-events';

export interface IndexModelPlacesOptions {
  registry: Registry;
  modelsRoot: string;
  /** Hub directories (shared model folders), rescanned at every start. Default none. */
  hubDirs?: readonly string[];
  /** The HuggingFace cache; its blobs are registered by name (their SHA-256), without reading. Default none. */
  hfCacheDir?: string;
  /** Reads unknown files on all cores. */
  pool: Pick<HashPool, 'hash'>;
  /** Answers unchanged files without reading them; saved at the end. */
  hashCache: HashCache;
  /** Stops the index (at shutdown). */
  signal?: AbortSignal;
}

/**
 * Brings the registry up to date with the hub directories and the HuggingFace cache: files it does not know (or that changed)
 * are hashed, with the hash cache first, and registered; hub and HF-cache entries that vanished are dropped. An
 * unchanged file costs one stat, so a start with 10,000 known files reads no content.
 */
export async function indexModelPlaces(options: IndexModelPlacesOptions): Promise<IndexSummary> {
  const { registry } = options;
  const scan = await scanModelPlaces({
    modelsRoot: options.modelsRoot,
    hubDirs: options.hubDirs,
    hfCacheDir: options.hfCacheDir,
    // The models root and ComfyUI's folders are `migrate`'s (a first run there may hash hundreds of GB).
    places: ['hub', 'hf-cache'],
  });
  const known = (file: FoundFile): boolean => {
    const entry = registry.findByPath(file.path);
    return entry !== undefined && recordedIdentityMatches(entry, file.identity);
  };
  const files = scan.files.filter((file) => file.place === 'hub' || file.place === 'hf-cache');
  const fresh = files.filter((file) => !known(file));
  const byBlobName = fresh.filter((file) => file.sha256 !== undefined);
  const toHash = fresh.filter((file) => file.sha256 === undefined);
  const hashed = await hashFiles({
    paths: toHash.map((f) => f.path),
    pool: options.pool,
    cache: options.hashCache,
    signal: options.signal,
  });
  let errors = 0;
  let registered = 0;
  await registry.batch(async () => {
    for (const file of byBlobName) {
      if (file.sha256 === undefined) continue;
      await registry.addFile({
        path: file.path,
        sha256: file.sha256,
        kind: foundFileKind(file),
        category: file.category,
        stat: file.identity,
      });
      registered++;
    }
    for (const [i, result] of hashed.results.entries()) {
      const file = toHash[i];
      if (!file) continue;
      if ('error' in result) {
        errors++;
        continue;
      }
      await registry.addFile({
        path: file.path,
        sha256: result.sha256,
        kind: foundFileKind(file),
        category: file.category,
        stat: result.identity,
      });
      registered++;
    }
    await dropVanished(registry, files, [
      ...(options.hubDirs ?? []),
      ...(options.hfCacheDir ? [options.hfCacheDir] : []),
    ]);
  });
  await options.hashCache.save();
  return { files: files.length, registered, errors: errors + scan.skipped.length };
}

/** Hub and HF-cache files the registry knows but this scan did not find are gone (or their folder is no longer used). */
async function dropVanished(registry: Registry, found: readonly FoundFile[], roots: readonly string[]): Promise<void> {
  const seen = new Set(found.map((f) => f.path));
  const resolvedRoots = roots.map((r) => path.resolve(r) + path.sep);
  for (const entry of registry.allFiles()) {
    if (entry.kind !== 'hub' && entry.kind !== 'hf-cache') continue;
    if (seen.has(entry.path)) continue;
    if (!resolvedRoots.some((root) => entry.path.startsWith(root))) continue;
    await registry.removeFile(entry.path);
  }
}
