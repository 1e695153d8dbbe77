import { describe, expect } from 'vitest';
import { parseCatalog } from '../../../sidecar/services/catalog/parse-catalog';
import { test } from '../install-depot-fixture';

/** A UI-format workflow whose loader names a checkpoint with no URL anywhere, as ComfyUI's examples do. */
const WORKFLOW = {
  nodes: [{ id: 1, type: 'CheckpointLoaderSimple', mode: 0, widgets_values: ['known.safetensors'] }],
};

describe('a depot with catalogs of its own', () => {
  test('answers a check that brings no catalogs (the extension’s) with the catalog’s URL', async ({
    hub,
    openDepot,
  }) => {
    hub.addRepo({ id: 'org/known', files: [{ path: 'known.safetensors', size: 4096 }] });
    const catalog = parseCatalog(
      JSON.stringify({
        models: [
          {
            name: 'Known checkpoint',
            type: 'checkpoints',
            base: 'SD1.5',
            save_path: 'default',
            filename: 'known.safetensors',
            url: 'https://huggingface.co/org/known/resolve/main/known.safetensors',
          },
        ],
      }),
      'manager',
      'model-list.json',
    );
    const depot = await openDepot({ catalogs: [catalog] });
    const [item] = (await depot.check(WORKFLOW)).items;
    expect(item).toMatchObject({ status: 'missing', url: expect.stringContaining('/org/known/') });
    expect(JSON.stringify(item)).toContain('catalog');

    const without = await openDepot({ modelsRoot: `${depot.modelsRoot}-other` });
    const [bare] = (await without.check(WORKFLOW)).items;
    expect(bare?.status).toBe('unavailable');
  });
});
