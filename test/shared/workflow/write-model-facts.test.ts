import { describe, expect, it } from 'vitest';
import { writeModelFacts } from '../../../shared/workflow/write-model-facts';

const SHA = 'ab'.repeat(32);
const URL = 'https://huggingface.co/org/repo/resolve/main/detail.safetensors';

describe('writeModelFacts', () => {
  it('adds a top-level models entry for a model named only in a loader widget, with the URL it was given', () => {
    const workflow = { nodes: [{ id: 1, type: 'LoraLoader', widgets_values: ['detail.safetensors'] }] };
    const { workflow: out, places } = writeModelFacts(workflow, [
      { category: 'loras', filename: 'detail.safetensors', sha256: SHA, url: URL, status: 'present' },
    ]);
    expect(out).toEqual({
      ...workflow,
      models: [{ name: 'detail.safetensors', url: URL, hash: SHA, hash_type: 'SHA256', directory: 'loras' }],
    });
    expect(places.get('loras/detail.safetensors')).toEqual(['models[0]']);
    expect(workflow).not.toHaveProperty('models');
  });

  it('keeps a hash of another kind, matches legacy folder names and subfolder picks, and fills a missing url', () => {
    const workflow = {
      models: [
        { name: 'a.safetensors', directory: 'checkpoints', hash: 'ff'.repeat(32), hash_type: 'BLAKE3' },
        { name: 'dev.safetensors', directory: 'unet' },
      ],
      nodes: [
        { id: 2, properties: { models: [{ name: 'dev.safetensors', url: URL, directory: 'diffusion_models' }] } },
      ],
    };
    const { workflow: out } = writeModelFacts(workflow, [
      { category: 'checkpoints', filename: 'a.safetensors', sha256: SHA, status: 'present' },
      { category: 'diffusion_models', filename: 'flux/dev.safetensors', sha256: SHA, url: URL, status: 'linkable' },
    ]);
    expect(out).toEqual({
      models: [
        workflow.models[0],
        { name: 'dev.safetensors', directory: 'unet', hash: SHA, hash_type: 'SHA256', url: URL },
      ],
      nodes: [
        {
          id: 2,
          properties: {
            models: [
              { name: 'dev.safetensors', url: URL, directory: 'diffusion_models', hash: SHA, hash_type: 'SHA256' },
            ],
          },
        },
      ],
    });
  });
});
