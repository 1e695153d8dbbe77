import { lstat, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { checkWanGpModels } from '../../../sidecar/services/wangp/check-wangp-models';
import { readWanGpModels } from '../../../sidecar/services/wangp/read-wangp-models';
import { selectWanGpModels } from '../../../sidecar/services/wangp/select-wangp-models';
import { wanGpCheckInput } from '../../../sidecar/services/wangp/wangp-check-input';
import { createDepot, type Depot } from '../../../sidecar/services/depot/create-depot';
import { test as hubTest } from '../../fake-hub/fake-hub-fixture';
import { depotErrorOf } from '../../shared/depot-error-of';
import { fakeHubDepotOptions } from '../fake-hub-depot-options';
import { WANGP_FILES, writeWanGpHubLayout, type WanGpHubLayout } from './wangp-hub-layout';

/** A fake hub and a fresh temporary folder per test. */
const test = hubTest.extend<{ dir: string }>({
  dir: async ({}, use) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'md-wangp-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
});

async function openWanGpDepot(layout: WanGpHubLayout, hub: Parameters<typeof fakeHubDepotOptions>[0]): Promise<Depot> {
  const depot = await createDepot({ ...fakeHubDepotOptions(hub), modelsRoot: layout.ckpts, hubDirs: [layout.hubDir] });
  await depot.indexed;
  return depot;
}

/** Installs every file of the named models, as `wangp install` does, and waits for the jobs. */
async function install(depot: Depot, directory: string, names: string[], quantization?: string) {
  const { catalog } = await readWanGpModels({ directory, ...(quantization === undefined ? {} : { quantization }) });
  const models = selectWanGpModels({ models: catalog.models, names });
  const plan = await depot.check(wanGpCheckInput(models));
  const jobs = await depot.install(plan.items.map((item) => item.requirement));
  return depot.settled(jobs.map((job) => job.id));
}

describe('checkWanGpModels', () => {
  test('reports each visible model with its chosen files, sizes from the hub and where they stand', async ({
    dir,
    hub,
  }) => {
    const layout = await writeWanGpHubLayout(dir, hub);
    const depot = await openWanGpDepot(layout, hub);
    try {
      const { catalog, problems } = await readWanGpModels({ directory: layout.ckpts });
      expect(problems).toEqual([]);
      const { models } = await checkWanGpModels({ models: catalog.models, check: (input) => depot.check(input) });
      expect(models.map((model) => model.id)).toEqual(['dragon', 'heron', 'lynx', 'twin']);
      const dragon = models.find((model) => model.id === 'dragon');
      expect(dragon).toMatchObject({
        name: 'Dragon 14B',
        config: 'defaults/dragon.json',
        architecture: 'dragon',
        status: 'missing',
        size: layout.bytes.dragonInt8.length,
        files: [
          {
            role: 'transformer',
            url: `https://huggingface.co/acme/Video/resolve/main/${WANGP_FILES.dragonInt8}`,
            destination: WANGP_FILES.dragonInt8,
            size: layout.bytes.dragonInt8.length,
            status: 'missing',
          },
        ],
      });
      const heron = models.find((model) => model.id === 'heron');
      expect(heron?.status).toBe('linkable');
      const lynx = models.find((model) => model.id === 'lynx');
      expect(lynx?.config).toBe('finetunes/lynx.json');
      expect(lynx?.files.map((file) => [file.role, file.destination])).toEqual([
        ['transformer', WANGP_FILES.lynx],
        ['text_encoder', `lynx_encoder/${WANGP_FILES.lynxEncoder}`],
      ]);
    } finally {
      await depot.close();
    }
  });

  test('installs the int8 file of a model in three quantizations into ckpts, and the bf16 one when asked', async ({
    dir,
    hub,
  }) => {
    const layout = await writeWanGpHubLayout(dir, hub);
    const depot = await openWanGpDepot(layout, hub);
    try {
      const jobs = await install(depot, layout.root, ['Dragon 14B']);
      expect(jobs.map((job) => [job.targetPath, job.state])).toEqual([[WANGP_FILES.dragonInt8, 'complete']]);
      expect(layout.sha256(await readFile(path.join(layout.ckpts, WANGP_FILES.dragonInt8)))).toBe(
        layout.sha256(layout.bytes.dragonInt8),
      );
      const bf16 = await install(depot, layout.root, ['dragon'], 'bf16');
      expect(bf16.map((job) => [job.targetPath, job.state])).toEqual([[WANGP_FILES.dragonBf16, 'complete']]);
      const files = (await readdir(layout.ckpts)).filter((name) => !name.startsWith('.')).sort();
      expect(files).toEqual([WANGP_FILES.dragonBf16, WANGP_FILES.dragonInt8].sort());
    } finally {
      await depot.close();
    }
  });

  test('downloads both transformers of a two-expert model and a text encoder into its ckpts subfolder', async ({
    dir,
    hub,
  }) => {
    const layout = await writeWanGpHubLayout(dir, hub);
    const depot = await openWanGpDepot(layout, hub);
    try {
      const jobs = await install(depot, layout.ckpts, ['twin', 'lynx']);
      expect(jobs.map((job) => [job.targetPath, job.state])).toEqual([
        [WANGP_FILES.twinHigh, 'complete'],
        [WANGP_FILES.twinLow, 'complete'],
        [WANGP_FILES.lynx, 'complete'],
        [`lynx_encoder/${WANGP_FILES.lynxEncoder}`, 'complete'],
      ]);
      for (const [name, bytes] of [
        [WANGP_FILES.twinHigh, layout.bytes.twinHigh],
        [WANGP_FILES.twinLow, layout.bytes.twinLow],
        [`lynx_encoder/${WANGP_FILES.lynxEncoder}`, layout.bytes.lynxEncoder],
      ] as const) {
        expect(layout.sha256(await readFile(path.join(layout.ckpts, name)))).toBe(layout.sha256(bytes));
      }
    } finally {
      await depot.close();
    }
  });

  test('links a file a hub folder already has and downloads nothing for it', async ({ dir, hub }) => {
    const layout = await writeWanGpHubLayout(dir, hub);
    const depot = await openWanGpDepot(layout, hub);
    try {
      const { catalog } = await readWanGpModels({ directory: layout.ckpts });
      const { result } = await checkWanGpModels({
        models: selectWanGpModels({ models: catalog.models, names: ['heron'] }),
        check: (input) => depot.check(input),
      });
      expect(result.summary).toMatchObject({ linkable: 1, bytesToDownload: 0 });
      const cdnBefore = hub.bytesServed({ server: 'cdn' });
      const jobs = await install(depot, layout.ckpts, ['heron']);
      expect(jobs.map((job) => job.state)).toEqual(['linked']);
      expect(hub.bytesServed({ server: 'cdn' })).toBe(cdnBefore);
      expect((await lstat(path.join(layout.ckpts, WANGP_FILES.heron))).isSymbolicLink()).toBe(true);
    } finally {
      await depot.close();
    }
  });
});

describe('selectWanGpModels', () => {
  test('does not find a default that a finetune hides', async ({ dir, hub }) => {
    const layout = await writeWanGpHubLayout(dir, hub);
    const { catalog } = await readWanGpModels({ directory: layout.root });
    expect(catalog.models.map((model) => model.name)).not.toContain('Ghost 1B');
    const error = await depotErrorOf(
      Promise.resolve().then(() => selectWanGpModels({ models: catalog.models, names: ['ghost'] })),
    );
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('"ghost"');
  });

  test('refuses a quantization WanGP does not have', async ({ dir, hub }) => {
    const layout = await writeWanGpHubLayout(dir, hub);
    const error = await depotErrorOf(readWanGpModels({ directory: layout.root, quantization: 'fp4' }));
    expect(error.code).toBe('BAD_INPUT');
  });
});
