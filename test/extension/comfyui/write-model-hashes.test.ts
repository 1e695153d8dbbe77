// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckItem, CheckResult } from '../../../shared/check-result';
import type { Requirement } from '../../../shared/requirement';
import { extractRequirements } from '../../../shared/workflow/extract-requirements';
import { HASHES_COMMAND_ID } from '../../../extension/create-model-depot-extension';
import { SETTING_IDS } from '../../../extension/settings';
import { createFakeComfyApp } from '../fake-comfy-app';
import { registerExtension } from '../register-extension';
import { startFakeSidecar, until } from '../fake-sidecar';
import { SHA } from '../fixtures';

const VAE_URL = 'https://huggingface.co/stabilityai/sdxl-vae/resolve/main/sdxl_vae.safetensors';
const LORA_URL = 'https://civitai.com/api/download/models/12345';

/**
 * The open workflow as ComfyUI serializes it: a loader that names its checkpoint only in a widget, a VAE loader with
 * `properties.models` but no hash, and `extra.dependencies` with a LoRA (on disk) and a diffusion model (not).
 */
function openWorkflow(): Record<string, unknown> {
  return {
    id: 'hashes-workflow',
    nodes: [
      {
        id: 1,
        type: 'CheckpointLoaderSimple',
        mode: 0,
        properties: {},
        widgets_values: ['sd_xl_base_1.0.safetensors'],
      },
      {
        id: 2,
        type: 'VAELoader',
        mode: 0,
        properties: { models: [{ name: 'sdxl_vae.safetensors', url: VAE_URL, directory: 'vae' }] },
        widgets_values: ['sdxl_vae.safetensors'],
      },
    ],
    links: [],
    extra: {
      ds: { scale: 1, offset: [0, 0] },
      dependencies: {
        loras: [{ filename: 'detail.safetensors', urls: [LORA_URL] }],
        diffusion_models: [{ filename: 'flux1-dev.safetensors', urls: [] }],
      },
    },
    version: 0.4,
    models: null,
  };
}

function item(
  requirement: Partial<Requirement> & Pick<Requirement, 'category' | 'filename'>,
  rest: Partial<CheckItem>,
) {
  return {
    requirement: { urls: [], required: true, origin: 'dependencies' as const, ...requirement },
    status: 'present' as const,
    targetPath: `${requirement.category}/${requirement.filename}`,
    needsToken: false,
    ...rest,
  };
}

/** What the sidecar finds: the checkpoint and the LoRA present, the VAE linkable, the diffusion model missing. */
function checkResult(): CheckResult {
  const items: CheckItem[] = [
    item(
      { category: 'checkpoints', filename: 'sd_xl_base_1.0.safetensors', origin: 'widget' },
      { sha256: SHA.sdxl, url: 'https://huggingface.co/stabilityai/sdxl/resolve/main/sd_xl_base_1.0.safetensors' },
    ),
    item(
      { category: 'vae', filename: 'sdxl_vae.safetensors', urls: [VAE_URL], origin: 'models' },
      { status: 'linkable', sha256: SHA.vae, source: { path: '/data/hub/vae.safetensors', kind: 'hub' } },
    ),
    item({ category: 'loras', filename: 'detail.safetensors', urls: [LORA_URL] }, { sha256: SHA.lora }),
    item({ category: 'diffusion_models', filename: 'flux1-dev.safetensors' }, { status: 'missing', sha256: SHA.flux }),
  ];
  const count = (status: CheckItem['status']) => items.filter((i) => i.status === status).length;
  return {
    items,
    summary: {
      total: items.length,
      present: count('present'),
      linkable: count('linkable'),
      missing: count('missing'),
      conflict: 0,
      unavailable: 0,
      bytesToDownload: 0,
      bytesSavedByLinking: 0,
      freeBytes: 1e12,
      fits: true,
      needsToken: false,
    },
    invalid: [],
  };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  document.body.replaceChildren();
});

async function setup(result: () => CheckResult) {
  const sidecar = await startFakeSidecar({ checkResult: result });
  cleanups.push(() => sidecar.close());
  const comfy = createFakeComfyApp({ [SETTING_IDS.sidecarUrl]: sidecar.url, [SETTING_IDS.checkOnLoad]: false });
  const stop = registerExtension(comfy.app);
  await comfy.setup();
  cleanups.push(stop);
  await until(() => sidecar.connections() === 1, 'the connection');
  return { sidecar, comfy };
}

describe('the "Save with model hashes" command', () => {
  it('writes the SHA-256 and URL of each model on disk into the open workflow and marks it modified', async () => {
    const { comfy, sidecar } = await setup(checkResult);
    comfy.loadGraphData(openWorkflow());
    expect(comfy.isModified()).toBe(false);
    await comfy.runCommand(HASHES_COMMAND_ID);
    await until(() => comfy.toasts.some((t) => t.severity === 'success'), 'the success toast');

    const check = sidecar.received.find((m) => m.type === 'check');
    expect(check?.type === 'check' && check.workflow).toMatchObject({ id: 'hashes-workflow' });
    const saved = comfy.app.graph?.serialize?.();
    expect(saved).toMatchObject({
      nodes: [
        { id: 1, properties: {} },
        {
          id: 2,
          properties: {
            models: [
              { name: 'sdxl_vae.safetensors', url: VAE_URL, hash: SHA.vae, hash_type: 'SHA256', directory: 'vae' },
            ],
          },
        },
      ],
      extra: {
        ds: { scale: 1, offset: [0, 0] },
        dependencies: {
          loras: [{ filename: 'detail.safetensors', urls: [LORA_URL], sha256: SHA.lora }],
          // Not on this machine: nothing to vouch for.
          diffusion_models: [{ filename: 'flux1-dev.safetensors', urls: [] }],
          // Named only in a widget: an entry where ComfyUI keeps it across saves.
          checkpoints: [
            {
              filename: 'sd_xl_base_1.0.safetensors',
              urls: ['https://huggingface.co/stabilityai/sdxl/resolve/main/sd_xl_base_1.0.safetensors'],
              sha256: SHA.sdxl,
            },
          ],
        },
      },
      models: null,
    });
    expect(saved).not.toHaveProperty('extra.dependencies.diffusion_models.0.sha256');
    expect(comfy.isModified()).toBe(true);
    const toast = comfy.toasts.find((t) => t.severity === 'success');
    expect(toast?.summary).toBe('Model Depot: SHA-256 of 3 models written into this workflow');
    expect(toast?.detail).toBe('Save the workflow to keep them. 1 model is not on this machine and got no hash.');
    // What was written is what the next check reads.
    const { requirements } = extractRequirements(saved);
    expect(requirements.find((r) => r.filename === 'sd_xl_base_1.0.safetensors')?.sha256).toBe(SHA.sdxl);
  });

  it('writes nothing and says why when no model of the workflow is on this machine', async () => {
    const { comfy } = await setup(() => {
      const result = checkResult();
      return { ...result, items: result.items.map((i) => ({ ...i, status: 'missing' as const })) };
    });
    comfy.loadGraphData(openWorkflow());
    await comfy.runCommand(HASHES_COMMAND_ID);
    await until(() => comfy.toasts.length > 0, 'a toast');
    expect(comfy.toasts[0]).toMatchObject({
      severity: 'warn',
      summary: 'Model Depot: no hash written',
      detail: '4 models are not on this machine and got no hash.',
    });
    expect(comfy.app.graph?.serialize?.()).toEqual(openWorkflow());
    expect(comfy.isModified()).toBe(false);
  });

  it('says so when no workflow is open', async () => {
    const { comfy, sidecar } = await setup(checkResult);
    await comfy.runCommand(HASHES_COMMAND_ID);
    expect(comfy.toasts).toMatchObject([{ detail: 'No workflow is open.' }]);
    expect(sidecar.received.filter((m) => m.type === 'check')).toEqual([]);
  });
});
