import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pageAlignedMemory } from '../../../sidecar/remote/ring/page-aligned-memory';
import { RingHasher } from '../../../sidecar/remote/ring/ring-hasher';
import { OrderedHasher } from '../../../sidecar/remote/segmented/ordered-hasher';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(): Promise<{ file: string; hasher: RingHasher }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'md-ordered-'));
  const hasher = new RingHasher(pageAlignedMemory(64 * 1024));
  cleanups.push(async () => {
    await hasher.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { file: path.join(dir, 'x.part'), hasher };
}

describe('OrderedHasher', () => {
  it('hashes a file written out of order, in file order, as its written prefix grows', async () => {
    const { file, hasher } = await setUp();
    const data = randomBytes(40 * 1024 * 1024 + 7);
    const handle = await open(file, 'w');
    const ordered = new OrderedHasher(hasher, file);
    const half = 20 * 1024 * 1024;
    // The second half lands first: nothing of it may enter the hash before the first half is written.
    await handle.write(data, half, data.length - half, half);
    ordered.advance(0);
    await handle.write(data, 0, half / 2, 0);
    ordered.advance(half / 2);
    await handle.write(data, half / 2, half / 2, half / 2);
    await handle.close();
    await ordered.finish(data.length);
    expect(ordered.hashed).toBe(data.length);
    expect(await hasher.digest()).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('fails when the file holds fewer bytes than were said to be written', async () => {
    const { file, hasher } = await setUp();
    const handle = await open(file, 'w');
    await handle.write(Buffer.alloc(1000), 0, 1000, 0);
    await handle.close();
    const ordered = new OrderedHasher(hasher, file);
    await expect(ordered.finish(2000)).rejects.toThrow(/shorter than 2000 bytes/);
  });
});
