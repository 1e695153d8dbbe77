/**
 * bench: `dedupe --dry-run` over 10,000 registered files (5,000 models, each under the models root and again in a
 * hub directory), the second run: every file is vouched for by its registration, so no content is read, and the
 * whole plan (verification, open-file scan, folder checks) must fit in 1 s.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { HashPool } from '../../sidecar/disk/hashing/hash-pool';
import { defaultHashCacheFile, openHashCache } from '../../sidecar/disk/hashing/hash-cache';
import { hashFile } from '../../sidecar/disk/hashing/hash-file';
import { openRegistry } from '../../sidecar/registry/open-registry';
import { migrateModels } from '../../sidecar/services/depot/migrate-models';
import { dedupeModels, type DedupeReport } from '../../sidecar/services/reclaim/dedupe-models';
import { withScratchDir } from './hash-bench-scratch-dir';

const MODELS = 5_000;
const FILE_SIZE = 4096;
const BUDGET_MS = 1000;

await withScratchDir('dedupe-dry-run', async (dir) => {
  const modelsRoot = join(dir, 'models');
  const hubDir = join(dir, 'other-app');
  for (let set = 0; set < 50; set++) {
    await mkdir(join(modelsRoot, 'loras', `set-${set}`), { recursive: true });
    await mkdir(join(hubDir, 'loras', `set-${set}`), { recursive: true });
  }
  const LANES = 16;
  await Promise.all(
    Array.from({ length: LANES }, async (_, lane) => {
      for (let i = lane; i < MODELS; i += LANES) {
        const content = Buffer.alloc(FILE_SIZE, 0);
        content.writeUInt32LE(i, 0);
        const name = join('loras', `set-${i % 50}`, `lora ${i}.safetensors`);
        await writeFile(join(modelsRoot, name), content);
        await writeFile(join(hubDir, name), content);
      }
    }),
  );
  const pool = new HashPool();
  const registry = await openRegistry({ modelsRoot });
  try {
    const hashCache = await openHashCache({ file: defaultHashCacheFile(modelsRoot), holdsRegistryLock: true });
    await migrateModels({ registry, modelsRoot, hubDirs: [hubDir], dryRun: false, hashCache, pool });
    let reads = 0;
    const dryRun = (): Promise<DedupeReport> =>
      dedupeModels({
        registry,
        hashCache,
        modelsRoot,
        dryRun: true,
        hashFile: (path) => {
          reads++;
          return hashFile(path);
        },
      });
    await dryRun();
    reads = 0;
    const start = performance.now();
    const report = await dryRun();
    const elapsed = performance.now() - start;
    const files = registry.allFiles().length;
    process.stdout.write(
      `dedupe --dry-run over ${files.toLocaleString('en')} registered files, second run: ` +
        `${(elapsed / BUDGET_MS).toFixed(2)}x of the 1 s budget (${Math.round(elapsed)} ms; ${report.totals.links} links planned, ` +
        `files read ${reads}, vouched for without reading ${report.totals.cacheHits}; load average ${loadavg()[0]?.toFixed(1)}; ` +
        `bar 0 reads and < 1 s: ${reads === 0 && elapsed < BUDGET_MS ? 'met' : 'NOT met'})\n`,
    );
  } finally {
    await registry.close();
    await pool.close();
  }
});
