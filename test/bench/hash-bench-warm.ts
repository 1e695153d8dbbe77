import { open } from 'node:fs/promises';

/** Reads files once so the page cache holds them: both contenders then measure hashing, not the disk. */
export async function warmPageCache(paths: readonly string[]): Promise<void> {
  const buffer = Buffer.allocUnsafe(8 * 1024 * 1024);
  for (const path of paths) {
    const handle = await open(path, 'r');
    try {
      while ((await handle.read(buffer, 0, buffer.length)).bytesRead > 0);
    } finally {
      await handle.close();
    }
  }
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
