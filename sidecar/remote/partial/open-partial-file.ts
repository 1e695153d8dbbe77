import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { DIRECT_IO_BLOCK } from '../ring/page-aligned-memory';

export interface PartialFile {
  handle: FileHandle;
  /**
   * Writes bypass the page cache (O_DIRECT): each must then be whole 4 KiB blocks, at a 4 KiB offset, from aligned
   * memory. On the 2-core target, copying a download into the page cache and flushing it at the end cost more CPU than
   * receiving it; direct writes go to the disk as they come and leave the final fsync little to do.
   */
  direct: boolean;
}

/**
 * Opens (creating) a partial download for positional writes, direct when the platform and the file system take it
 * (Linux ext4/xfs/btrfs; not tmpfs, macOS or Windows), else through the page cache. A direct open is proven with one
 * real block write past the end, then cut away, because some file systems accept the flag and refuse the writes.
 */
export async function openPartialFile(path: string, alignedBlock: Buffer): Promise<PartialFile> {
  const flags = constants.O_WRONLY | constants.O_CREAT;
  if (process.platform === 'linux' && constants.O_DIRECT !== undefined) {
    const handle = await open(path, flags | constants.O_DIRECT).catch(() => undefined);
    if (handle) {
      if (await acceptsDirectWrites(handle, alignedBlock)) return { handle, direct: true };
      await handle.close();
    }
  }
  return { handle: await open(path, flags), direct: false };
}

async function acceptsDirectWrites(handle: FileHandle, alignedBlock: Buffer): Promise<boolean> {
  const { size } = await handle.stat();
  const probeAt = Math.ceil(size / DIRECT_IO_BLOCK) * DIRECT_IO_BLOCK;
  try {
    await handle.write(alignedBlock, 0, DIRECT_IO_BLOCK, probeAt);
    return true;
  } catch {
    return false;
  } finally {
    await handle.truncate(size);
  }
}
