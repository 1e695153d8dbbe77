import { link, mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { DepotError } from '../../../shared/errors';
import type { PartialPaths } from './resume-state';

/**
 * Moves the verified file to its final name without ever replacing one: a hard link fails with EEXIST when `dest`
 * appeared meanwhile (atomic check-and-create); file systems without hard links fall back to check-then-rename.
 */
export async function publishDownload(paths: PartialPaths, dest: string, name: string): Promise<void> {
  await mkdir(path.dirname(dest), { recursive: true });
  try {
    await link(paths.part, dest);
    await rm(paths.part);
  } catch (error) {
    if (isCode(error, 'EEXIST')) throw conflict(dest, name);
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS'].some((code) => isCode(error, code))) {
      throw new DepotError('IO', `${name}: moving the finished download into place failed.`, { cause: error });
    }
    await refuseExisting(dest, name);
    await rename(paths.part, dest);
  }
  await rm(paths.state, { force: true });
  await syncDirectory(path.dirname(dest));
}

/** fsync of the directory makes the new name durable; some platforms cannot open a directory, which is harmless. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EBADF'].some((code) => isCode(error, code))) throw error;
  } finally {
    await handle?.close();
  }
}

/** Throws CONFLICT when something already sits under `dest`: model-depot never overwrites. */
export async function refuseExisting(dest: string, name: string): Promise<void> {
  try {
    await stat(dest);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return;
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

function isCode(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
