import { stat } from 'node:fs/promises';
import path from 'node:path';
import { isDepotError } from '../../../shared/errors';
import { freeSpace as defaultFreeSpace } from '../../disk/free-space';
import type { HashCache } from '../../disk/hashing/hash-cache';
import { openFileIdentities } from '../../disk/open-file-identities';
import { replaceWithLink } from '../../disk/replace-with-link';
import type { Registry } from '../../registry/registry';
import { type DedupeGroup, type DedupeSkip, type PlanDedupeOptions, planDedupe } from './plan-dedupe';
import type { HashOneFile } from './verify-registered-file';

export type { DedupeGroup, DedupeSkip, PlannedLink } from './plan-dedupe';

export interface DedupeModelsOptions
  extends Pick<PlanDedupeOptions, 'modelsRoot' | 'folder' | 'minSize' | 'allowSymlink' | 'allowHardlink'> {
  /** The registry; only read in a dry run. */
  registry: Registry;
  hashCache: Pick<HashCache, 'get' | 'set'>;
  /** Print what would be linked and the bytes it would give back; change nothing. */
  dryRun: boolean;
  /** Reads a file nothing vouches for. Default `hashFile`. */
  hashFile?: HashOneFile;
  /** `dev:ino` of files other programs hold open. Default: read from /proc (undefined elsewhere). */
  openFiles?: () => Promise<ReadonlySet<string> | undefined>;
  /** Free bytes of the volume holding a folder. Default statfs (`freeSpace`). */
  freeSpace?: (dir: string) => Promise<number>;
}

export interface DedupeReport {
  dryRun: boolean;
  /** Each group of identical files: its canonical file and the links made (or that would be). */
  groups: DedupeGroup[];
  /** Copies left as they are, each with why. */
  skipped: DedupeSkip[];
  /** Said when open files could not be checked (no /proc). */
  warnings: string[];
  totals: {
    groups: number;
    links: number;
    /** What the links give back, from the sizes of the copies they replace. */
    bytesToFree: number;
    /** Measured: the volumes' free space after minus before (real runs only). */
    bytesFreed?: number;
    /** Files read to verify them; 0 when the registry and the hash cache vouch for every one. */
    hashed: number;
    cacheHits: number;
  };
}

/**
 * `model-depot dedupe`: every group of identical registered files becomes one canonical file plus links (a relative
 * symlink, else a hard link, never a copy), each swapped in atomically, and recorded in the registry with the file
 * it depends on. What is given back is measured from the volumes' free space before and after.
 */
export async function dedupeModels(options: DedupeModelsOptions): Promise<DedupeReport> {
  const openFiles = await (options.openFiles ?? openFileIdentities)();
  const plan = await planDedupe({ ...options, openFiles });
  const warnings =
    openFiles === undefined
      ? ['Files open in other programs could not be checked on this system: close ComfyUI before a dedupe.']
      : [];
  const report: DedupeReport = {
    dryRun: options.dryRun,
    groups: plan.groups,
    skipped: plan.skipped,
    warnings,
    totals: {
      groups: plan.groups.length,
      links: plan.groups.reduce((n, g) => n + g.links.length, 0),
      bytesToFree: plan.groups.reduce((n, g) => n + g.bytes, 0),
      hashed: plan.hashed,
      cacheHits: plan.cacheHits,
    },
  };
  if (options.dryRun) return report;

  const measure = options.freeSpace ?? defaultFreeSpace;
  const volumes = volumeFolders(plan.groups);
  const before = await Promise.all(volumes.map((dir) => measure(dir)));
  await options.registry.batch(async () => {
    for (const group of plan.groups) await linkGroup(group, options, report);
  });
  const after = await Promise.all(volumes.map((dir) => measure(dir)));
  report.totals.links = report.groups.reduce((n, g) => n + g.links.length, 0);
  report.totals.bytesFreed = after.reduce((sum, free, i) => sum + (free - (before[i] ?? free)), 0);
  return report;
}

async function linkGroup(group: DedupeGroup, options: DedupeModelsOptions, report: DedupeReport): Promise<void> {
  const made = [];
  const canonicalDev = (await stat(group.canonical)).dev;
  for (const planned of group.links) {
    try {
      const kind = await replaceWithLink({
        path: planned.path,
        target: group.canonical,
        allowSymlink: options.allowSymlink ?? true,
        allowHardlink: (options.allowHardlink ?? true) && planned.identity.dev === canonicalDev,
        expect: planned.identity,
      });
      await options.registry.addFile({
        path: planned.path,
        sha256: group.sha256,
        kind,
        ...(planned.category === undefined ? {} : { category: planned.category }),
        stat: await stat(planned.path),
        linkTarget: group.canonical,
      });
      made.push({ ...planned, kind });
    } catch (error) {
      if (!isDepotError(error)) throw error;
      const errno = error.details?.errno;
      const readOnly = errno === 'EROFS' || errno === 'EACCES' || errno === 'EPERM';
      report.skipped.push({
        path: planned.path,
        sha256: group.sha256,
        reason: error.code === 'FILE_CHANGED' ? 'changed' : readOnly ? 'read-only' : 'failed',
        message: error.message,
      });
    }
  }
  if (made.length < group.links.length) group.bytes = Math.round((group.bytes * made.length) / group.links.length);
  group.links = made;
}

/** One folder per volume the links touch (the volume's free space is what a dedupe gives back). */
function volumeFolders(groups: readonly DedupeGroup[]): string[] {
  const byDev = new Map<number, string>();
  for (const group of groups) {
    for (const planned of group.links) {
      if (!byDev.has(planned.identity.dev)) byDev.set(planned.identity.dev, path.dirname(planned.path));
    }
  }
  return [...byDev.values()];
}
