import { describe, expect } from 'vitest';
import { appendFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { migrateModels, type MigrateModelsOptions } from '../../../sidecar/services/depot/migrate-models';
import { openRegistry } from '../../../sidecar/registry/open-registry';
import { defaultHashCacheFile, openHashCache } from '../../../sidecar/disk/hashing/hash-cache';
import { HashPool } from '../../../sidecar/disk/hashing/hash-pool';
import { test as base } from '../../disk/temp-dir-test';
import { treeSnapshot } from '../../disk/tree-snapshot';
import { makeModelTree, put } from '../../disk/model-tree-fixture';

const test = base.extend<{ pool: HashPool }>({
  pool: async ({}, use) => {
    const pool = new HashPool({ workers: 2 });
    await use(pool);
    await pool.close();
  },
});

async function run(options: Omit<MigrateModelsOptions, 'hashCache'>) {
  const hashCache = await openHashCache({ file: defaultHashCacheFile(options.modelsRoot) });
  return migrateModels({ ...options, hashCache });
}

describe('migrateModels', () => {
  test('a dry run lists every place and writes nothing; the real run registers models and aliases', async ({
    dir,
    pool,
  }) => {
    const tree = await makeModelTree(dir);
    const before = await treeSnapshot(dir);
    const places = { modelsRoot: tree.modelsRoot, hubDirs: [tree.hubDir], hfCacheDir: tree.hfCacheDir, pool };
    const dry = await run({ ...places, dryRun: true });
    expect(await treeSnapshot(dir)).toEqual(before);
    expect(dry.totals).toMatchObject({ files: 6, models: 4, aliases: 2, newFiles: 6 });
    expect(dry.entries.map((e) => [e.place, e.kind, e.hashedBy === 'hf-cache-name'])).toEqual([
      ['models', 'file', false],
      ['models', 'file', false],
      ['models', 'file', false],
      ['models', 'symlink', false],
      ['hub', 'hub', false],
      ['hf-cache', 'hf-cache', true],
    ]);
    expect(dry.entries.find((e) => e.place === 'hf-cache')?.sha256).toBe(tree.shas.c);
    expect(dry.skipped.map((s) => s.reason).sort()).toEqual([
      'broken symlink',
      expect.stringMatching(/already scanned/),
    ]);

    const registry = await openRegistry({ modelsRoot: tree.modelsRoot });
    try {
      const real = await run({ ...places, registry, dryRun: false });
      expect(real.totals).toEqual(dry.totals);
      expect(registry.stats()).toMatchObject({ model_count: 4, alias_count: 2 });
      expect(registry.findBySha256(tree.shas.a)?.file_path).toBe(
        join(tree.modelsRoot, 'checkpoints', 'old names', 'sdxl-base-v1.safetensors'),
      );
      expect(registry.findBySha256(tree.shas.b)?.sources).toEqual([join(tree.hubDir, 'flux', 'vae', 'ae.safetensors')]);
      expect(registry.findBySha256(tree.shas.c)?.category).toBe('text_encoders');

      const registryFile = join(tree.modelsRoot, '.registry', 'models.json');
      const written = (await stat(registryFile)).mtimeMs;
      const rescan = await run({ ...places, registry, dryRun: false });
      expect(rescan.totals).toMatchObject({ hashed: 0, bytesRead: 0, newFiles: 0 });
      expect((await stat(registryFile)).mtimeMs).toBe(written);
    } finally {
      await registry.close();
    }
  });

  test('never hashes HF cache blobs and reads nothing on a rescan from the hash cache alone', async ({ dir, pool }) => {
    const tree = await makeModelTree(dir);
    const first = await run({ modelsRoot: tree.modelsRoot, hfCacheDir: tree.hfCacheDir, pool, dryRun: false });
    expect(first.totals.hashed).toBe(4);
    expect(first.totals.bytesRead).toBe(300_000 * 3 + 50_000);
    const second = await run({ modelsRoot: tree.modelsRoot, hfCacheDir: tree.hfCacheDir, pool, dryRun: false });
    expect(second.totals).toMatchObject({ hashed: 0, bytesRead: 0, cacheHits: 4 });
  });

  test('does not register a file removed between the scan and its hash', async ({ dir, pool }) => {
    const tree = await makeModelTree(dir);
    const victim = join(tree.modelsRoot, 'checkpoints', 'old names', 'sdxl-base-v1.safetensors');
    const pending: Array<Promise<void>> = [];
    const registry = await openRegistry({ modelsRoot: tree.modelsRoot });
    try {
      const report = await run({
        modelsRoot: tree.modelsRoot,
        registry,
        pool,
        dryRun: false,
        onProgress: (p) => {
          if (p.phase === 'scanned') pending.push(rm(victim));
        },
      });
      await Promise.all(pending);
      expect(report.failed).toEqual([expect.objectContaining({ path: victim, code: 'FILE_CHANGED' })]);
      expect(registry.findByPath(victim)).toBeUndefined();
      expect(registry.stats().model_count).toBe(2);
    } finally {
      await registry.close();
    }
  });

  test('discards the hash of a file that changes while it is hashed (not registered, not cached)', async ({ dir }) => {
    const modelsRoot = join(dir, 'models');
    const path = join(modelsRoot, 'vae', 'growing.safetensors');
    await put(path, Buffer.alloc(4 * 1024 * 1024));
    const pool = new HashPool({ workers: 1, chunkSize: 64 * 1024 });
    const registry = await openRegistry({ modelsRoot });
    let touched: Promise<void> | undefined;
    try {
      const report = await run({
        modelsRoot,
        registry,
        pool,
        dryRun: false,
        onProgress: (p) => {
          if (p.phase === 'hashing' && p.bytesDone > 0) touched ??= appendFile(path, 'more');
        },
      });
      await touched;
      expect(report.failed.map((f) => f.code)).toEqual(['FILE_CHANGED']);
      expect(registry.stats().model_count).toBe(0);
      expect((await openHashCache({ file: defaultHashCacheFile(modelsRoot) })).size).toBe(0);
    } finally {
      await registry.close();
      await pool.close();
    }
  });

  test('rebuilds a corrupt registry (kept aside) and limits itself to --folder', async ({ dir, pool }) => {
    const tree = await makeModelTree(dir);
    await put(join(tree.modelsRoot, '.registry', 'models.json'), '{ not json');
    const registry = await openRegistry({ modelsRoot: tree.modelsRoot, recoverCorrupt: true });
    try {
      const report = await run({
        modelsRoot: tree.modelsRoot,
        hubDirs: [tree.hubDir],
        registry,
        pool,
        dryRun: false,
        folder: 'loras',
      });
      expect(report.entries.map((e) => e.category)).toEqual(['loras']);
      expect(registry.stats()).toMatchObject({ model_count: 1, alias_count: 0 });
      expect(
        (await readdir(join(tree.modelsRoot, '.registry'))).some((name) => name.startsWith('models.json.corrupt')),
      ).toBe(true);
    } finally {
      await registry.close();
    }
  });

  test('forgets registered files that are gone from disk', async ({ dir, pool }) => {
    const tree = await makeModelTree(dir);
    const registry = await openRegistry({ modelsRoot: tree.modelsRoot });
    try {
      await run({ modelsRoot: tree.modelsRoot, registry, pool, dryRun: false });
      const gone = join(tree.modelsRoot, 'loras', 'détail ✓\nnewline.safetensors');
      await rm(gone);
      await writeFile(join(tree.modelsRoot, 'checkpoints', 'new.safetensors'), 'new');
      const report = await run({ modelsRoot: tree.modelsRoot, registry, pool, dryRun: false });
      expect(report.removed).toEqual([gone]);
      expect(registry.findByPath(gone)).toBeUndefined();
      expect(report.totals).toMatchObject({ newFiles: 1, hashed: 1 });
    } finally {
      await registry.close();
    }
  });
});
