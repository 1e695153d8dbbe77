import { stat } from 'node:fs/promises';
import path from 'node:path';
import { DepotError } from '../../shared/errors';

export interface LocateWanGpInstallOptions {
  /** WanGP's own folder (the one holding `defaults/` and `finetunes/`), or its `ckpts/` folder. */
  directory: string;
}

export interface WanGpInstall {
  /** WanGP's folder, absolute: it holds `defaults/` and, when there are any, `finetunes/`. */
  root: string;
  /** The folder WanGP downloads model files into, absolute; it may not exist yet on a fresh install. */
  ckptsDirectory: string;
}

/**
 * Finds the WanGP folder from either WanGP's folder or its `ckpts/` folder (the one a downloader is pointed at),
 * or throws DepotError('NOT_FOUND') naming both places it looked.
 */
export async function locateWanGpInstall({ directory }: LocateWanGpInstallOptions): Promise<WanGpInstall> {
  const given = path.resolve(directory);
  if (await isDirectory(path.join(given, 'defaults'))) {
    return { root: given, ckptsDirectory: path.join(given, 'ckpts') };
  }
  const parent = path.dirname(given);
  if (parent !== given && (await isDirectory(path.join(parent, 'defaults')))) {
    return { root: parent, ckptsDirectory: given };
  }
  throw new DepotError(
    'NOT_FOUND',
    `${given} is not a WanGP folder: neither it nor its parent has a defaults folder. ` +
      'Give the folder WanGP was installed in (the one with wgp.py), or its ckpts folder.',
    { details: { directory: given } },
  );
}

async function isDirectory(candidate: string): Promise<boolean> {
  try {
    return (await stat(candidate)).isDirectory();
  } catch (error) {
    if (isMissing(error)) return false;
    throw new DepotError('IO', `Could not look at ${candidate}: ${messageOf(error)}. Check its permissions.`, {
      cause: error,
    });
  }
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
