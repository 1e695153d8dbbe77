/**
 * `npm run bench`: runs every test/bench/*.bench.ts in name order, each in its own `node --import tsx` process
 * (so one bench's heap, workers and page-cache warm-up do not skew the next), and passes their lines through.
 * Each bench prints ratios against a baseline measured in the same run, never a bare number.
 *
 * Benches on one machine must not overlap: each child runs under `flock /tmp/bench.lock` when flock exists, unless
 * BENCH_LOCK_HELD=1 says the caller already holds it. Arguments filter by file name: `npm run bench -- hash`.
 * Exit code 1 when a bench process fails.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const benches = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

const useFlock = process.env.BENCH_LOCK_HELD !== '1' && spawnSync('flock', ['--version']).status === 0;

function runOne(file: string): Promise<number> {
  const node = [process.execPath, '--import', 'tsx', join(benchDir, file)];
  const [command, ...args] = useFlock ? ['flock', '/tmp/bench.lock', ...node] : node;
  return new Promise((resolve) => {
    const child = spawn(command ?? process.execPath, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, BENCH_LOCK_HELD: '1' },
    });
    child.on('error', (error) => {
      process.stderr.write(`${file}: cannot start (${error.message})\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

let failures = 0;
process.stdout.write(`model-depot benches (${benches.length}): ${benches.join(', ')}\n`);
for (const file of benches) {
  const code = await runOne(file);
  if (code !== 0) {
    failures++;
    process.stdout.write(`${file}: FAILED (exit ${code})\n`);
  }
}
process.exitCode = failures === 0 ? 0 : 1;
