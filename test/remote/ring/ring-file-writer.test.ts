import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { openPartialFile } from '../../../sidecar/remote/partial/open-partial-file';
import { DIRECT_IO_BLOCK, pageAlignedMemory } from '../../../sidecar/remote/ring/page-aligned-memory';
import { openTransfer } from '../../../sidecar/remote/partial/partial-transfer';
import { partialPaths, writeResumeState } from '../../../sidecar/remote/partial/resume-state';
import { RING_BYTES, RING_WRITE_WINDOW, RingFileWriter } from '../../../sidecar/remote/ring/ring-file-writer';
import { RingHasher } from '../../../sidecar/remote/ring/ring-hasher';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(base = os.tmpdir()): Promise<string> {
  const dir = await mkdtemp(path.join(base, 'md-ring-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A partial file with its ring and hasher, as openTransfer sets them up. */
async function sink(file: string, startBytes = 0, onReceived?: (bytes: number) => void) {
  const ring = pageAlignedMemory(RING_BYTES);
  const { handle, direct } = await openPartialFile(file, Buffer.from(ring, 0, DIRECT_IO_BLOCK));
  const hasher = new RingHasher(ring);
  cleanups.push(async () => {
    await hasher.close();
    await handle.close().catch(() => {});
  });
  const written: number[] = [];
  const writer = new RingFileWriter({
    handle,
    direct,
    ring,
    hasher,
    startBytes,
    name: 'x.safetensors',
    onWritten: (bytes) => written.push(bytes),
    ...(onReceived ? { onReceived } : {}),
  });
  return { writer, hasher, direct, written };
}

/** Chunks of awkward sizes (never a multiple of 4 KiB or of a slot), as a socket delivers them. */
function chunksOf(data: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0, turn = 0; offset < data.length; turn++) {
    const size = [65_536, 1, 4095, 300_001, 2 * 1024 * 1024 + 7][turn % 5];
    chunks.push(data.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('RingFileWriter', () => {
  it('writes and hashes every byte in order, and cuts the last block padding', async () => {
    const dir = await tempDir();
    const data = randomBytes(3 * RING_BYTES + 12_345);
    const { writer, hasher, written } = await sink(path.join(dir, 'a.part'));
    await pipeline(Readable.from(chunksOf(data)), writer);
    expect(writer.bytes).toBe(data.length);
    expect(written.at(-1)).toBe(data.length);
    expect(written).toEqual([...written].sort((a, b) => a - b));
    expect(await hasher.digest()).toBe(sha256(data));
    expect(sha256(await readFile(path.join(dir, 'a.part')))).toBe(sha256(data));
  });

  it('writes through the page cache where direct writes are refused', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'b.part');
    const ring = pageAlignedMemory(RING_BYTES);
    // Memory off the page boundary: a direct write from it fails, as it does on file systems without O_DIRECT.
    const { handle, direct } = await openPartialFile(file, Buffer.from(ring, 1, DIRECT_IO_BLOCK));
    const hasher = new RingHasher(ring);
    cleanups.push(async () => {
      await hasher.close();
      await handle.close();
    });
    expect(direct).toBe(false);
    expect((await stat(file)).size).toBe(0);
    const data = randomBytes(RING_BYTES + 999);
    const writer = new RingFileWriter({ handle, direct, ring, hasher, startBytes: 0, name: 'b', onWritten: () => {} });
    await pipeline(Readable.from(chunksOf(data)), writer);
    expect(await hasher.digest()).toBe(sha256(data));
    expect(sha256(await readFile(file))).toBe(sha256(data));
  });

  it('continues a file from a 4 KiB boundary into the same hash', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'c.part');
    const data = randomBytes(5 * DIRECT_IO_BLOCK + RING_BYTES);
    const prefix = 5 * DIRECT_IO_BLOCK;
    await writeFile(file, data.subarray(0, prefix));
    const { writer, hasher } = await sink(file, prefix);
    await hasher.hashFilePrefix(file, prefix);
    await pipeline(Readable.from(chunksOf(data.subarray(prefix))), writer);
    expect(await hasher.digest()).toBe(sha256(data));
    expect(sha256(await readFile(file))).toBe(sha256(data));
  });

  it('keeps the whole blocks received before an error, and file and hash agree', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'd.part');
    const data = randomBytes(RING_BYTES + 3 * DIRECT_IO_BLOCK + 100);
    let receivedAll: () => void = () => {};
    const received = new Promise<void>((resolve) => {
      receivedAll = resolve;
    });
    const { writer, hasher, direct } = await sink(file, 0, (bytes) => {
      if (bytes >= data.length) receivedAll();
    });
    const source = new PassThrough();
    const done = pipeline(source, writer);
    source.write(data);
    // The connection breaks once every byte sent has reached the ring, however long a loaded machine takes.
    await received;
    source.destroy(new Error('connection reset'));
    await expect(done).rejects.toThrow('connection reset');
    await writer.settled();
    const kept = direct ? data.length - 100 : data.length;
    expect(writer.bytes).toBe(kept);
    expect((await stat(file)).size).toBe(kept);
    expect(await hasher.digest()).toBe(sha256(data.subarray(0, kept)));
  });

  it('stays consistent when a progress listener cancels in the middle of a chunk', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'e.part');
    const data = randomBytes(3 * RING_BYTES);
    const ring = pageAlignedMemory(RING_BYTES);
    const { handle, direct } = await openPartialFile(file, Buffer.from(ring, 0, DIRECT_IO_BLOCK));
    const hasher = new RingHasher(ring);
    cleanups.push(async () => {
      await hasher.close();
      await handle.close();
    });
    let cancelled = false;
    const writer: RingFileWriter = new RingFileWriter({
      handle,
      direct,
      ring,
      hasher,
      startBytes: 0,
      name: 'e',
      onWritten: () => {},
      // What the download queue does: cancel from inside a progress event, synchronously.
      onReceived: (bytes) => {
        if (!cancelled && bytes > RING_BYTES + 12_345) {
          cancelled = true;
          writer.destroy(new Error('cancelled'));
        }
      },
    });
    await expect(pipeline(Readable.from(chunksOf(data)), writer)).rejects.toThrow('cancelled');
    await writer.settled();
    expect((await stat(file)).size).toBe(writer.bytes);
    expect(writer.bytes).toBeGreaterThan(0);
    expect(await hasher.digest()).toBe(sha256(data.subarray(0, writer.bytes)));
    expect(sha256(await readFile(file))).toBe(sha256(data.subarray(0, writer.bytes)));
  });

  // /dev/full answers every write with ENOSPC: a full disk without filling one.
  it.skipIf(!existsSync('/dev/full'))('turns ENOSPC into DISK_FULL that says the partial file was kept', async () => {
    const ring = pageAlignedMemory(RING_BYTES);
    const hasher = new RingHasher(ring);
    const handle = await open('/dev/full', 'w');
    cleanups.push(async () => {
      await hasher.close();
      await handle.close();
    });
    const writer = new RingFileWriter({
      handle,
      direct: false,
      ring,
      hasher,
      startBytes: 0,
      name: 'x.safetensors',
      onWritten: () => {},
    });
    await expect(pipeline(Readable.from([Buffer.alloc(RING_BYTES)]), writer)).rejects.toMatchObject({
      code: 'DISK_FULL',
      message: expect.stringMatching(/disk filled up.*partial file was kept/),
    });
    expect(writer.bytes).toBe(0);
  });
});

describe('openTransfer after a killed process', () => {
  const sha = 'ab'.repeat(32);
  const url = 'https://huggingface.co/org/repo/resolve/main/m.safetensors';

  async function partialWithState(savedBytes: (size: number) => number) {
    const tmpDir = await tempDir();
    const paths = partialPaths({ tmpDir, url, expectedSha256: sha });
    const size = 3 * RING_BYTES;
    await writeFile(paths.part, Buffer.alloc(size, 1));
    await writeResumeState(paths.state, {
      version: 1,
      url,
      expectedSha256: sha,
      bytes: savedBytes(size),
      updatedAt: 'now',
    });
    // A temporary state file a kill left behind mid-save.
    await writeFile(`${paths.state}.123.abcd.tmp`, '{');
    const transfer = await openTransfer({ url, paths, expectedSha256: sha, name: 'm.safetensors' });
    cleanups.push(async () => {
      await transfer.hasher.close();
      await transfer.handle.close();
      await transfer.release();
    });
    return { transfer, paths, size, tmpDir };
  }

  it('drops the last window of writes, which may hold a hole, when the state predates them', async () => {
    const { transfer, paths, size } = await partialWithState(() => 0);
    expect(transfer.writtenBytes).toBe(size - RING_WRITE_WINDOW);
    expect((await stat(paths.part)).size).toBe(size - RING_WRITE_WINDOW);
    expect(existsSync(`${paths.state}.123.abcd.tmp`)).toBe(false);
  });

  it('keeps all of a file its last attempt cut to what it wrote and hashed', async () => {
    const { transfer, paths, size } = await partialWithState((fileSize) => fileSize);
    expect(transfer.writtenBytes).toBe(size);
    expect((await stat(paths.part)).size).toBe(size);
  });
});
