// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { extractRequirements } from '../../shared/workflow/extract-requirements';
import { captureRequirements, workflowKey } from '../../extension/workflow-identity';
import { reserialize, sampleWorkflow } from './sample-workflow';

describe('requirement extraction as the extension uses it', () => {
  it('reads dependencies, top-level models, node models and loader widgets of the raw workflow', () => {
    const { requirements } = extractRequirements(sampleWorkflow());
    const byName = Object.fromEntries(requirements.map((r) => [`${r.category}/${r.filename}`, r]));
    expect(Object.keys(byName).sort()).toEqual([
      'checkpoints/sd_xl_base_1.0.safetensors',
      'diffusion_models/flux1-dev.safetensors',
      'vae/sdxl_vae.safetensors',
    ]);
    expect(byName['checkpoints/sd_xl_base_1.0.safetensors']).toMatchObject({
      size: 6938078334,
      displayName: 'Stable Diffusion XL Base 1.0',
    });
    expect(byName['diffusion_models/flux1-dev.safetensors'].sha256).toBe('b'.repeat(64));
    expect(byName['vae/sdxl_vae.safetensors'].urls).toEqual([
      'https://huggingface.co/stabilityai/sdxl-vae/resolve/main/sdxl_vae.safetensors',
    ]);
  });

  it('a re-serialized workflow loses its top-level lists: that is why they are captured', () => {
    const lost = extractRequirements(reserialize(sampleWorkflow())).requirements;
    expect(lost.map((r) => r.filename)).not.toContain('flux1-dev.safetensors');
    expect(lost.find((r) => r.filename === 'sd_xl_base_1.0.safetensors')?.urls).toEqual([]);
  });
});

describe('captureRequirements', () => {
  it('copies the top-level models and dependencies into extra.dependencies, keeping the rest of extra', () => {
    const workflow = sampleWorkflow();
    expect(captureRequirements(workflow, extractRequirements)).toBe(true);
    expect(workflow.extra).toMatchObject({
      ds: { scale: 1, offset: [0, 0] },
      dependencies: {
        checkpoints: [
          {
            filename: 'sd_xl_base_1.0.safetensors',
            sha256: '31e35c80fc4829d14f90153f4c74cd59c90b779f6afe05a74cd6120b893f7e5b',
            size: 6938078334,
            display_name: 'Stable Diffusion XL Base 1.0',
          },
        ],
        diffusion_models: [
          {
            filename: 'flux1-dev.safetensors',
            sha256: 'b'.repeat(64),
            urls: ['https://huggingface.co/black-forest-labs/FLUX.1-dev/resolve/main/flux1-dev.safetensors'],
          },
        ],
      },
    });
  });

  it('makes the requirement list survive re-serialization, with the same workflow key', () => {
    const workflow = sampleWorkflow();
    const first = extractRequirements(workflow).requirements;
    captureRequirements(workflow, extractRequirements);
    const again = extractRequirements(reserialize(workflow)).requirements;
    const view = (list: typeof first) =>
      list
        .map((r) => ({ c: r.category, f: r.filename, s: r.sha256, size: r.size, urls: r.urls }))
        .sort((a, b) => a.f.localeCompare(b.f));
    expect(view(again)).toEqual(view(first));
    expect(workflowKey(reserialize(workflow), again)).toBe(workflowKey(workflow, first));
  });

  it('leaves a workflow alone when it already has extra.dependencies or nothing to lose', () => {
    const withExtra = sampleWorkflow();
    withExtra.extra = { dependencies: { vae: [] } };
    expect(captureRequirements(withExtra, extractRequirements)).toBe(false);
    expect(withExtra.extra).toEqual({ dependencies: { vae: [] } });
    const plain = reserialize(sampleWorkflow());
    expect(captureRequirements(plain, extractRequirements)).toBe(false);
    expect(plain.extra).toEqual({ ds: { scale: 1, offset: [0, 0] } });
  });
});

describe('workflowKey', () => {
  it('differs between workflows and when the needed models change', () => {
    const a = sampleWorkflow('id-a');
    const b = sampleWorkflow('id-b');
    const reqs = extractRequirements(a).requirements;
    expect(workflowKey(a, reqs)).not.toBe(workflowKey(b, reqs));
    expect(workflowKey(a, reqs)).not.toBe(workflowKey(a, reqs.slice(1)));
    expect(workflowKey(a, [...reqs].reverse())).toBe(workflowKey(a, reqs));
  });
});
