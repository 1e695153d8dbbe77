import { lstat, readFile, readlink, writeFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import type { CheckResult } from '../../shared/check-result';
import type { Job } from '../../shared/job';
import { httpRequest } from './http-request';
import { postJson, test } from './sidecar-fixture';

const REPO = 'stabilityai/stable-diffusion-xl-base-1.0';
const FILE = 'sd_xl_base_1.0.safetensors';
const SIZE = 3 * 1024 * 1024 + 17;

function seedWorkflow(filename: string, sha256: string, url: string) {
  return {
    workflow: {
      nodes: [],
      dependencies: {
        checkpoints: [{ filename, sha256, size: SIZE, urls: [url], display_name: 'SDXL base', required: true }],
      },
    },
  };
}

async function checkAndInstall(
  server: Parameters<typeof postJson>[0],
  depot: { settled(ids: string[]): Promise<Job[]> },
  workflow: unknown,
) {
  const check = await postJson(server, '/models/check-dependencies', workflow);
  expect(check.status, check.text).toBe(200);
  const result = check.json as CheckResult;
  const download = await postJson(server, '/models/download', { items: result.items.map((i) => i.requirement) });
  expect(download.status, download.text).toBe(202);
  const { jobs } = download.json as { jobs: Job[] };
  const settled = await depot.settled(jobs.map((j) => j.id));
  return { result, jobs: settled };
}

describe('install over HTTP', () => {
  test('installing B after A downloads 0 bytes and makes a relative symlink; stats give 1 model, 2 files', async ({
    hub,
    server,
    depot,
    modelsRoot,
  }) => {
    hub.addRepo({ id: REPO, files: [{ path: FILE, size: SIZE }] });
    const sha256 = await hub.sha256Of({ repoId: REPO, path: FILE });
    // The workflow keeps the real host; the depot fetches from HF_ENDPOINT (the fake hub).
    const url = `https://huggingface.co/${REPO}/resolve/main/${FILE}`;

    const a = await checkAndInstall(server, depot, seedWorkflow(FILE, sha256, url));
    expect(a.result.items[0]?.status).toBe('missing');
    expect(a.jobs[0]).toMatchObject({ state: 'complete', bytes: SIZE });
    const afterA = hub.bytesServed();
    expect(afterA).toBeGreaterThanOrEqual(SIZE);

    const b = await checkAndInstall(server, depot, seedWorkflow('sdxl-base-v1.safetensors', sha256, url));
    expect(b.result.items[0]?.status).toBe('linkable');
    expect(b.jobs[0]).toMatchObject({ state: 'linked', linkKind: 'symlink' });
    expect(hub.bytesServed()).toBe(afterA);

    const alias = path.join(modelsRoot, 'checkpoints', 'sdxl-base-v1.safetensors');
    expect((await lstat(alias)).isSymbolicLink()).toBe(true);
    expect(await readlink(alias)).toBe(FILE);

    const stats = await httpRequest(`${server.url}/models/stats`);
    expect(stats.json).toMatchObject({ model_count: 1, alias_count: 1 });
    const list = await httpRequest(`${server.url}/models`);
    expect(list.json).toMatchObject({
      models: [{ sha256, file_path: path.join(modelsRoot, 'checkpoints', FILE), aliases: [alias] }],
    });
    const again = await postJson(
      server,
      '/models/check-dependencies',
      seedWorkflow('sdxl-base-v1.safetensors', sha256, url),
    );
    expect((again.json as CheckResult).items[0]?.status).toBe('present');
  });

  test('a ComfyUI template (URL, no hash) whose model sits in a hub folder under another name links with 0 bytes', async ({
    hub,
    hubDir,
    dir,
    modelsRoot,
  }) => {
    const bytes = Buffer.alloc(2 * 1024 * 1024, 7);
    bytes.write('template model', 0);
    hub.addRepo({ id: 'Comfy-Org/flux1-dev', files: [{ path: 'flux1-dev-fp8.safetensors', content: bytes }] });
    await writeFile(path.join(hubDir, 'my-flux-copy.safetensors'), bytes);
    // The hub folder is indexed when the depot starts, so this test builds its own depot after writing the file.
    const { createDepot } = await import('../../sidecar/services/depot/create-depot');
    const { createServer } = await import('../../sidecar/server/create-server');
    const depot = await createDepot({
      modelsRoot,
      hubDirs: [hubDir],
      hfCacheDir: path.join(dir, 'hf-cache'),
      hfEndpoint: hub.hfUrl,
      allowLoopbackHosts: true,
      indexInBackground: false,
      hashWorkers: 1,
    });
    const server = await createServer({ depot, port: 0, version: 'test' });
    try {
      const workflow = {
        nodes: [
          {
            id: 4,
            type: 'CheckpointLoaderSimple',
            widgets_values: ['flux1-dev-fp8.safetensors'],
            properties: {
              models: [
                {
                  name: 'flux1-dev-fp8.safetensors',
                  url: hub.resolveUrl('Comfy-Org/flux1-dev', 'flux1-dev-fp8.safetensors'),
                  directory: 'checkpoints',
                },
              ],
            },
          },
        ],
      };
      hub.resetLog();
      const { result, jobs } = await checkAndInstall(server, depot, workflow);
      expect(result.items[0]).toMatchObject({ status: 'linkable', source: { kind: 'hub' } });
      expect(jobs[0]).toMatchObject({ state: 'linked' });
      expect(hub.bytesServed()).toBe(0);
      const placed = path.join(modelsRoot, 'checkpoints', 'flux1-dev-fp8.safetensors');
      expect((await readFile(placed)).equals(bytes)).toBe(true);
    } finally {
      await server.close();
      await depot.close();
    }
  });

  test('another file under the wanted name is a conflict and is never overwritten', async ({
    hub,
    server,
    depot,
    modelsRoot,
  }) => {
    hub.addRepo({ id: REPO, files: [{ path: FILE, size: SIZE }] });
    const sha256 = await hub.sha256Of({ repoId: REPO, path: FILE });
    const target = path.join(modelsRoot, 'checkpoints', FILE);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, 'my own different model');
    const { result, jobs } = await checkAndInstall(
      server,
      depot,
      seedWorkflow(FILE, sha256, hub.resolveUrl(REPO, FILE)),
    );
    expect(result.items[0]).toMatchObject({ status: 'conflict', reason: expect.stringMatching(/never overwritten/) });
    expect(jobs[0]).toMatchObject({ state: 'failed', error: { code: 'CONFLICT' } });
    expect(await readFile(target, 'utf8')).toBe('my own different model');
    expect(hub.bytesServed()).toBe(0);
  });
});

describe('malformed workflows', () => {
  test('each gets a clear 400 and the server keeps serving', async ({ server, modelsRoot }) => {
    const manyEntries = {
      dependencies: { loras: Array.from({ length: 10_000 }, (_, i) => ({ filename: `l${i}.safetensors`, urls: [] })) },
    };
    const cases: Array<[string, string | object]> = [
      ['not JSON', '{"nodes": [1, 2,'],
      ['a number', '42'],
      ['wrong types', { nodes: 'not a list', dependencies: 'nope' }],
      ['10 MB of junk', 'x'.repeat(10 * 1024 * 1024)],
      ['10,000 entries', manyEntries],
      [
        'hostile names',
        {
          dependencies: {
            checkpoints: [{ filename: '../../../etc/passwd.safetensors', urls: [] }],
            vae: [{ filename: '/abs/x.safetensors' }],
          },
        },
      ],
      [
        'hostile category',
        {
          models: [
            {
              name: 'x.safetensors',
              url: 'https://huggingface.co/a/b/resolve/main/x.safetensors',
              directory: '../../..',
            },
          ],
        },
      ],
    ];
    for (const [name, body] of cases) {
      const res = await postJson(server, '/models/check-dependencies', body);
      expect(res.status, `${name}: ${res.text.slice(0, 300)}`).toBe(400);
      expect(res.json, name).toMatchObject({ error: { code: 'BAD_INPUT', message: expect.any(String) } });
      expect(res.text, name).not.toMatch(/at .*\.ts:\d+/);
    }
    const download = await postJson(server, '/models/download', { items: [{ category: 'checkpoints' }] });
    expect(download.status).toBe(400);
    expect((await httpRequest(`${server.url}/health`)).status).toBe(200);
    expect(await readdir(modelsRoot)).toEqual(['.registry']);
  });
});
