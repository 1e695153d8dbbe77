import { readdir, stat } from 'node:fs/promises';
import { errorCodeOf } from '../../shared/errors';

/**
 * The files some process holds open, as `dev:ino` keys, read from `/proc/<pid>/fd` (Linux). Replacing such a file
 * by a link would leave its reader on the old bytes (or a writer writing to a name that no longer exists), so it is
 * left alone. Undefined where there is no `/proc` (macOS, Windows): the caller says it could not check. Processes
 * of other users that cannot be read are passed over.
 */
export async function openFileIdentities(procDir = '/proc'): Promise<Set<string> | undefined> {
  let pids: string[];
  try {
    pids = (await readdir(procDir)).filter((name) => /^\d+$/.test(name));
  } catch (error) {
    if (errorCodeOf(error) === 'ENOENT') return undefined;
    throw error;
  }
  const open = new Set<string>();
  await Promise.all(
    pids.map(async (pid) => {
      const fdDir = `${procDir}/${pid}/fd`;
      let fds: string[];
      try {
        fds = await readdir(fdDir);
      } catch (error) {
        // The process ended meanwhile, or belongs to someone this user may not inspect.
        if (PASSED_OVER.has(errorCodeOf(error) ?? '')) return;
        throw error;
      }
      for (const fd of fds) {
        try {
          const info = await stat(`${fdDir}/${fd}`);
          if (info.isFile()) open.add(`${info.dev}:${info.ino}`);
        } catch (error) {
          if (!PASSED_OVER.has(errorCodeOf(error) ?? '')) throw error;
        }
      }
    }),
  );
  return open;
}

const PASSED_OVER = new Set(['ENOENT', 'EACCES', 'EPERM', 'ESRCH', 'ENOTDIR', 'ELOOP', 'ENXIO']);
