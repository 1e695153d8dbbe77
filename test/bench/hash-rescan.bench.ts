/**
 * bench: `migrate` over 10,000 unchanged small files, the second time (issue 2: reads no file content, < 1 s).
 * Times a full migrateModels (scan, registry + hash cache look-ups, one registry write) after a first migrate, and
 * counts content bytes read two ways: hashFiles' own counter, and the process's read() total from /proc/self/io
 * (which also includes the registry and cache files, so it is an upper bound).
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { HashPool } from '../../sidecar/disk/hashing/hash-pool';
import { defaultHashCacheFile, openHashCache } from '../../sidecar/disk/hashing/hash-cache';
import { openRegistry } from '../../sidecar/registry/open-registry';
import { migrateModels, type MigrateReport } from '../../sidecar/services/depot/migrate-models';
import { formatBytes } from '../../shared/format-bytes';
import { withScratchDir } from './hash-bench-scratch-dir';

const FILES = 10_000;
const FILE_SIZE = 4096;
const BUDGET_MS = 1000;

async function processReadBytes(): Promise<number | undefined> {
  try {
    const match = /^rchar: (\d+)$/m.exec(await readFile('/proc/self/io', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch (error) {
    // Not Linux: only the hasher's own counter is printed.
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT') return undefined;
    throw error;
  }
}

async function migrateOnce(modelsRoot: string, pool: HashPool): Promise<MigrateReport> {
  const registry = await openRegistry({ modelsRoot });
  try {
    const hashCache = await openHashCache({ file: defaultHashCacheFile(modelsRoot) });
    return await migrateModels({ registry, modelsRoot, dryRun: false, hashCache, pool });
  } finally {
    await registry.close();
  }
}

await withScratchDir('hash-rescan', async (dir) => {
  const modelsRoot = join(dir, 'models');
  for (let set = 0; set < 100; set++) await mkdir(join(modelsRoot, 'loras', `set-${set}`), { recursive: true });
  const LANES = 16;
  await Promise.all(
    Array.from({ length: LANES }, async (_, lane) => {
      for (let i = lane; i < FILES; i += LANES) {
        const content = Buffer.alloc(FILE_SIZE, 0);
        content.writeUInt32LE(i, 0);
        await writeFile(join(modelsRoot, 'loras', `set-${i % 100}`, `lora ${i}.safetensors`), content);
      }
    }),
  );
  const pool = new HashPool();
  try {
    const first = await migrateOnce(modelsRoot, pool);
    if (first.totals.hashed !== FILES) throw new Error(`first migrate hashed ${first.totals.hashed} files`);
    const readBefore = await processReadBytes();
    const start = performance.now();
    const rescan = await migrateOnce(modelsRoot, pool);
    const elapsed = performance.now() - start;
    const readAfter = await processReadBytes();
    const indexBytes =
      (await stat(join(modelsRoot, '.registry', 'models.json'))).size +
      (await stat(defaultHashCacheFile(modelsRoot))).size;
    const syscallRead =
      readBefore === undefined || readAfter === undefined
        ? 'n/a'
        : `${formatBytes(readAfter - readBefore)} (registry + hash cache files: ${formatBytes(indexBytes)})`;
    process.stdout.write(
      `rescan of ${FILES.toLocaleString('en')} unchanged files: ${(elapsed / BUDGET_MS).toFixed(2)}x of the 1 s budget (${Math.round(elapsed)} ms; ` +
        `content bytes read ${rescan.totals.bytesRead}, files hashed ${rescan.totals.hashed}, known without reading ${rescan.totals.cacheHits}; ` +
        `process read() total ${syscallRead} vs ${formatBytes(FILES * FILE_SIZE)} of content; load average ${loadavg()[0]?.toFixed(1)}; bar 0 bytes and < 1 s: ${rescan.totals.bytesRead === 0 && elapsed < BUDGET_MS ? 'met' : 'NOT met'})\n`,
    );
  } finally {
    await pool.close();
  }
});
