import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { createRemoteLookup } from '../../../sidecar/remote/lookup/lookup-remote-file';
import { openMetadataCache } from '../../../sidecar/remote/lookup/metadata-cache';
import { test } from '../../fake-hub/fake-hub-fixture';

describe('createRemoteLookup', () => {
  test('answers a real-host HF URL through HF_ENDPOINT, once: the second look-up comes from the cache', async ({
    hub,
  }) => {
    hub.addRepo({ id: 'org/m', files: [{ path: 'm.safetensors', size: 4096 }] });
    const root = await mkdtemp(join(tmpdir(), 'lookup-'));
    try {
      const lookup = createRemoteLookup({
        hfEndpoint: hub.hfUrl,
        civitaiEndpoint: hub.civitaiUrl,
        cache: await openMetadataCache({ modelsRoot: root }),
      });
      const url = 'https://huggingface.co/org/m/resolve/main/m.safetensors';
      const sha256 = await hub.sha256Of({ repoId: 'org/m', path: 'm.safetensors' });
      expect(await lookup(url)).toMatchObject({ sha256, size: 4096 });
      expect(await lookup(url)).toMatchObject({ sha256, size: 4096 });
      expect(hub.requests).toHaveLength(1);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test("answers a Civitai download URL with the selected file's SHA-256 and name but no inexact size", async ({
    hub,
  }) => {
    hub.addCivitaiVersion({
      id: 5,
      files: [
        { name: 'full.safetensors', size: 3000 },
        { name: 'tiny.safetensors', size: 1000, sizeLabel: 'pruned', primary: false },
      ],
    });
    const lookup = createRemoteLookup({ hfEndpoint: hub.hfUrl, civitaiEndpoint: hub.civitaiUrl });
    const answer = await lookup('https://civitai.com/api/download/models/5?size=pruned');
    expect(answer).toEqual({
      sha256: await hub.sha256Of({ versionId: 5, name: 'tiny.safetensors' }),
      filename: 'tiny.safetensors',
    });
  });

  test('says a token is needed for a gated file, null for a missing one or another host', async ({ hub }) => {
    hub.addRepo({ id: 'org/g', gated: 'auto', files: [{ path: 'g.safetensors', size: 10 }] });
    const lookup = createRemoteLookup({ hfEndpoint: hub.hfUrl });
    expect(await lookup(`${hub.hfUrl}/org/g/resolve/main/g.safetensors`)).toEqual({ needsToken: true });
    hub.addRepo({ id: 'org/open', files: [{ path: 'a.json', content: '{}' }] });
    expect(await lookup(`${hub.hfUrl}/org/open/resolve/main/none.safetensors`)).toBeNull();
    expect(await lookup('https://example.com/x.safetensors')).toBeNull();
  });
});
