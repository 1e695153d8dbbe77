import { isDepotError } from '../../../shared/errors';
import { defaultHashCacheFile, openHashCache } from '../../disk/hashing/hash-cache';
import { HashPool } from '../../disk/hashing/hash-pool';
import { openRegistry } from '../../registry/open-registry';
import type { Registry } from '../../registry/registry';
import { type MigrateModelsOptions, type MigrateReport, migrateModels } from './migrate-models';

export type MigrateDepotOptions = Omit<MigrateModelsOptions, 'registry' | 'hashCache' | 'pool'>;

export interface MigrateDepotResult {
  report: MigrateReport;
  /** Said beside the report: a dry run over a corrupt registry counted it as empty. */
  note?: string;
}

/**
 * Registers the models already on disk into the registry of `modelsRoot`, hashing on worker threads with the hash
 * cache. A real run takes the registry lock; a dry run reads without locking or creating anything.
 */
export async function migrateDepot(options: MigrateDepotOptions): Promise<MigrateDepotResult> {
  const hashCache = await openHashCache({ file: defaultHashCacheFile(options.modelsRoot) });
  const { registry, note } = await openForMigrate(options.modelsRoot, options.dryRun);
  const pool = new HashPool();
  try {
    const report = await migrateModels({ ...options, registry, hashCache, pool });
    return { report, ...(note ? { note } : {}) };
  } finally {
    await pool.close();
    await registry?.close();
  }
}

/**
 * A dry run reads the registry without locking or creating anything (a corrupt one counts as empty: migrate would
 * rebuild it); a real run takes the lock and, over a corrupt file, keeps it aside and rebuilds.
 */
async function openForMigrate(modelsRoot: string, dryRun: boolean): Promise<{ registry?: Registry; note?: string }> {
  if (!dryRun) return { registry: await openRegistry({ modelsRoot, recoverCorrupt: true }) };
  try {
    return { registry: await openRegistry({ modelsRoot, readOnly: true }) };
  } catch (error) {
    if (!isDepotError(error) || error.code !== 'REGISTRY_CORRUPT') throw error;
    return { note: `${error.message} migrate (without --dry-run) keeps it aside and rebuilds it.` };
  }
}
