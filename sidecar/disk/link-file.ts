import { copyFile, link, lstat, mkdir, realpath, rename, rm, stat, symlink, unlink } from 'node:fs/promises';
import { constants } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DepotError, errorCodeOf } from '../../shared/errors';
import { fileOperationError } from './file-operation-error';

export type LinkKind = 'symlink' | 'hardlink' | 'copy';

export interface LinkFileOptions {
  /** The existing model file (a symlink to one is followed). */
  source: string;
  /** The new name; must not exist. Its parent folders are created. */
  dest: string;
  /** Try a relative symlink first; default true. False simulates Windows without developer mode. */
  allowSymlink?: boolean;
  /** Try a hard link (same device only) before copying; default true. */
  allowHardlink?: boolean;
}

/**
 * Gives a model a second name the cheapest way that works: a RELATIVE symlink (survives moving the models root),
 * else a hard link, else a copy through a temp file. Never overwrites: an existing `dest` (even a broken symlink)
 * throws CONFLICT. Returns which kind was made, for the registry.
 */
export async function linkFile({
  source,
  dest,
  allowSymlink = true,
  allowHardlink = true,
}: LinkFileOptions): Promise<LinkKind> {
  const realSource = await existingFile(source);
  await refuseExisting(dest);
  await mkdir(dirname(dest), { recursive: true });
  if (allowSymlink) {
    try {
      await symlink(relative(dirname(resolve(dest)), resolve(source)), dest, 'file');
      return 'symlink';
    } catch (error) {
      if (errorCodeOf(error) === 'EEXIST') throw conflict(dest, error);
      // The file system or OS refuses symlinks (Windows without developer mode, FAT, some shares): try the next kind.
      if (!LINK_REFUSED.has(errorCodeOf(error) ?? '')) throw linkError(source, dest, error);
    }
  }
  if (allowHardlink) {
    try {
      // The real path: link() on a symlink would hard-link the symlink itself, not the model.
      await link(realSource, dest);
      return 'hardlink';
    } catch (error) {
      if (errorCodeOf(error) === 'EEXIST') throw conflict(dest, error);
      // EXDEV (another device), EMLINK (too many links) or no hard links on this file system: copy instead.
      const code = errorCodeOf(error) ?? '';
      if (code !== 'EXDEV' && code !== 'EMLINK' && !LINK_REFUSED.has(code)) throw linkError(source, dest, error);
    }
  }
  await copyInto(realSource, dest);
  return 'copy';
}

async function existingFile(source: string): Promise<string> {
  try {
    const info = await stat(source);
    if (info.isFile()) return await realpath(source);
  } catch (error) {
    throw new DepotError('NOT_FOUND', `${source} does not exist (or is a broken symlink); nothing to link from.`, {
      details: { source },
      cause: error,
    });
  }
  throw new DepotError('BAD_INPUT', `${source} is not a regular file; only model files can be linked.`, {
    details: { source },
  });
}

async function refuseExisting(dest: string): Promise<void> {
  try {
    await lstat(dest);
  } catch (error) {
    if (errorCodeOf(error) === 'ENOENT') return;
    throw new DepotError('IO', `Cannot check ${dest}: ${errorCodeOf(error) ?? 'unknown error'}.`, { cause: error });
  }
  throw conflict(dest);
}

/** Copies next to `dest`, then moves it in without overwriting: link()+unlink() is an atomic "rename if absent". */
async function copyInto(source: string, dest: string): Promise<void> {
  const temp = join(dirname(dest), `.${basename(dest)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    // COPYFILE_FICLONE: a reflink where the file system offers one (btrfs, XFS, APFS), a streamed copy elsewhere.
    await copyFile(source, temp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    try {
      await link(temp, dest);
      await unlink(temp);
    } catch (error) {
      const code = errorCodeOf(error);
      if (code === 'EEXIST') throw conflict(dest, error);
      // No hard links on this file system: rename after a last check (a small race, the best such a system allows).
      await refuseExisting(dest);
      await rename(temp, dest);
    }
  } catch (error) {
    await rm(temp, { force: true });
    if (error instanceof DepotError) throw error;
    throw fileOperationError({ what: `Cannot copy ${source} to ${dest}`, error, details: { source, dest } });
  }
}

/** Errors meaning "this kind of link is not possible here", as opposed to a real failure (ENOSPC, EIO...). */
const LINK_REFUSED = new Set(['EPERM', 'EACCES', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EINVAL']);

function linkError(source: string, dest: string, cause: unknown): DepotError {
  return fileOperationError({ what: `Cannot link ${dest} to ${source}`, error: cause, details: { source, dest } });
}

function conflict(dest: string, cause?: unknown): DepotError {
  return new DepotError('CONFLICT', `${dest} already exists; it was left untouched. Remove or rename it first.`, {
    details: { dest },
    cause,
  });
}
