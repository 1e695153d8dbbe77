/**
 * Measures the registry's two costs that grow with its size, printed as ratios against a baseline measured in the
 * same run. Not a vitest file; run it alone (it must not overlap a bench):
 *   flock /tmp/bench.lock node --import tsx test/registry/measure-registry.ts
 *
 * - load: openRegistry (read-only) of 10,000 models + 5,000 aliases, against the bare readFile + JSON.parse of the
 *   same file; the first open of the process (cold: zod and the JIT not warmed) and the median of warm opens.
 * - write: one batch() of 1,000 upserts (one durable write of the whole file), against an unsynced temp + rename
 *   of the same text, on an empty registry and on the 10,000-model one.
 * - fsync: the durable write alone (DurableDataFile: temp fsynced, renamed, folder fsynced) of the 10,000-model file,
 *   against an unsynced temp + rename of the same text, alternated.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { zRegistryFile } from '../../sidecar/registry/registry-schema';
import { writeFileAtomic } from '../../sidecar/disk/write-file-atomic';
import { DurableDataFile } from '../../sidecar/registry/durable-data-file';
import { openRegistry } from '../../sidecar/registry/open-registry';

const MODELS = 10_000;
const UPSERTS = 1_000;
const ROUNDS = 7;

const sha = (prefix: number, i: number) => `${prefix.toString(16)}f${i.toString(16)}`.padStart(64, '0');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const ms = (value: number) => `${value.toFixed(1)} ms`;

async function fill(modelsRoot: string): Promise<void> {
  const registry = await openRegistry({ modelsRoot });
  await registry.batch(async () => {
    for (let i = 0; i < MODELS; i++) {
      const stat = { dev: 1, ino: i, size: 1_000_000 + i, mtimeMs: 1 };
      const file = path.join(modelsRoot, 'loras', `m${i}.safetensors`);
      await registry.addFile({ path: file, sha256: sha(1, i), kind: 'file', category: 'loras', stat });
      if (i % 2 === 0) {
        await registry.addFile({
          path: path.join(modelsRoot, 'loras', `alias${i}.safetensors`),
          sha256: sha(1, i),
          kind: 'symlink',
        });
      }
    }
  });
  await registry.close();
}

async function timeLoad(modelsRoot: string): Promise<number> {
  const started = performance.now();
  const registry = await openRegistry({ modelsRoot, readOnly: true });
  const elapsed = performance.now() - started;
  if (registry.stats().model_count !== MODELS) throw new Error('the registry did not load whole');
  await registry.close();
  return elapsed;
}

/** One batch of upserts; returns its time and the time of an unsynced temp + rename of the same file after it. */
async function timeUpserts(modelsRoot: string, round: number): Promise<{ batch: number; baseline: number }> {
  const registry = await openRegistry({ modelsRoot });
  const started = performance.now();
  await registry.batch(async () => {
    for (let i = 0; i < UPSERTS; i++) {
      await registry.upsertModel({ sha256: sha(100 + round, i), size: i, category: 'vae', source: `hub/v${i}` });
    }
  });
  const batch = performance.now() - started;
  await registry.close();
  const text = await readFile(path.join(modelsRoot, '.registry', 'models.json'), 'utf8');
  const baselineStarted = performance.now();
  await writeFileAtomic(path.join(modelsRoot, '.registry', 'baseline.json'), text);
  return { batch, baseline: performance.now() - baselineStarted };
}

const dir = await mkdtemp(path.join(tmpdir(), 'depot-measure-registry-'));
try {
  const big = path.join(dir, 'big');
  await fill(big);
  const file = path.join(big, '.registry', 'models.json');

  const cold = await timeLoad(big);
  const warm: number[] = [];
  const bare: number[] = [];
  const zod: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    warm.push(await timeLoad(big));
    const started = performance.now();
    const json: unknown = JSON.parse(await readFile(file, 'utf8'));
    bare.push(performance.now() - started);
    const parseStarted = performance.now();
    zRegistryFile.parse(json);
    zod.push(performance.now() - parseStarted);
  }
  const bareMs = median(bare);
  process.stdout.write(
    `registry load of ${MODELS.toLocaleString('en')} models + ${(MODELS / 2).toLocaleString('en')} aliases: ` +
      `cold ${(cold / bareMs).toFixed(2)}x, warm ${(median(warm) / bareMs).toFixed(2)}x of readFile + JSON.parse ` +
      `(cold ${ms(cold)}, warm median ${ms(median(warm))}, baseline ${ms(bareMs)}; of which zRegistryFile.parse warm ${ms(median(zod))})\n`,
  );

  // A fresh empty root per round; the big one grows by 1,000 models a round.
  for (const [name, rootOf] of [
    ['empty registry', (round: number) => path.join(dir, `small-${round}`)],
    [`${MODELS.toLocaleString('en')}-model registry`, () => big],
  ] as const) {
    const batches: number[] = [];
    const baselines: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { batch, baseline } = await timeUpserts(rootOf(round), round);
      batches.push(batch);
      baselines.push(baseline);
    }
    process.stdout.write(
      `registry batch() of ${UPSERTS.toLocaleString('en')} upserts on the ${name}: ` +
        `${(median(batches) / median(baselines)).toFixed(2)}x of an unsynced temp + rename of the same file ` +
        `(median ${ms(median(batches))}, baseline ${ms(median(baselines))})\n`,
    );
  }
  const text = await readFile(path.join(big, '.registry', 'models.json'), 'utf8');
  const durable = new DurableDataFile<string>(path.join(big, '.registry', 'durable.json'), {
    parse: String,
    stringify: String,
  });
  const synced: number[] = [];
  const unsynced: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let started = performance.now();
    await durable.write(text);
    synced.push(performance.now() - started);
    started = performance.now();
    await writeFileAtomic(path.join(big, '.registry', 'baseline.json'), text);
    unsynced.push(performance.now() - started);
  }
  process.stdout.write(
    `durable write of the ${(text.length / 1e6).toFixed(1)} MB registry file: ${(median(synced) / median(unsynced)).toFixed(2)}x of an ` +
      `unsynced temp + rename (median ${ms(median(synced))} vs ${ms(median(unsynced))})\n`,
  );
  process.stdout.write(`load average ${loadavg()[0]?.toFixed(1)}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
