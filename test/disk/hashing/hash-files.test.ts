import { describe, expect, vi } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashFiles } from '../../../sidecar/disk/hashing/hash-files';
import { HashPool } from '../../../sidecar/disk/hashing/hash-pool';
import { openHashCache } from '../../../sidecar/disk/hashing/hash-cache';
import { test } from '../temp-dir-test';

describe('hashFiles', () => {
  test('reads every file once, then answers a rescan from the cache reading no content', async ({ dir }) => {
    const paths = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const path = join(dir, `f${i}.safetensors`);
        await writeFile(path, Buffer.alloc(10_000 + i, i));
        return path;
      }),
    );
    const pool = new HashPool({ workers: 2 });
    try {
      const file = join(dir, '.registry', 'hash-cache.json');
      const cache = await openHashCache({ file });
      const onProgress = vi.fn();
      const first = await hashFiles({ paths, pool, cache, onProgress });
      expect(first).toMatchObject({ hashed: 20, cacheHits: 0, failed: 0 });
      expect(first.bytesRead).toBe(paths.reduce((sum, _, i) => sum + 10_000 + i, 0));
      expect(onProgress).toHaveBeenLastCalledWith(
        expect.objectContaining({ filesDone: 20, filesTotal: 20, bytesDone: first.bytesRead }),
      );
      await cache.save();

      const again = await hashFiles({ paths, pool, cache: await openHashCache({ file }) });
      expect(again).toMatchObject({ hashed: 0, cacheHits: 20, failed: 0, bytesRead: 0 });
      expect(again.results.map((r) => ('sha256' in r ? r.sha256 : r.error.code))).toEqual(
        first.results.map((r) => ('sha256' in r ? r.sha256 : r.error.code)),
      );
    } finally {
      await pool.close();
    }
  });

  test('reports a missing file in its result and hashes the rest', async ({ dir }) => {
    await writeFile(join(dir, 'a.safetensors'), 'a');
    const pool = new HashPool({ workers: 1 });
    try {
      const out = await hashFiles({ paths: [join(dir, 'gone.safetensors'), join(dir, 'a.safetensors')], pool });
      expect(out).toMatchObject({ hashed: 1, failed: 1 });
      expect(out.results[0]).toMatchObject({ error: { code: 'FILE_CHANGED' } });
    } finally {
      await pool.close();
    }
  });
});
