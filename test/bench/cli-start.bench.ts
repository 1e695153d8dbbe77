/**
 * bench: how fast the installed CLI answers, as a ratio of `node -e 0` measured in the same run (bar <= 2.5x, goal
 * 1.5x): `--version`, `stats` on an empty models root, and `check --no-remote` of a 3-model workflow
 * (test/fixtures/workflows/dependencies-top-level.json). The sidecar is built into a temporary folder laid out as
 * npm installs it (bin/ beside dist/, no sources, no node_modules). Runs are interleaved, medians compared; the CPU
 * ratio (user + system, read from /proc) is steadier than wall time on a busy machine. Every process gets a minimal
 * environment: NODE_EXTRA_CA_CERTS alone makes each Node start read a CA bundle, which would hide the difference.
 * The bin saves each command's V8 code cache on its first run (round -1 here, as a user's first run): the figures are
 * for the runs after it. An informative line per command gives the first run's own figure, the cache removed before
 * each of 5 runs.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const ROUNDS = 15;
const WORKFLOW = path.join(ROOT, 'test', 'fixtures', 'workflows', 'dependencies-top-level.json');

/** CPU time (ms) of this process's waited-for children so far, or undefined where /proc is not there. */
async function childrenCpuMs(): Promise<number | undefined> {
  const stat = await readFile('/proc/self/stat', 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (stat === undefined) return undefined;
  // Fields after the command name in parentheses; cutime and cstime are fields 16 and 17, in 1/100 s.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const dir = await mkdtemp(path.join(tmpdir(), 'md-cli-start-'));
try {
  const built = spawnSync(process.execPath, ['build.mjs', 'sidecar', '--out-dir', path.join(dir, 'dist')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
  await mkdir(path.join(dir, 'bin'));
  await copyFile(path.join(ROOT, 'bin', 'model-depot.cjs'), path.join(dir, 'bin', 'model-depot.cjs'));
  const bin = path.join(dir, 'bin', 'model-depot.cjs');
  const models = path.join(dir, 'models');
  const commands: Record<string, string[]> = {
    'node -e 0': ['-e', '0'],
    '--version': [bin, '--version'],
    stats: [bin, '--models', models, 'stats'],
    'check (3 models)': [bin, '--models', models, 'check', '--no-remote', WORKFLOW],
  };
  const env = { PATH: process.env.PATH ?? '', HOME: dir };
  const wall: Record<string, number[]> = {};
  const cpu: Record<string, number> = {};
  for (let round = -1; round < ROUNDS; round++) {
    for (const [name, args] of Object.entries(commands)) {
      const cpuBefore = await childrenCpuMs();
      const started = performance.now();
      const result = spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8' });
      const elapsed = performance.now() - started;
      const cpuAfter = await childrenCpuMs();
      if (result.status !== 0) throw new Error(`${name} exited ${result.status}: ${result.stderr}`);
      // Round -1 warms the page cache and is not counted.
      if (round < 0) continue;
      wall[name] = [...(wall[name] ?? []), elapsed];
      if (cpuBefore !== undefined && cpuAfter !== undefined) cpu[name] = (cpu[name] ?? 0) + cpuAfter - cpuBefore;
    }
  }
  // The first run of each command, with no code cache: the cache folder removed before each run.
  const cold: Record<string, number[]> = {};
  for (let round = 0; round < 5; round++) {
    for (const [name, args] of Object.entries(commands).slice(1)) {
      await rm(path.join(dir, 'dist', 'sidecar', 'code-cache'), { recursive: true, force: true });
      const started = performance.now();
      const result = spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8' });
      cold[name] = [...(cold[name] ?? []), performance.now() - started];
      if (result.status !== 0) throw new Error(`${name} exited ${result.status}: ${result.stderr}`);
    }
  }
  const baseWall = median(wall['node -e 0'] ?? []);
  const baseCpu = cpu['node -e 0'];
  for (const name of Object.keys(commands).slice(1)) {
    const ratio = median(wall[name] ?? []) / baseWall;
    const own = cpu[name];
    const cpuRatio = own !== undefined && baseCpu ? `, CPU ${(own / baseCpu).toFixed(2)}x` : '';
    process.stdout.write(
      `model-depot ${name}: ${ratio.toFixed(2)}x of node -e 0 (median of ${ROUNDS}: ${median(wall[name] ?? []).toFixed(0)} vs ${baseWall.toFixed(0)} ms${cpuRatio}; load average ${loadavg()[0]?.toFixed(1)}; bar <= 2.5x: ${ratio <= 2.5 ? 'met' : 'NOT met'}, goal 1.5x: ${ratio <= 1.5 ? 'met' : 'not met'})\n`,
    );
    const first = median(cold[name] ?? []);
    process.stdout.write(
      `model-depot ${name}, first run (no code cache yet): ${(first / baseWall).toFixed(2)}x of node -e 0 (median of 5: ${first.toFixed(0)} ms; informative)\n`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
