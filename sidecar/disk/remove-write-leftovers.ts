import { hasErrorCode } from '../../shared/errors';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

export interface RemoveWriteLeftoversOptions {
  /** The file `writeFileAtomic` saves; its temporary files are `<name>.<pid>.<hex>.tmp` in the same folder. */
  file: string;
  /** Other leftover names in that folder (the temporary file of an older writer). Default none. */
  olderNames?: readonly string[];
  /**
   * Keep the temporary files of processes still running on this host (this one included): for a file that
   * processes without the lock save as well, such as the hash cache, which `check` saves while a sidecar holds the
   * lock. Default false: the caller is the file's only writer, so every temporary file is a leftover.
   */
  spareRunningWriters?: boolean;
}

/**
 * Removes the temporary files of `writeFileAtomic` saves that never reached their rename (the process was killed),
 * which nothing else ever removes. Only the holder of the folder's lock may call it, at open: with two callers, one
 * could remove the other's temporary file between its write and its rename. A missing folder holds no leftovers.
 * File-system errors are thrown as they are.
 */
export async function removeWriteLeftovers(options: RemoveWriteLeftoversOptions): Promise<void> {
  const folder = path.dirname(options.file);
  const name = path.basename(options.file);
  const olderNames = options.olderNames ?? [];
  let entries: string[];
  try {
    entries = await readdir(folder);
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return;
    throw error;
  }
  const isLeftover = (entry: string): boolean => {
    if (olderNames.includes(entry)) return true;
    if (!entry.startsWith(`${name}.`)) return false;
    const pid = /^\.(\d+)\.[0-9a-f]+\.tmp$/.exec(entry.slice(name.length))?.[1];
    if (pid === undefined) return false;
    return !options.spareRunningWriters || !isRunning(Number(pid));
  };
  await Promise.all(entries.filter(isLeftover).map((entry) => rm(path.join(folder, entry), { force: true })));
}

/** Signal 0 only asks whether the process exists; EPERM means it does, under another user. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // Only "no such process" proves the writer gone; anything else (a pid out of range) keeps the file, to be safe.
    return !hasErrorCode(error, 'ESRCH');
  }
}
