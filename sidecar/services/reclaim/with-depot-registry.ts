import path from 'node:path';
import { defaultHashCacheFile, type HashCache, openHashCache } from '../../disk/hashing/hash-cache';
import { openRegistry } from '../../registry/open-registry';
import type { Registry } from '../../registry/registry';

export interface WithDepotRegistryOptions {
  modelsRoot: string;
  /** Read without the lock and save nothing (dry runs, reports). Default false: take the lock, save at the end. */
  readOnly?: boolean;
}

/**
 * Runs `fn` on the registry and hash cache of a models root. A changing run takes the registry's one-writer lock
 * (REGISTRY_LOCKED while a sidecar runs: stop it first) and saves the hash cache at the end; a read-only run takes
 * no lock and writes nothing.
 */
export async function withDepotRegistry<T>(
  options: WithDepotRegistryOptions,
  fn: (registry: Registry, hashCache: HashCache) => Promise<T>,
): Promise<T> {
  const modelsRoot = path.resolve(options.modelsRoot);
  const readOnly = options.readOnly === true;
  const registry = await openRegistry({ modelsRoot, readOnly });
  try {
    const hashCache = await openHashCache({ file: defaultHashCacheFile(modelsRoot), holdsRegistryLock: !readOnly });
    const result = await fn(registry, hashCache);
    if (!readOnly) await hashCache.save();
    return result;
  } finally {
    await registry.close();
  }
}
