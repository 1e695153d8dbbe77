/**
 * bench: hashFile on a 2 GiB file against `openssl dgst -sha256` on the same file (issue 2: bar >= 0.9x).
 * Page cache warmed for both, runs alternated, best of 3 each; the ratio is openssl's time / hashFile's time.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { hashFile } from '../../sidecar/disk/hashing/hash-file';
import { withScratchDir } from './hash-bench-scratch-dir';
import { fillFile } from './hash-bench-fill-file';
import { seconds, warmPageCache } from './hash-bench-warm';

const SIZE = 2 * 1024 ** 3;
const ROUNDS = 3;

await withScratchDir('hash-file', async (dir) => {
  const file = join(dir, 'model.safetensors');
  await fillFile(file, SIZE);
  await warmPageCache([file]);
  let best = { ours: Infinity, openssl: Infinity };
  let digests = { ours: '', openssl: '' };
  for (let round = 0; round < ROUNDS; round++) {
    let start = performance.now();
    const { stdout } = await promisify(execFile)('openssl', ['dgst', '-sha256', '-r', file]);
    best = { ...best, openssl: Math.min(best.openssl, performance.now() - start) };
    start = performance.now();
    const ours = await hashFile(file);
    best = { ...best, ours: Math.min(best.ours, performance.now() - start) };
    digests = { ours: ours.sha256, openssl: stdout.split(' ')[0] ?? '' };
  }
  if (digests.ours !== digests.openssl) throw new Error(`digests differ: ${digests.ours} vs ${digests.openssl}`);
  const ratio = best.openssl / best.ours;
  process.stdout.write(
    `hashFile 2 GiB: ${ratio.toFixed(2)}x of openssl dgst -sha256 (best of ${ROUNDS}: ${seconds(best.ours)} vs ${seconds(best.openssl)}; load average ${loadavg()[0]?.toFixed(1)}; bar >= 0.9x: ${ratio >= 0.9 ? 'met' : 'NOT met'})\n`,
  );
});
