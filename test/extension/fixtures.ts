import type { CheckItem, CheckResult } from '../../shared/check-result';
import type { Job } from '../../shared/job';
import type { AuthRequiredMessage } from '../../shared/protocol';

const GB = 1_000_000_000;

export const SHA = {
  sdxl: '31e35c80fc4829d14f90153f4c74cd59c90b779f6afe05a74cd6120b893f7e5b',
  vae: '63aeecb90ff7bc1c115395962d3e803571385b61938377bc7089b36e81e92e2e',
  lora: 'a'.repeat(64),
  flux: 'b'.repeat(64),
};

/** A check answer with one item of each interesting kind: missing, gated, linkable, present, unavailable. */
export function sampleCheckResult(overrides: Partial<CheckResult['summary']> = {}): CheckResult {
  const items: CheckItem[] = [
    {
      requirement: {
        category: 'checkpoints',
        filename: 'sd_xl_base_1.0.safetensors',
        sha256: SHA.sdxl,
        size: 6_938_078_334,
        urls: [
          'https://huggingface.co/stabilityai/stable-diffusion-xl-base-1.0/resolve/main/sd_xl_base_1.0.safetensors',
        ],
        displayName: 'SDXL Base 1.0',
        required: true,
        origin: 'dependencies',
      },
      status: 'linkable',
      targetPath: 'checkpoints/sd_xl_base_1.0.safetensors',
      sha256: SHA.sdxl,
      size: 6_938_078_334,
      source: { path: '/data/hub/sdxl-base-v1.safetensors', kind: 'hub' },
      needsToken: false,
    },
    {
      requirement: {
        category: 'diffusion_models',
        filename: 'flux1-dev.safetensors',
        size: 2 * GB,
        urls: ['https://huggingface.co/black-forest-labs/FLUX.1-dev/resolve/main/flux1-dev.safetensors'],
        required: true,
        requiresAuth: true,
        origin: 'models',
      },
      status: 'missing',
      targetPath: 'diffusion_models/flux1-dev.safetensors',
      sha256: SHA.flux,
      size: 2 * GB,
      url: 'https://huggingface.co/black-forest-labs/FLUX.1-dev/resolve/main/flux1-dev.safetensors',
      provider: 'huggingface',
      needsToken: true,
    },
    {
      requirement: {
        category: 'loras',
        filename: 'detail.safetensors',
        size: 150_000_000,
        urls: ['https://civitai.com/api/download/models/12345'],
        required: true,
        origin: 'dependencies',
      },
      status: 'missing',
      targetPath: 'loras/detail.safetensors',
      sha256: SHA.lora,
      size: 150_000_000,
      url: 'https://civitai.com/api/download/models/12345',
      provider: 'civitai',
      needsToken: false,
    },
    {
      requirement: {
        category: 'vae',
        filename: 'sdxl_vae.safetensors',
        sha256: SHA.vae,
        size: 334_641_164,
        urls: [],
        required: true,
        origin: 'dependencies',
      },
      status: 'present',
      targetPath: 'vae/sdxl_vae.safetensors',
      sha256: SHA.vae,
      size: 334_641_164,
      needsToken: false,
    },
    {
      requirement: { category: 'upscale_models', filename: '4x_foo.pth', urls: [], required: true, origin: 'widget' },
      status: 'unavailable',
      targetPath: 'upscale_models/4x_foo.pth',
      needsToken: false,
      reason: 'Named by a node but not on disk, and the workflow gives no URL.',
    },
  ];
  return {
    items,
    summary: {
      total: 5,
      present: 1,
      linkable: 1,
      missing: 2,
      conflict: 0,
      unavailable: 1,
      bytesToDownload: 2 * GB + 150_000_000,
      bytesSavedByLinking: 6_938_078_334,
      freeBytes: 120 * GB,
      fits: true,
      needsToken: true,
      ...overrides,
    },
    invalid: [],
  };
}

export function allPresentResult(): CheckResult {
  const result = sampleCheckResult();
  const present = result.items.filter((item) => item.status === 'present');
  return {
    items: present,
    summary: {
      ...result.summary,
      total: 1,
      linkable: 0,
      missing: 0,
      unavailable: 0,
      bytesToDownload: 0,
      bytesSavedByLinking: 0,
      needsToken: false,
    },
    invalid: [],
  };
}

export function sampleJob(overrides: Partial<Job> = {}): Job {
  return {
    id: 'job-1',
    category: 'diffusion_models',
    filename: 'flux1-dev.safetensors',
    targetPath: 'diffusion_models/flux1-dev.safetensors',
    provider: 'huggingface',
    state: 'downloading',
    bytes: 500_000_000,
    total: 2_000_000_000,
    speed: 25_000_000,
    eta: 60,
    ...overrides,
  };
}

export function sampleAuthRequired(overrides: Partial<AuthRequiredMessage> = {}): AuthRequiredMessage {
  return {
    type: 'authRequired',
    provider: 'huggingface',
    jobIds: ['job-1'],
    filenames: ['flux1-dev.safetensors'],
    reason: 'missing',
    accessUrl: 'https://huggingface.co/black-forest-labs/FLUX.1-dev',
    tokenUrl: 'https://huggingface.co/settings/tokens',
    message: 'black-forest-labs/FLUX.1-dev is gated: a Hugging Face token with access is needed.',
    ...overrides,
  };
}
