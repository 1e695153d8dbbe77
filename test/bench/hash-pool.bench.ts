/**
 * bench: HashPool with 2 workers against 1 worker on 8 files of 256 MiB (issue 2: bar >= 1.7x on 2 cores).
 * Page cache warmed, runs alternated, best of 3 each; the ratio is 1 worker's time / 2 workers' time.
 */
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { HashPool } from '../../sidecar/disk/hash-pool';
import { hashFiles } from '../../sidecar/disk/hash-files';
import { withScratchDir } from './hash-bench-scratch-dir';
import { fillFile } from './hash-bench-fill-file';
import { seconds, warmPageCache } from './hash-bench-warm';

const FILES = 8;
const SIZE = 256 * 1024 ** 2;
const ROUNDS = 3;

async function timeWith(workers: number, paths: string[]): Promise<number> {
  const pool = new HashPool({ workers });
  try {
    // Workers start on demand: one throwaway file start-up is not what this bench measures.
    const start = performance.now();
    const result = await hashFiles({ paths, pool });
    if (result.hashed !== paths.length) throw new Error(`${result.failed} files failed`);
    return performance.now() - start;
  } finally {
    await pool.close();
  }
}

await withScratchDir('hash-pool', async (dir) => {
  const paths = Array.from({ length: FILES }, (_, i) => join(dir, `m${i}.safetensors`));
  for (const path of paths) await fillFile(path, SIZE);
  await warmPageCache(paths);
  let one = Infinity;
  let two = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    one = Math.min(one, await timeWith(1, paths));
    two = Math.min(two, await timeWith(2, paths));
  }
  const ratio = one / two;
  process.stdout.write(
    `HashPool 8 x 256 MiB: 2 workers ${ratio.toFixed(2)}x of 1 worker (best of ${ROUNDS}: ${seconds(two)} vs ${seconds(one)}; ${availableParallelism()} cores; bar >= 1.7x: ${ratio >= 1.7 ? 'met' : 'NOT met'})\n`,
  );
});
