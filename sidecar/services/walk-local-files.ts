import { opendir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { DepotError } from '../../shared/errors';
import { hasErrorCode } from '../registry/has-error-code';

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
    const dir = await opendir(next.dir).catch((error: unknown) => {
      if (hasErrorCode(error, 'ENOENT') || hasErrorCode(error, 'EACCES')) return null;
      throw error;
    });
    if (!dir) continue;
    for await (const entry of dir) {
      if (entry.name.startsWith('.')) continue;
      const path = join(next.dir, entry.name);
      const rel = next.rel ? `${next.rel}/${entry.name}` : entry.name;
      if (entry.isDirectory() || entry.isSymbolicLink()) {
        const stats = entry.isSymbolicLink() ? await statOrNull(path) : null;
        if (entry.isDirectory() || stats?.isDirectory()) {
          const real = await realpathOrNull(path);
          if (real === null || visited.has(real)) continue;
          visited.add(real);
          pending.push({ dir: path, rel });
          continue;
        }
        if (!stats?.isFile() || !include(entry.name)) continue;
        yield { path, relativePath: rel, stats };
        continue;
      }
      if (!entry.isFile() || !include(entry.name)) continue;
      const stats = await statOrNull(path);
      if (stats) yield { path, relativePath: rel, stats };
    }
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
