import { describe, expect } from 'vitest';
import { test } from '../../fake-hub/fake-hub-fixture';
import { hfRepoRequirements } from '../../../sidecar/services/compare/hf-repo-requirements';
import { dependenciesSection } from '../../../shared/workflow/dependencies-section';
import { extractRequirements } from '../../../shared/workflow/extract-requirements';

describe('hfRepoRequirements', () => {
  test('lists the model files of a repository with their folder, SHA-256, size and real-host URL', async ({ hub }) => {
    hub.addRepo({
      id: 'org/flux',
      files: [
        { path: 'split_files/vae/ae.safetensors', size: 2048 },
        { path: 'split_files/unet/flux1-dev.safetensors', size: 4096 },
        { path: 'flux1-schnell.safetensors', size: 1024 },
        { path: 'README.md', content: '# flux' },
      ],
    });
    const requirements = await hfRepoRequirements({
      repoId: 'org/flux',
      hubUrl: hub.hfUrl,
      defaultCategory: 'checkpoints',
    });
    expect(requirements.map((r) => [r.category, r.filename])).toEqual(
      expect.arrayContaining([
        ['vae', 'ae.safetensors'],
        ['diffusion_models', 'flux1-dev.safetensors'],
        ['checkpoints', 'flux1-schnell.safetensors'],
      ]),
    );
    expect(requirements).toHaveLength(3);
    const vae = requirements.find((r) => r.filename === 'ae.safetensors');
    expect(vae?.sha256).toBe(await hub.sha256Of({ repoId: 'org/flux', path: 'split_files/vae/ae.safetensors' }));
    expect(vae?.size).toBe(2048);
    expect(vae?.urls).toEqual(['https://huggingface.co/org/flux/resolve/main/split_files/vae/ae.safetensors']);
  });

  test('round-trips through a dependencies section that every check accepts', async ({ hub }) => {
    hub.addRepo({ id: 'org/one', files: [{ path: 'loras/style.safetensors', size: 512 }] });
    const requirements = await hfRepoRequirements({ repoId: 'org/one', hubUrl: hub.hfUrl });
    const { requirements: extracted, invalid } = extractRequirements(dependenciesSection(requirements));
    expect(invalid).toEqual([]);
    expect(extracted).toEqual([
      expect.objectContaining({
        category: 'loras',
        filename: 'style.safetensors',
        sha256: requirements[0]?.sha256,
        size: 512,
      }),
    ]);
  });
});
