import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { test } from '../fake-hub/fake-hub-fixture';
import { openMetadataCache } from '../../sidecar/remote/metadata-cache';
import { createRemoteLookup } from '../../sidecar/services/check-remote-lookup';

describe('createRemoteLookup', () => {
  test('gives the SHA-256 and size of an HF LFS file from the hub, for the real-host URL of a workflow', async ({ hub }) => {
    hub.addRepo({ id: 'Comfy-Org/flux1-dev', files: [{ path: 'flux1-dev.safetensors', size: 4096 }] });
    const sha256 = await hub.sha256Of({ repoId: 'Comfy-Org/flux1-dev', path: 'flux1-dev.safetensors' });
    const lookup = createRemoteLookup({ hfEndpoint: hub.hfUrl, civitaiEndpoint: hub.civitaiUrl });
    const facts = await lookup('https://huggingface.co/Comfy-Org/flux1-dev/resolve/main/flux1-dev.safetensors');
    expect(facts).toEqual({ sha256, size: 4096 });
    // Only a HEAD on the hub: no byte of the file was sent.
    expect(hub.bytesServed({ server: 'cdn' })).toBe(0);
  });

  test('says a token is needed for a gated file, and null for a file the repository does not have', async ({ hub }) => {
    hub.addRepo({ id: 'org/gated', gated: 'manual', files: [{ path: 'g.safetensors', size: 100 }] });
    hub.addRepo({ id: 'org/open', files: [{ path: 'o.safetensors', size: 100 }] });
    const lookup = createRemoteLookup({ hfEndpoint: hub.hfUrl });
    expect(await lookup('https://huggingface.co/org/gated/resolve/main/g.safetensors')).toEqual({ needsToken: true });
    expect(await lookup('https://huggingface.co/org/open/resolve/main/absent.safetensors')).toBeNull();
    expect(await lookup('https://example.com/x.safetensors')).toBeNull();
  });

  test('reads the SHA-256 of a Civitai download from the model-version API', async ({ hub }) => {
    hub.addCivitaiVersion({ id: 135867, files: [{ name: 'detail.safetensors', size: 2048 }, { name: 'detail-pruned.safetensors', size: 1024, sizeLabel: 'pruned', type: 'Pruned Model' }] });
    const full = await hub.sha256Of({ versionId: 135867, name: 'detail.safetensors' });
    const lookup = createRemoteLookup({ civitaiEndpoint: hub.civitaiUrl });
    expect(await lookup('https://civitai.com/api/download/models/135867')).toEqual({ sha256: full });
  });

  test('asks the host once: the metadata cache answers the next check', async ({ hub }) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'depot-lookup-'));
    try {
      hub.addRepo({ id: 'org/repo', files: [{ path: 'x.safetensors', size: 10 }] });
      const cache = await openMetadataCache({ modelsRoot: dir });
      const lookup = createRemoteLookup({ hfEndpoint: hub.hfUrl, cache });
      const url = 'https://huggingface.co/org/repo/resolve/main/x.safetensors';
      const first = await lookup(url);
      const asked = hub.requests.length;
      const again = createRemoteLookup({ hfEndpoint: hub.hfUrl, cache: await openMetadataCache({ modelsRoot: dir }) });
      expect(await again(url)).toEqual(first);
      expect(hub.requests.length).toBe(asked);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
