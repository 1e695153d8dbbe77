import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { extractRequirements } from '../../shared/workflow/extract-requirements';
import type { Requirement } from '../../shared/requirement';
import { fileIdentity } from '../../sidecar/disk/hashing/file-identity';
import { openRegistry } from '../../sidecar/registry/open-registry';
import { createHostPolicy } from '../../sidecar/remote/host-policy';
import { createRemoteLookup } from '../../sidecar/remote/lookup/lookup-remote-file';
import { checkRequirements } from '../../sidecar/services/check/check-requirements';
import type { FakeHub } from '../fake-hub/create-fake-hub';
import { test } from '../fake-hub/fake-hub-fixture';

describe('checkRequirements with the host asked for hashes', () => {
  test('a template without hashes: HF and Civitai give the SHA-256, copies under other names are linkable, gated needs a token', async ({
    hub,
  }) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'depot-check-hub-'));
    const modelsRoot = path.join(dir, 'models');
    const registry = await openRegistry({ modelsRoot });
    try {
      hub.addRepo({ id: 'Comfy-Org/flux1-dev', files: [{ path: 'flux1-dev.safetensors', content: 'flux weights' }] });
      hub.addRepo({ id: 'org/gated', gated: 'manual', files: [{ path: 'g.safetensors', size: 64 }] });
      hub.addCivitaiVersion({ id: 135867, files: [{ name: 'detail.safetensors', content: 'lora weights' }] });
      for (const [name, content] of [
        ['renamed-flux.safetensors', 'flux weights'],
        ['my-lora.safetensors', 'lora weights'],
      ] as const) {
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
            properties: {
              models: [
                {
                  name: 'flux1-dev.safetensors',
                  url: 'https://huggingface.co/Comfy-Org/flux1-dev/resolve/main/flux1-dev.safetensors',
                  directory: 'diffusion_models',
                },
              ],
            },
          },
        ],
        models: [
          { name: 'detail.safetensors', url: 'https://civitai.com/api/download/models/135867', directory: 'loras' },
          {
            name: 'g.safetensors',
            url: 'https://huggingface.co/org/gated/resolve/main/g.safetensors',
            directory: 'vae',
          },
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

describe('checkRequirements when the host cannot give the repository', () => {
  /** Checks a workflow of the given HF file URLs (one per vae) against the fake hub, with or without a token. */
  async function checkUrls(hub: FakeHub, urls: string[], hfToken?: string) {
    const dir = await mkdtemp(path.join(tmpdir(), 'depot-check-repo-'));
    const modelsRoot = path.join(dir, 'models');
    const registry = await openRegistry({ modelsRoot });
    try {
      const requirements = urls.map(
        (url, i): Requirement => ({
          category: 'vae',
          filename: `v${i}.safetensors`,
          urls: [url],
          required: true,
          origin: 'models',
        }),
      );
      const endpoints = { hfEndpoint: hub.hfUrl, civitaiEndpoint: hub.civitaiUrl };
      return await checkRequirements({
        requirements,
        registry,
        modelsRoot,
        freeSpace: async () => 1e12,
        hostPolicy: createHostPolicy(endpoints),
        lookupRemote: createRemoteLookup({ ...endpoints, hfToken, retry: { limit: 0 } }),
      });
    } finally {
      await registry.close();
      await rm(dir, { recursive: true, force: true });
    }
  }

  const PRIVATE_URL = 'https://huggingface.co/org/private/resolve/main/p.safetensors';
  const MISSING_URL = 'https://huggingface.co/org/no-such-repo/resolve/main/m.safetensors';
  const REASON =
    /^vae\/v\d\.safetensors: the host answered that the repository of https:\/\/huggingface\.co\/org\/[a-z-]+\/resolve\/main\/[pm]\.safetensors does not exist, or that it is private and the HuggingFace token has no access to it \(HTTP 404\)\. Check the URL in the workflow; if the repository is private, use a token \(HF_TOKEN\) of an account that can see it, then check again\.$/;

  test('with a valid token lacking access to a private repository, or a repository that does not exist: unavailable NOT_FOUND, saying both and what to do', async ({
    hub,
  }) => {
    hub.addRepo({
      id: 'org/private',
      private: true,
      tokensWithAccess: ['hf_granted'],
      files: [{ path: 'p.safetensors', size: 64 }],
    });
    hub.addRepo({ id: 'org/public', files: [{ path: 'ok.safetensors', size: 64 }] });
    const result = await checkUrls(
      hub,
      [PRIVATE_URL, MISSING_URL, 'https://huggingface.co/org/public/resolve/main/ok.safetensors'],
      'hf_valid_without_grant',
    );
    expect(result.items.map((i) => [i.targetPath, i.status, i.code, i.needsToken])).toEqual([
      ['vae/v0.safetensors', 'unavailable', 'NOT_FOUND', false],
      ['vae/v1.safetensors', 'unavailable', 'NOT_FOUND', false],
      ['vae/v2.safetensors', 'missing', undefined, false],
    ]);
    for (const item of result.items.slice(0, 2)) {
      expect(item.reason).toMatch(REASON);
      expect(item.reason).not.toContain('hf_valid_without_grant');
      expect(item.url).toBeUndefined();
    }
    expect(result.items[2]).toMatchObject({
      size: 64,
      url: 'https://huggingface.co/org/public/resolve/main/ok.safetensors',
    });
    expect(result.summary).toMatchObject({ unavailable: 2, missing: 1, bytesToDownload: 64, needsToken: false });
    const heads = hub.requests.filter((r) => r.method === 'HEAD' && !r.path.includes('/org/public/'));
    expect(heads.map((r) => [r.status, r.hasAuthorization])).toEqual([
      [404, true],
      [404, true],
    ]);
  });

  test('the same repositories without a token: still downloadable, a token needed (the Hub answers 401)', async ({
    hub,
  }) => {
    hub.addRepo({
      id: 'org/private',
      private: true,
      tokensWithAccess: ['hf_granted'],
      files: [{ path: 'p.safetensors', size: 64 }],
    });
    const result = await checkUrls(hub, [PRIVATE_URL, MISSING_URL]);
    expect(result.items.map((i) => [i.status, i.code, i.needsToken])).toEqual([
      ['missing', undefined, true],
      ['missing', undefined, true],
    ]);
    expect(result.summary).toMatchObject({ missing: 2, unavailable: 0, needsToken: true });
  });

  test('with the token that has access: the private file is missing with its size, not unavailable', async ({
    hub,
  }) => {
    hub.addRepo({
      id: 'org/private',
      private: true,
      tokensWithAccess: ['hf_granted'],
      files: [{ path: 'p.safetensors', size: 64 }],
    });
    const result = await checkUrls(hub, [PRIVATE_URL], 'hf_granted');
    expect(result.items[0]).toMatchObject({ status: 'missing', size: 64, needsToken: false });
    expect(result.items[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test('a look-up the host fails (HTTP 503) leaves the item downloadable: the install will report', async ({ hub }) => {
    hub.setFault({ kind: 'fail', status: 503, server: 'hf' });
    const result = await checkUrls(hub, [MISSING_URL], 'hf_valid_without_grant');
    expect(result.items.map((i) => [i.status, i.code, i.size])).toEqual([['missing', undefined, undefined]]);
    expect(hub.requests.filter((r) => r.method === 'HEAD').map((r) => r.status)).toEqual([503]);
  });
});
