import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it as base } from 'vitest';
import { HashPool } from '../../../sidecar/disk/hashing/hash-pool';
import { openHashCache } from '../../../sidecar/disk/hashing/hash-cache';
import { scanLocalFiles } from '../../../sidecar/services/compare/scan-local-files';
import { HASH_CACHE_NAME } from '../../../sidecar/services/compare/compare-cache-file';
import { sha256Of } from '../compare-collection-fixture';

const it = base.extend<{ dir: string; pool: HashPool }>({
  dir: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'md-scan-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
  pool: async ({}, use) => {
    const pool = new HashPool({ workers: 2 });
    await use(pool);
    await pool.close();
  },
});

describe('scanLocalFiles', () => {
  it('hashes model files only, skips hidden folders, broken links and symlink loops, and hashes nothing twice', async ({
    dir,
    pool,
  }) => {
    await mkdir(join(dir, 'sub', 'deeper'), { recursive: true });
    await mkdir(join(dir, '.trash'));
    await writeFile(join(dir, 'a.safetensors'), 'A');
    await writeFile(join(dir, 'sub', 'b name ü.ckpt'), 'B');
    await writeFile(join(dir, 'sub', 'notes.txt'), 'not a model');
    await writeFile(join(dir, '.trash', 'c.safetensors'), 'C');
    await symlink('..', join(dir, 'sub', 'deeper', 'loop'));
    await symlink(join(dir, 'missing.safetensors'), join(dir, 'broken.safetensors'));
    const progress: number[] = [];
    const first = await scanLocalFiles({
      localDir: dir,
      pool,
      hashCache: await openHashCache({ file: join(dir, HASH_CACHE_NAME) }),
      onProgress: (p) => progress.push(p.filesDone),
    });
    expect(first.files.map((f) => [f.name, f.sha256]).sort()).toEqual([
      ['a.safetensors', sha256Of('A')],
      ['b name ü.ckpt', sha256Of('B')],
    ]);
    expect(first.stats).toMatchObject({ mode: 'files', filesFound: 2, filesRead: 2, fromCache: 0, invalid: [] });
    expect(progress.at(-1)).toBe(2);

    const second = await scanLocalFiles({
      localDir: dir,
      pool,
      hashCache: await openHashCache({ file: join(dir, HASH_CACHE_NAME) }),
    });
    expect(second.stats).toMatchObject({ filesRead: 0, fromCache: 2 });
    const uncached = await scanLocalFiles({ localDir: dir, pool, hashCache: null });
    expect(uncached.stats).toMatchObject({ filesRead: 2, fromCache: 0 });
  });
});
