import { DepotError } from '../../../shared/errors';
import { formatBytes } from '../../../shared/format-bytes';
import { freeSpace as statfsFreeSpace } from '../../disk/free-space';

/** Bytes kept free beyond the file itself, so a download never fills a disk to the last block. */
export const FREE_SPACE_MARGIN = 64 * 1024 * 1024;

export interface EnsureFreeSpaceOptions {
  /** The directory the bytes go to (its volume is measured). */
  dir: string;
  /** Bytes still to be written. */
  needed: number;
  /** The file name for the message. */
  name: string;
  /** Bytes free on the volume of a directory. Default statfs. */
  freeSpace?: (dir: string) => Promise<number>;
}

/** Throws DISK_FULL, before a byte is fetched, when the volume cannot hold what is left of the download. */
export async function ensureFreeSpace(options: EnsureFreeSpaceOptions): Promise<void> {
  const { dir, needed, name } = options;
  if (needed <= 0) return;
  const free = await (options.freeSpace ?? statfsFreeSpace)(dir);
  if (free >= needed + FREE_SPACE_MARGIN) return;
  throw new DepotError(
    'DISK_FULL',
    `${name}: not enough free space: the download needs ${formatBytes(needed)} (plus ${formatBytes(FREE_SPACE_MARGIN)} ` +
      `kept free), the volume of ${dir} has ${formatBytes(free)}. Free some space and try again.`,
    { details: { needed, free, dir } },
  );
}
