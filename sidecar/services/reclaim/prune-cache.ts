import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { errorCodeOf, isDepotError } from '../../../shared/errors';
import { lockPartial } from '../../remote/partial/lock-partial';
import { type Clock, systemClock } from '../../runtime/clock';

export interface PruneCacheOptions {
  modelsRoot: string;
  /** List what would go and the space it holds; remove nothing. */
  dryRun: boolean;
  /** Only what was last written at least this many days ago. Default 0: everything not in use. */
  olderThanDays?: number;
  /** A partial's lock refreshed within this long belongs to a running download. Default 3000 ms (lockPartial's). */
  lockStaleMs?: number;
  /** Time source for ages and lock freshness. Default the system clock. */
  clock?: Pick<Clock, 'now'>;
}

export interface PruneItem {
  /** The partial download (`<key>.part`), or the cache file. */
  path: string;
  /** partial: a download's `.part` with its resume state; metadata: hosts' answers; catalog: a fetched catalog. */
  kind: 'partial' | 'metadata' | 'catalog' | 'leftover';
  /** Every file that goes with it (the `.part`, its `.part.json`, temporary files). */
  files: string[];
  bytes: number;
}

export interface PruneReport {
  dryRun: boolean;
  /** Removed (or that would be). */
  pruned: PruneItem[];
  /** Left alone, with why: a running download holds the partial, or it is newer than --older-than. */
  kept: { path: string; reason: string; bytes: number }[];
  totals: { items: number; bytes: number };
}

const DAY_MS = 86_400_000;

/**
 * `model-depot prune`: gives back the space of partial downloads (`<models>/.cache/tmp`: the `.part`, its resume
 * state and temporary files) and of cached answers (`<models>/.cache/metadata.json`, fetched catalogs). A partial
 * whose lock is held is never touched; the others are removed under their own lock, so no download can start on
 * one meanwhile. Cached answers are asked again when next needed; a fetched catalog comes back with `catalog update`.
 */
export async function pruneCache(options: PruneCacheOptions): Promise<PruneReport> {
  const now = (options.clock ?? systemClock).now();
  const cacheDir = path.join(path.resolve(options.modelsRoot), '.cache');
  const cutoff = now - (options.olderThanDays ?? 0) * DAY_MS;
  const staleMs = Math.max(options.lockStaleMs ?? 3000, 2000);
  const candidates = [...(await partialItems(path.join(cacheDir, 'tmp'))), ...(await cacheItems(cacheDir))];
  const report: PruneReport = { dryRun: options.dryRun, pruned: [], kept: [], totals: { items: 0, bytes: 0 } };
  for (const item of candidates) {
    const { newest, bytes } = await measure(item.files);
    item.bytes = bytes;
    if (item.kind === 'partial' && (await lockIsFresh(`${item.path}.lock`, now, staleMs))) {
      report.kept.push({ path: item.path, reason: 'a running download holds it', bytes });
      continue;
    }
    if (newest > cutoff) {
      report.kept.push({ path: item.path, reason: `written less than ${options.olderThanDays} days ago`, bytes });
      continue;
    }
    if (!options.dryRun && !(await removeItem(item, staleMs))) {
      report.kept.push({ path: item.path, reason: 'a download took it meanwhile', bytes });
      continue;
    }
    report.pruned.push(item);
  }
  report.totals = { items: report.pruned.length, bytes: report.pruned.reduce((n, i) => n + i.bytes, 0) };
  return report;
}

/** Partials keyed by their `.part` name, with their state and temporary files; anything else is a leftover. */
async function partialItems(tmpDir: string): Promise<PruneItem[]> {
  const names = await listNames(tmpDir);
  const byPart = new Map<string, PruneItem>();
  const leftovers: PruneItem[] = [];
  for (const name of names) {
    if (name.endsWith('.part.lock')) continue;
    const match = /^(.+?\.part)(?:\.json)?(?:\..+\.tmp)?$/.exec(name);
    const file = path.join(tmpDir, name);
    if (!match?.[1]) {
      leftovers.push({ path: file, kind: 'leftover', files: [file], bytes: 0 });
      continue;
    }
    const part = path.join(tmpDir, match[1]);
    const item = byPart.get(part) ?? { path: part, kind: 'partial', files: [], bytes: 0 };
    item.files.push(file);
    byPart.set(part, item);
  }
  return [...byPart.values(), ...leftovers];
}

async function cacheItems(cacheDir: string): Promise<PruneItem[]> {
  const items: PruneItem[] = [];
  for (const name of await listNames(cacheDir)) {
    if (!name.startsWith('metadata.json')) continue;
    const file = path.join(cacheDir, name);
    items.push({ path: file, kind: 'metadata', files: [file], bytes: 0 });
  }
  const catalogs = path.join(cacheDir, 'catalogs');
  for (const name of await listNames(catalogs)) {
    const file = path.join(catalogs, name);
    items.push({ path: file, kind: 'catalog', files: [file], bytes: 0 });
  }
  return items;
}

async function listNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if (errorCodeOf(error) === 'ENOENT') return [];
    throw error;
  }
}

async function measure(files: readonly string[]): Promise<{ newest: number; bytes: number }> {
  let newest = 0;
  let bytes = 0;
  for (const file of files) {
    const info = await lstat(file).catch(() => undefined);
    if (!info?.isFile()) continue;
    newest = Math.max(newest, info.mtimeMs);
    bytes += info.blocks * 512;
  }
  return { newest, bytes };
}

/** The lock folder of a live download is refreshed every second (lockPartial); an older one is a dead process's. */
async function lockIsFresh(lock: string, now: number, staleMs: number): Promise<boolean> {
  const info = await lstat(lock).catch(() => undefined);
  return info !== undefined && now - info.mtimeMs < staleMs;
}

/** Removes an item; a partial under its own lock. False when a download holds the partial. */
async function removeItem(item: PruneItem, staleMs: number): Promise<boolean> {
  if (item.kind !== 'partial') {
    for (const file of item.files) await rm(file, { force: true });
    return true;
  }
  let release: () => Promise<void>;
  try {
    release = await lockPartial({ part: item.path, state: `${item.path}.json` }, { name: item.path, staleMs });
  } catch (error) {
    if (isDepotError(error) && error.code === 'DOWNLOAD_LOCKED') return false;
    throw error;
  }
  try {
    for (const file of item.files) await rm(file, { force: true });
  } finally {
    await release();
  }
  return true;
}
