import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { openRegistry } from '../../../sidecar/registry/open-registry';
import { annotateWorkflow } from '../../../sidecar/services/annotate/annotate-workflow';
import { openDepot } from '../../../sidecar/services/depot/open-depot';
import { put, sha256Of } from '../../disk/model-tree-fixture';
import { test } from '../../disk/temp-dir-test';

const URL = 'https://huggingface.co/org/loras/resolve/main/detail.safetensors';

describe('annotateWorkflow', () => {
  test('takes the URL the registry recorded for a model the workflow names only in a loader widget', async ({
    dir,
  }) => {
    const modelsRoot = join(dir, 'models');
    const bytes = Buffer.from('a lora downloaded earlier');
    const file = join(modelsRoot, 'loras', 'detail.safetensors');
    await put(file, bytes);
    const registry = await openRegistry({ modelsRoot });
    await registry.upsertModel({ sha256: sha256Of(bytes), size: bytes.length, category: 'loras', source: URL });
    await registry.addFile({ path: file, sha256: sha256Of(bytes), kind: 'file' });
    await registry.close();

    const workflow = { nodes: [{ id: 1, type: 'LoraLoader', mode: 0, widgets_values: ['detail.safetensors', 1, 1] }] };
    const depot = await openDepot({ modelsRoot, readOnly: true });
    try {
      const result = await annotateWorkflow({ workflow, depot });
      expect(result.workflow).toEqual({
        ...workflow,
        models: [
          { name: 'detail.safetensors', url: URL, hash: sha256Of(bytes), hash_type: 'SHA256', directory: 'loras' },
        ],
      });
      expect(result.models).toEqual([expect.objectContaining({ status: 'present', places: ['models[0]'] })]);
    } finally {
      await depot.close();
    }
  });
});
