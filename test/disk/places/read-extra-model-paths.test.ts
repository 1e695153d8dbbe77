import { describe, expect } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readExtraModelPaths } from '../../../sidecar/disk/places/read-extra-model-paths';
import { test } from '../temp-dir-test';

describe('readExtraModelPaths', () => {
  test('resolves base_path (~ and $VARS), | blocks, relative paths, is_default first, and skips unknown folders', async ({
    dir,
  }) => {
    await writeFile(
      join(dir, 'extra_model_paths.yaml'),
      [
        'a111:',
        '  base_path: ~/sd-webui',
        '  checkpoints: models/Stable-diffusion',
        '  my_custom_nodes_folder: whatever',
        'comfyui:',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the YAML holds a literal ${KIND} for the reader to expand.
        '  base_path: $SHARED/${KIND}/',
        '  is_default: true',
        '  unet: /abs/unet',
        '  diffusion_models: |',
        '    models/diffusion_models',
        '    models/unet',
        '',
        'empty:',
        'relative:',
        '  base_path: ../other',
        '  vae: vae',
        '',
      ].join('\n'),
    );
    const dirs = await readExtraModelPaths({
      comfyuiDir: dir,
      env: { SHARED: '/srv', KIND: 'comfy' },
      homeDir: '/home/u',
    });
    expect(dirs.map(({ category, dir: d, isDefault }) => [category, d, isDefault])).toEqual([
      ['diffusion_models', '/abs/unet', true],
      ['diffusion_models', '/srv/comfy/models/diffusion_models', true],
      ['diffusion_models', '/srv/comfy/models/unet', true],
      ['checkpoints', '/home/u/sd-webui/models/Stable-diffusion', false],
      ['vae', join(dir, '..', 'other', 'vae'), false],
    ]);
  });

  test('gives [] without a file, and BAD_CONFIG naming the file for malformed YAML', async ({ dir }) => {
    expect(await readExtraModelPaths({ comfyuiDir: dir })).toEqual([]);
    await writeFile(join(dir, 'extra_model_paths.yaml'), 'comfyui:\n  checkpoints: [a, b]\n');
    await expect(readExtraModelPaths({ comfyuiDir: dir })).rejects.toMatchObject({
      code: 'BAD_CONFIG',
      message: expect.stringContaining('extra_model_paths.yaml'),
    });
    await writeFile(join(dir, 'extra_model_paths.yaml'), 'comfyui: [unclosed\n');
    await expect(readExtraModelPaths({ comfyuiDir: dir })).rejects.toMatchObject({ code: 'BAD_CONFIG' });
  });
});
