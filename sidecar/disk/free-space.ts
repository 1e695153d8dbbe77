import { hasErrorCode } from '../../shared/errors';
import { statfs } from 'node:fs/promises';
import path from 'node:path';

/**
 * Bytes available to this user on the volume holding `dir` (statfs `bavail * bsize`). A directory that does not
 * exist yet is measured at its nearest existing parent, which is where it will be created.
 */
export async function freeSpace(dir: string): Promise<number> {
  let current = path.resolve(dir);
  for (;;) {
    try {
      const stats = await statfs(current);
      return stats.bavail * stats.bsize;
    } catch (error) {
      const parent = path.dirname(current);
      if (!hasErrorCode(error, 'ENOENT') || parent === current) throw error;
      current = parent;
    }
  }
}
