/**
 * bench: HashPool with 2 workers against 1 worker on 8 files of 256 MiB (issue 2: bar >= 1.7x on 2 cores).
 * Page cache warmed, runs alternated, best of 5 each (the dev box is shared: contention hits single runs); the ratio is 1 worker's time / 2 workers' time.
 */
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { HashPool } from '../../sidecar/disk/hashing/hash-pool';
import { hashFiles } from '../../sidecar/disk/hashing/hash-files';
import { withScratchDir } from './hash-bench-scratch-dir';
import { fillFile } from './hash-bench-fill-file';
import { seconds, warmPageCache } from './hash-bench-warm';

const FILES = 8;
const SIZE = 256 * 1024 ** 2;
const ROUNDS = 5;

interface Timing {
  wallMs: number;
  /** CPU time of the whole process (all threads) per wall second: how many cores the run actually got. */
  cores: number;
}

async function timeWith(workers: number, paths: string[]): Promise<Timing> {
  const pool = new HashPool({ workers });
  try {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const result = await hashFiles({ paths, pool });
    if (result.hashed !== paths.length) throw new Error(`${result.failed} files failed`);
    const wallMs = performance.now() - start;
    const used = process.cpuUsage(cpu);
    return { wallMs, cores: (used.user + used.system) / 1000 / wallMs };
  } finally {
    await pool.close();
  }
}

const best = (a: Timing | undefined, b: Timing) => (a === undefined || b.wallMs < a.wallMs ? b : a);

await withScratchDir('hash-pool', async (dir) => {
  const paths = Array.from({ length: FILES }, (_, i) => join(dir, `m${i}.safetensors`));
  for (const path of paths) await fillFile(path, SIZE);
  await warmPageCache(paths);
  let one: Timing | undefined;
  let two: Timing | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    one = best(one, await timeWith(1, paths));
    two = best(two, await timeWith(2, paths));
  }
  if (!one || !two) throw new Error('no rounds');
  const ratio = one.wallMs / two.wallMs;
  const load = loadavg()[0]?.toFixed(1) ?? '?';
  process.stdout.write(
    `HashPool 8 x 256 MiB: 2 workers ${ratio.toFixed(2)}x of 1 worker (best of ${ROUNDS}: ${seconds(two.wallMs)} vs ${seconds(one.wallMs)}; ` +
      `cores used ${two.cores.toFixed(2)} vs ${one.cores.toFixed(2)} of ${availableParallelism()}, load average ${load}; bar >= 1.7x: ${ratio >= 1.7 ? 'met' : 'NOT met'})\n`,
  );
});
