import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { DepotError, hasErrorCode } from '../../../shared/errors';
import type { PartialPaths } from './resume-state';

/**
 * Moves the verified file to its final name without ever replacing one: a hard link fails with EEXIST when `dest`
 * appeared meanwhile (atomic check-and-create); file systems without hard links fall back to check-then-rename.
 * A destination on another volume than the partial (an `is_default` root of extra_model_paths.yaml on another disk)
 * gets a copy beside it first, so the final name still appears whole or not at all.
 */
export async function publishDownload(paths: PartialPaths, dest: string, name: string): Promise<void> {
  await mkdir(path.dirname(dest), { recursive: true });
  try {
    await link(paths.part, dest);
    await rm(paths.part);
  } catch (error) {
    if (hasErrorCode(error, 'EEXIST')) throw conflict(dest, name);
    if (hasErrorCode(error, 'EXDEV')) {
      await publishAcrossVolumes(paths.part, dest, name);
      await rm(paths.state, { force: true });
      return;
    }
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS'].some((code) => hasErrorCode(error, code))) {
      throw new DepotError('IO', `${name}: moving the finished download into place failed.`, { cause: error });
    }
    await refuseExisting(dest, name);
    await rename(paths.part, dest);
  }
  await rm(paths.state, { force: true });
  await syncDirectory(path.dirname(dest));
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
    await link(copy, dest).catch((error: unknown) => {
      if (hasErrorCode(error, 'EEXIST')) throw conflict(dest, name);
      throw new DepotError('IO', `${name}: moving the finished download into place failed.`, { cause: error });
    });
  } catch (error) {
    if (hasErrorCode(error, 'ENOSPC')) {
      throw new DepotError(
        'DISK_FULL',
        `${name}: no space left at ${path.dirname(dest)} for the download; free some and run again.`,
        {
          cause: error,
        },
      );
    }
    throw error;
  } finally {
    await rm(copy, { force: true });
  }
  await rm(part);
  await syncDirectory(path.dirname(dest));
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
