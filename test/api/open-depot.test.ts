import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect } from 'vitest';
import type { Job } from '../../shared/job';
import { openDepot } from '../../sidecar/api/index';
import { test as hubTest } from '../fake-hub/fake-hub-fixture';

const test = hubTest.extend<{ modelsRoot: string }>({
  // eslint-disable-next-line no-empty-pattern
  modelsRoot: async ({}, use) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'md-api-'));
    await use(path.join(dir, 'models'));
    await rm(dir, { recursive: true, force: true });
  },
});

const SIZE = 3 * 1024 * 1024;

describe('openDepot (the library)', () => {
  test('installs from a hub and hands each change of its own jobs to onProgress, the last one final', async ({
    hub,
    modelsRoot,
  }) => {
    hub.addRepo({ id: 'org/public', files: [{ path: 'detail.safetensors', size: SIZE }] });
    const sha256 = await hub.sha256Of({ repoId: 'org/public', path: 'detail.safetensors' });
    const depot = await openDepot({ modelsRoot, hfEndpoint: hub.hfUrl, civitaiEndpoint: hub.civitaiUrl });
    try {
      const seen: Job[] = [];
      const jobs = await depot.install(
        [
          {
            category: 'loras',
            filename: 'detail.safetensors',
            sha256,
            size: SIZE,
            urls: ['https://huggingface.co/org/public/resolve/main/detail.safetensors'],
            origin: 'dependencies',
          },
        ],
        { onProgress: (job) => seen.push(job) },
      );
      const [done] = await depot.settled(jobs.map((job) => job.id));
      expect(done).toMatchObject({ state: 'complete', bytes: SIZE });
      expect(new Set(seen.map((job) => job.id))).toEqual(new Set([done?.id]));
      expect(seen.at(-1)).toMatchObject({ state: 'complete', bytes: SIZE });
      expect((await stat(path.join(modelsRoot, 'loras', 'detail.safetensors'))).size).toBe(SIZE);
      expect(depot.stats().model_count).toBe(1);
    } finally {
      await depot.close();
    }

    const reader = await openDepot({ modelsRoot, readOnly: true });
    try {
      expect(reader.list()).toHaveLength(1);
      const workflow = {
        dependencies: { loras: [{ filename: 'detail.safetensors', sha256, size: SIZE, urls: [] }] },
      };
      const result = await reader.check(workflow, { remote: false });
      expect(result.items.map((item) => item.status)).toEqual(['present']);
    } finally {
      await reader.close();
    }
  });

  test('a read-only depot answers beside the whole one, which holds the lock', async ({ modelsRoot }) => {
    const depot = await openDepot({ modelsRoot });
    try {
      await expect(openDepot({ modelsRoot })).rejects.toMatchObject({ code: 'REGISTRY_LOCKED' });
      const reader = await openDepot({ modelsRoot, readOnly: true });
      expect(reader.stats()).toEqual({ model_count: 0, alias_count: 0, total_size_gb: 0 });
      await reader.close();
    } finally {
      await depot.close();
    }
  });
});
