import { describe, expect } from 'vitest';
import { civitaiModelVersion } from '../../../sidecar/remote/hub/civitai-model-version';
import { test } from '../../fake-hub/fake-hub-fixture';

describe('civitaiModelVersion', () => {
  test("reads a version by id with each file's SHA-256 in lowercase", async ({ hub }) => {
    hub.addCivitaiVersion({
      id: 7,
      modelName: 'M',
      baseModel: 'Illustrious',
      files: [{ name: 'm.safetensors', size: 2048 }],
    });
    const version = await civitaiModelVersion({ versionId: 7, civitaiUrl: hub.civitaiUrl });
    expect(version).toMatchObject({ id: 7, baseModel: 'Illustrious', model: { name: 'M', type: 'Checkpoint' } });
    expect(version?.files[0]).toMatchObject({
      name: 'm.safetensors',
      sizeKB: 2,
      sha256: await hub.sha256Of({ versionId: 7 }),
    });
  });

  test('finds a version by an UPPERCASE hash, and answers null for an unknown one', async ({ hub }) => {
    hub.addCivitaiVersion({ id: 8, files: [{ name: 'x.safetensors', size: 100 }] });
    const sha256 = await hub.sha256Of({ versionId: 8 });
    expect((await civitaiModelVersion({ hash: sha256.toUpperCase(), civitaiUrl: hub.civitaiUrl, fetch }))?.id).toBe(8);
    expect(await civitaiModelVersion({ hash: 'f'.repeat(64), civitaiUrl: hub.civitaiUrl })).toBeNull();
    expect(await civitaiModelVersion({ versionId: 999, civitaiUrl: hub.civitaiUrl })).toBeNull();
  });

  test('retries a 429 from the edge and then answers', async ({ hub }) => {
    hub.addCivitaiVersion({ id: 9, files: [{ name: 'x.safetensors', size: 100 }] });
    hub.setFault({ kind: 'fail', status: 429, server: 'civitai', times: 1 });
    const waits: number[] = [];
    const version = await civitaiModelVersion({
      versionId: 9,
      civitaiUrl: hub.civitaiUrl,
      sleep: async (ms) => void waits.push(ms),
      retry: { noiseMs: 0 },
    });
    expect(version?.id).toBe(9);
    expect(waits).toEqual([1000]);
  });
});
