import { readdir, realpath, stat } from 'node:fs/promises';
import type { Dirent, Stats } from 'node:fs';
import { join } from 'node:path';
import { DepotError, hasErrorCode } from '../../../shared/errors';
import { forEachLimited } from '../../runtime/for-each-limited';

export interface WalkedFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the root, with `/` separators on every platform (a stable cache key). */
  relativePath: string;
  stats: Stats;
}

export interface WalkLocalFilesOptions {
  /** The folder to walk (absolute). */
  root: string;
  /** Which file names to yield. */
  include: (name: string) => boolean;
}

/** Stats in flight per folder: enough to keep libuv's thread pool busy on thousands of small JSON files. */
const STAT_CONCURRENCY = 64;

/**
 * Every regular file below `root` whose name passes `include`, in no particular order. Hidden files and folders
 * (`.git`, `.registry`, our cache files) are skipped; symlinked folders are followed once each (a loop ends there);
 * broken symlinks and entries that vanish while walking are skipped, as they cannot be compared anyway.
 */
export async function* walkLocalFiles({ root, include }: WalkLocalFilesOptions): AsyncGenerator<WalkedFile> {
  const rootStats = await stat(root).catch((error: unknown) => {
    if (hasErrorCode(error, 'ENOENT') || hasErrorCode(error, 'ENOTDIR')) {
      throw new DepotError('BAD_INPUT', `--local-dir: ${root} is not a folder.`, { cause: error });
    }
    throw new DepotError('IO', `--local-dir: ${root} cannot be read.`, { cause: error });
  });
  if (!rootStats.isDirectory()) throw new DepotError('BAD_INPUT', `--local-dir: ${root} is not a folder.`);
  const visited = new Set<string>([await realpath(root)]);
  const pending: Array<{ dir: string; rel: string }> = [{ dir: root, rel: '' }];
  while (pending.length > 0) {
    const next = pending.pop();
    if (!next) break;
    const entries = await readdirOrNull(next.dir);
    if (!entries) continue;
    // Files are stat'ed (mtime and size are the cache key) in parallel; folders are queued.
    const candidates = entries.filter(
      (entry) =>
        !entry.name.startsWith('.') &&
        (entry.isDirectory() || entry.isSymbolicLink() || (entry.isFile() && include(entry.name))),
    );
    const found: Array<{ entry: Dirent; stats: Stats | null }> = [];
    await forEachLimited(candidates, STAT_CONCURRENCY, async (entry) => {
      const needsStat = entry.isFile() || entry.isSymbolicLink();
      found.push({ entry, stats: needsStat ? await statOrNull(join(next.dir, entry.name)) : null });
    });
    for (const { entry, stats } of found) {
      const path = join(next.dir, entry.name);
      const rel = next.rel ? `${next.rel}/${entry.name}` : entry.name;
      if (entry.isDirectory() || stats?.isDirectory()) {
        const real = await realpathOrNull(path);
        if (real === null || visited.has(real)) continue;
        visited.add(real);
        pending.push({ dir: path, rel });
      } else if (stats?.isFile() && include(entry.name)) {
        yield { path, relativePath: rel, stats };
      }
    }
  }
}

async function readdirOrNull(dir: string): Promise<Dirent[] | null> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    // A folder removed or closed to us while walking: nothing in it can be compared.
    if (hasErrorCode(error, 'ENOENT') || hasErrorCode(error, 'EACCES')) return null;
    throw error;
  }
}

async function statOrNull(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch (error) {
    // A broken symlink, or a file deleted since readdir: nothing to compare.
    if (hasErrorCode(error, 'ENOENT') || hasErrorCode(error, 'ELOOP')) return null;
    throw error;
  }
}

async function realpathOrNull(path: string): Promise<string | null> {
  try {
    return await realpath(path);
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT') || hasErrorCode(error, 'ELOOP')) return null;
    throw error;
  }
}
