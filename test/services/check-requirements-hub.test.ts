import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { extractRequirements } from '../../shared/extract-requirements';
import { fileIdentity } from '../../sidecar/disk/file-identity';
import { openRegistry } from '../../sidecar/registry/open-registry';
import { createHostPolicy } from '../../sidecar/remote/host-policy';
import { createRemoteLookup } from '../../sidecar/remote/lookup-remote-file';
import { checkRequirements } from '../../sidecar/services/check-requirements';
import { test } from '../fake-hub/fake-hub-fixture';

describe('checkRequirements with the host asked for hashes', () => {
  test('a template without hashes: HF and Civitai give the SHA-256, copies under other names are linkable, gated needs a token', async ({ hub }) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'depot-check-hub-'));
    const modelsRoot = path.join(dir, 'models');
    const registry = await openRegistry({ modelsRoot });
    try {
      hub.addRepo({ id: 'Comfy-Org/flux1-dev', files: [{ path: 'flux1-dev.safetensors', content: 'flux weights' }] });
      hub.addRepo({ id: 'org/gated', gated: 'manual', files: [{ path: 'g.safetensors', size: 64 }] });
      hub.addCivitaiVersion({ id: 135867, files: [{ name: 'detail.safetensors', content: 'lora weights' }] });
      for (const [name, content] of [['renamed-flux.safetensors', 'flux weights'], ['my-lora.safetensors', 'lora weights']] as const) {
        const file = path.join(dir, 'hub', name);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, content);
        const sha256 = name.includes('flux')
          ? await hub.sha256Of({ repoId: 'Comfy-Org/flux1-dev', path: 'flux1-dev.safetensors' })
          : await hub.sha256Of({ versionId: 135867 });
        await registry.addFile({ path: file, sha256, kind: 'hub', stat: fileIdentity(await stat(file)) });
      }
      const { requirements } = extractRequirements({
        nodes: [
          {
            id: 1,
            type: 'UNETLoader',
            widgets_values: ['flux1-dev.safetensors', 'default'],
            properties: { models: [{ name: 'flux1-dev.safetensors', url: 'https://huggingface.co/Comfy-Org/flux1-dev/resolve/main/flux1-dev.safetensors', directory: 'diffusion_models' }] },
          },
        ],
        models: [
          { name: 'detail.safetensors', url: 'https://civitai.com/api/download/models/135867', directory: 'loras' },
          { name: 'g.safetensors', url: 'https://huggingface.co/org/gated/resolve/main/g.safetensors', directory: 'vae' },
        ],
      });
      const endpoints = { hfEndpoint: hub.hfUrl, civitaiEndpoint: hub.civitaiUrl };
      const result = await checkRequirements({
        requirements,
        registry,
        modelsRoot,
        freeSpace: async () => 1e12,
        hostPolicy: createHostPolicy(endpoints),
        lookupRemote: createRemoteLookup({ ...endpoints, retry: { limit: 0 } }),
      });
      expect(result.items.map((i) => [i.targetPath, i.status, i.source?.kind, i.needsToken])).toEqual([
        ['loras/detail.safetensors', 'linkable', 'hub', false],
        ['vae/g.safetensors', 'missing', undefined, true],
        ['diffusion_models/flux1-dev.safetensors', 'linkable', 'hub', false],
      ]);
      expect(result.summary).toMatchObject({ linkable: 2, missing: 1, needsToken: true });
      expect(hub.bytesServed({ server: 'cdn' }) + hub.bytesServed({ server: 'storage' })).toBe(0);
    } finally {
      await registry.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
