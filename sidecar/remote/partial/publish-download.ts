import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { DepotError, hasErrorCode } from '../../../shared/errors';
import type { PartialPaths } from './resume-state';

/**
 * Moves the verified file to its final name without ever replacing one (linkWithoutOverwrite). A destination on
 * another volume than the partial (an `is_default` root of extra_model_paths.yaml on another disk) gets a copy beside
 * it first, so the final name still appears whole or not at all.
 */
export async function publishDownload(paths: PartialPaths, dest: string, name: string): Promise<void> {
  await mkdir(path.dirname(dest), { recursive: true });
  try {
    await linkWithoutOverwrite(paths.part, dest, name);
  } catch (error) {
    if (!hasErrorCode(error, 'EXDEV')) throw error;
    await publishAcrossVolumes(paths.part, dest, name);
  }
  await rm(paths.state, { force: true });
  await syncDirectory(path.dirname(dest));
}

/** Errors of link() on a file system without hard links (FAT, exFAT, some network shares) or past the link limit. */
const NO_HARD_LINK = ['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS'];

/**
 * Gives `from` the name `dest` and drops `from`: a hard link fails with EEXIST when `dest` appeared meanwhile (atomic
 * check-and-create); file systems without hard links fall back to check-then-rename. EXDEV is thrown as it is.
 */
async function linkWithoutOverwrite(from: string, dest: string, name: string): Promise<void> {
  try {
    await link(from, dest);
    await rm(from);
  } catch (error) {
    if (hasErrorCode(error, 'EEXIST')) throw conflict(dest, name);
    if (hasErrorCode(error, 'EXDEV')) throw error;
    if (!NO_HARD_LINK.some((code) => hasErrorCode(error, code))) {
      throw new DepotError('IO', `${name}: moving the finished download into place failed.`, { cause: error });
    }
    await refuseExisting(dest, name);
    await rename(from, dest);
  }
}

/** Copies the partial next to `dest` (constant memory: the kernel copies), makes the copy durable, then links it. */
async function publishAcrossVolumes(part: string, dest: string, name: string): Promise<void> {
  const copy = path.join(path.dirname(dest), `.${path.basename(dest)}.${randomBytes(6).toString('hex')}.copying`);
  try {
    await copyFile(part, copy);
    const handle = await open(copy, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await linkWithoutOverwrite(copy, dest, name);
  } catch (error) {
    if (hasErrorCode(error, 'ENOSPC')) {
      throw new DepotError(
        'DISK_FULL',
        `${name}: no space left at ${path.dirname(dest)} for the download; free some and run again.`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    await rm(copy, { force: true });
  }
  await rm(part);
}

/** fsync of the directory makes the new name durable; some platforms cannot open a directory, which is harmless. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EBADF'].some((code) => hasErrorCode(error, code))) throw error;
  } finally {
    await handle?.close();
  }
}

/** Throws CONFLICT when something already sits under `dest`: model-depot never overwrites. */
export async function refuseExisting(dest: string, name: string): Promise<void> {
  try {
    await stat(dest);
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return;
    throw error;
  }
  throw conflict(dest, name);
}

function conflict(dest: string, name: string): DepotError {
  return new DepotError(
    'CONFLICT',
    `${name}: a file already exists at ${dest}; model-depot never overwrites. Move it away or check it, then try again.`,
    { details: { path: dest } },
  );
}
