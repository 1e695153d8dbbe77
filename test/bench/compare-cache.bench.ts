/**
 * bench: `compare` metadata mode on a folder of 5,000 ComfyUI-Lora-Manager JSON files (~2.5 KB each), against a
 * fake-hub repository of 5,000 files (5 tree pages). Prints the time of a run answered by the metadata cache as a
 * ratio of a run without it, for the local scan alone and for the whole
 * comparison (the tree listing over loopback included). Medians of 5 runs each; the OS page cache is warm for both.
 * Run: `flock /tmp/bench.lock node --import tsx test/bench/compare-cache.bench.ts`
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createFakeHub } from '../fake-hub/create-fake-hub';
import { hfListTree } from '../../sidecar/remote/hub/hf-list-tree';
import { clearCompareCaches } from '../../sidecar/services/compare/compare-cache-file';
import { createCompareFilter } from '../../sidecar/services/compare/compare-filter';
import { compareRepository } from '../../sidecar/services/compare/compare-repository';
import { readLocalMetadata } from '../../sidecar/services/compare/read-local-metadata';

const FILES = 5_000;
const ROUNDS = 5;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

async function writeMetadata(dir: string): Promise<void> {
  // Lora-Manager files carry the Civitai description and image lists: a few KB each.
  const filler = 'x'.repeat(2_000);
  for (let i = 0; i < FILES; i += 250) {
    await Promise.all(
      Array.from({ length: 250 }, async (_, k) => {
        const n = i + k;
        const file = path.join(dir, `group-${n % 20}`, `lora-${n}.metadata.json`);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(
          file,
          JSON.stringify({
            file_name: `lora-${n}`,
            model_name: `Lora ${n}`,
            file_path: `H:/AI/loras/lora-${n}.safetensors`,
            size: 1000 + n,
            sha256: sha(`model ${n}`),
            base_model: 'Flux.1 D',
            civitai: { description: filler },
          }),
        );
      }),
    );
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'md-bench-compare-'));
const hub = await createFakeHub();
try {
  await writeMetadata(dir);
  hub.addRepo({
    id: 'bench/loras',
    files: Array.from({ length: FILES }, (_, n) => ({
      path: `loras/lora-${n}.safetensors`,
      content: `model ${n}`,
      lfs: true,
    })),
  });
  const scan = () => readLocalMetadata({ localDir: dir });
  const compare = () =>
    compareRepository({
      repoId: 'bench/loras',
      repoType: 'model',
      revision: 'main',
      path: null,
      file: null,
      hubUrl: hub.hfUrl,
      listTree: hfListTree,
      localDir: dir,
      readLocal: scan,
      filter: createCompareFilter({}),
      pattern: null,
      safetensorsOnly: false,
    });

  const cold: number[] = [];
  const warm: number[] = [];
  const coldCompare: number[] = [];
  const warmCompare: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await clearCompareCaches(dir);
    cold.push(await time(scan));
    warm.push(await time(scan));
    await clearCompareCaches(dir);
    coldCompare.push(await time(compare));
    warmCompare.push(await time(compare));
  }
  const [c, w, cc, wc] = [median(cold), median(warm), median(coldCompare), median(warmCompare)];
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  console.log(
    `compare metadata scan, cached second run: ${(w / c).toFixed(2)}x of the first (${FILES} JSON files: ${ms(c)} -> ${ms(w)})`,
  );
  console.log(
    `compare whole run, cached second run: ${(wc / cc).toFixed(2)}x of the first (${ms(cc)} -> ${ms(wc)}, tree listing of ${FILES} files included)`,
  );
} finally {
  await hub.close();
  await rm(dir, { recursive: true, force: true });
}
