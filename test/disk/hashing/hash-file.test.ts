import { describe, expect, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { hashFile } from '../../../sidecar/disk/hashing/hash-file';
import { test } from '../temp-dir-test';

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('hashFile', () => {
  test('returns the SHA-256 and size of a file spanning several reads, with progress', async ({ dir }) => {
    const data = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    const path = join(dir, 'model.safetensors');
    await writeFile(path, data);
    const onProgress = vi.fn();
    const result = await hashFile(path, { chunkSize: 1024 * 1024, onProgress });
    expect(result.sha256).toBe(sha(data));
    expect(result.size).toBe(data.length);
    expect(onProgress.mock.calls.map(([bytes]) => bytes)).toEqual([1 << 20, 2 << 20, 3 << 20, data.length]);
  });

  test('hashes an empty file and names with spaces, unicode and newlines', async ({ dir }) => {
    const path = join(dir, 'dé jà\nvu ✓.safetensors');
    await writeFile(path, '');
    expect(await hashFile(path)).toMatchObject({ sha256: sha(Buffer.alloc(0)), size: 0 });
  });

  test('discards the hash of a file that grows while it is read (FILE_CHANGED)', async ({ dir }) => {
    const path = join(dir, 'growing.safetensors');
    await writeFile(path, Buffer.alloc(4 * 1024 * 1024));
    let appended = false;
    const run = hashFile(path, {
      chunkSize: 1024 * 1024,
      onProgress: () => {
        if (!appended) {
          appended = true;
          void appendFile(path, 'more');
        }
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'FILE_CHANGED' });
  });

  test('reports a file that vanishes while it is read as FILE_CHANGED', async ({ dir }) => {
    const path = join(dir, 'vanishing.safetensors');
    await writeFile(path, Buffer.alloc(2 * 1024 * 1024));
    let removed = false;
    const run = hashFile(path, {
      chunkSize: 1024 * 1024,
      onProgress: () => {
        if (removed) return;
        removed = true;
        void rm(path);
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'FILE_CHANGED', message: expect.stringContaining('vanished') });
  });

  test('reports a file removed before hashing as FILE_CHANGED naming it', async ({ dir }) => {
    const path = join(dir, 'gone.safetensors');
    await expect(hashFile(path)).rejects.toMatchObject({
      code: 'FILE_CHANGED',
      message: expect.stringContaining(path),
    });
  });

  // Tests run as root, which ignores chmod 000; a FIFO and a directory are honestly unreadable as model files.
  test('refuses a FIFO without blocking on it (IO, names the file and what to do)', async ({ dir }) => {
    const path = join(dir, 'pipe.safetensors');
    execFileSync('mkfifo', [path]);
    await expect(hashFile(path)).rejects.toMatchObject({
      code: 'IO',
      message: expect.stringMatching(/pipe\.safetensors: not a regular file .*Remove it/),
    });
  });

  test('refuses a directory named like a model (IO)', async ({ dir }) => {
    const path = join(dir, 'folder.safetensors');
    await mkdir(path);
    await expect(hashFile(path)).rejects.toMatchObject({ code: 'IO' });
  });

  test('stops when the signal is aborted (CANCELLED)', async ({ dir }) => {
    const path = join(dir, 'big.safetensors');
    await writeFile(path, Buffer.alloc(2 * 1024 * 1024));
    const controller = new AbortController();
    const run = hashFile(path, {
      chunkSize: 1024 * 1024,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
