import { open } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';

/** Writes `size` bytes of pseudo-random content (a random 16 MiB block, varied per copy) without holding it in memory. */
export async function fillFile(path: string, size: number): Promise<void> {
  const block = randomBytes(16 * 1024 * 1024);
  const handle = await open(path, 'w');
  try {
    for (let written = 0, i = 0; written < size; i++) {
      const length = Math.min(block.length, size - written);
      block.writeUInt32LE(i, 0);
      await handle.write(block, 0, length, written);
      written += length;
    }
  } finally {
    await handle.close();
  }
}
