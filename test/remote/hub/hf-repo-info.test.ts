import { describe, expect } from 'vitest';
import { hfRepoInfo } from '../../../sidecar/remote/hub/hf-repo-info';
import { test } from '../../fake-hub/fake-hub-fixture';

describe('hfRepoInfo', () => {
  test('gives the commit, gating and every sibling with size and lowercase SHA-256', async ({ hub }) => {
    hub.addRepo({
      id: 'org/m',
      gated: 'manual',
      files: [
        { path: 'm.safetensors', size: 300 },
        { path: 'README.md', content: '# hi' },
      ],
    });
    const info = await hfRepoInfo({ repoId: 'org/m', hubUrl: hub.hfUrl, revision: 'main' });
    expect(info).toMatchObject({ id: 'org/m', sha: hub.commitOf('org/m'), gated: 'manual', private: false });
    expect(info.siblings).toEqual([
      {
        rfilename: 'm.safetensors',
        size: 300,
        blobId: expect.any(String),
        lfs: { sha256: await hub.sha256Of({ repoId: 'org/m', path: 'm.safetensors' }), size: 300 },
      },
      { rfilename: 'README.md', size: 4, blobId: expect.any(String) },
    ]);
  });

  test('a private repository without a token is AUTH_REQUIRED', async ({ hub }) => {
    hub.addRepo({ id: 'org/p', private: true, files: [{ path: 'a.json', content: '{}' }] });
    await expect(hfRepoInfo({ repoId: 'org/p', hubUrl: hub.hfUrl })).rejects.toMatchObject({ code: 'AUTH_REQUIRED' });
  });
});
