import { describe, expect, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { HashPool } from '../../../sidecar/disk/hashing/hash-pool';
import { test } from '../temp-dir-test';

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('HashPool', () => {
  test('hashes many files on worker threads with per-file progress', async ({ dir }) => {
    const pool = new HashPool({ workers: 2, chunkSize: 256 * 1024 });
    try {
      const files = await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          const data = Buffer.alloc(300_000 + i, i);
          const path = join(dir, `m${i} ✓.safetensors`);
          await writeFile(path, data);
          return { path, data };
        }),
      );
      const progress = vi.fn();
      const results = await Promise.all(files.map(({ path }) => pool.hash(path, { onProgress: progress })));
      expect(results.map((r) => r.sha256)).toEqual(files.map(({ data }) => sha(data)));
      expect(results.map((r) => r.size)).toEqual(files.map(({ data }) => data.length));
      expect(progress).toHaveBeenCalledWith(300_000);
    } finally {
      await pool.close();
    }
  });

  test('maps a FIFO, a directory and a missing file to IO / FILE_CHANGED and keeps working', async ({ dir }) => {
    const pool = new HashPool({ workers: 1 });
    try {
      execFileSync('mkfifo', [join(dir, 'pipe.safetensors')]);
      await mkdir(join(dir, 'dir.safetensors'));
      await expect(pool.hash(join(dir, 'pipe.safetensors'))).rejects.toMatchObject({ code: 'IO' });
      await expect(pool.hash(join(dir, 'dir.safetensors'))).rejects.toMatchObject({ code: 'IO' });
      await expect(pool.hash(join(dir, 'none.safetensors'))).rejects.toMatchObject({ code: 'FILE_CHANGED' });
      await writeFile(join(dir, 'ok.safetensors'), 'ok');
      expect((await pool.hash(join(dir, 'ok.safetensors'))).sha256).toBe(sha(Buffer.from('ok')));
    } finally {
      await pool.close();
    }
  });

  test('discards the hash of a file that changes or vanishes while a worker reads it', async ({ dir }) => {
    const pool = new HashPool({ workers: 1, chunkSize: 64 * 1024 });
    try {
      const growing = join(dir, 'growing.safetensors');
      const vanishing = join(dir, 'vanishing.safetensors');
      await writeFile(growing, Buffer.alloc(4 * 1024 * 1024));
      await writeFile(vanishing, Buffer.alloc(4 * 1024 * 1024));
      let touched = false;
      await expect(
        pool.hash(growing, {
          onProgress: () => {
            if (touched) return;
            touched = true;
            void appendFile(growing, 'x');
          },
        }),
      ).rejects.toMatchObject({
        code: 'FILE_CHANGED',
      });
      let removed = false;
      await expect(
        pool.hash(vanishing, {
          onProgress: () => {
            if (removed) return;
            removed = true;
            void rm(vanishing);
          },
        }),
      ).rejects.toMatchObject({
        code: 'FILE_CHANGED',
      });
    } finally {
      await pool.close();
    }
  });

  test('cancels a queued file and a running one with CANCELLED', async ({ dir }) => {
    const pool = new HashPool({ workers: 1, chunkSize: 64 * 1024 });
    try {
      const big = join(dir, 'big.safetensors');
      await writeFile(big, Buffer.alloc(8 * 1024 * 1024));
      const running = new AbortController();
      const queued = new AbortController();
      const first = pool.hash(big, { signal: running.signal, onProgress: () => running.abort() });
      const second = pool.hash(big, { signal: queued.signal });
      queued.abort();
      await expect(second).rejects.toMatchObject({ code: 'CANCELLED' });
      await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
      expect((await pool.hash(big)).size).toBe(8 * 1024 * 1024);
    } finally {
      await pool.close();
    }
  });

  test('rejects files still queued when closed', async ({ dir }) => {
    const pool = new HashPool({ workers: 1 });
    await writeFile(join(dir, 'a.safetensors'), Buffer.alloc(1024));
    const pending = [pool.hash(join(dir, 'a.safetensors')), pool.hash(join(dir, 'a.safetensors'))];
    await pool.close();
    const settled = await Promise.allSettled(pending);
    expect(settled.some((s) => s.status === 'rejected')).toBe(true);
  });
});
