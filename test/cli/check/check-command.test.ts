import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { zCheckResult } from '../../../shared/check-result';
import { fileIdentity } from '../../../sidecar/disk/hashing/file-identity';
import { openRegistry } from '../../../sidecar/registry/open-registry';
import { runCli } from '../run-cli';
import { test as hubTest } from '../../fake-hub/fake-hub-fixture';
import { test } from '../../disk/temp-dir-test';

const FIXTURES = fileURLToPath(new URL('../../fixtures/workflows/', import.meta.url));

function check(dir: string, args: string[], env: Record<string, string> = {}) {
  return runCli(['--models', path.join(dir, 'models'), ...args], {
    cwd: dir,
    env: { MODEL_DEPOT_CONFIG: path.join(dir, 'config.json'), ...env },
  });
}

async function writeJson(file: string, value: unknown): Promise<string> {
  await writeFile(file, JSON.stringify(value));
  return file;
}

/** A model file on disk, registered as the registry would after an install or migrate. */
async function placeModel(
  models: string,
  relative: string,
  content: string,
  kind: 'file' | 'hub' = 'file',
): Promise<string> {
  const file = path.isAbsolute(relative) ? relative : path.join(models, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  const sha256 = createHash('sha256').update(content).digest('hex');
  const registry = await openRegistry({ modelsRoot: models });
  await registry.addFile({ path: file, sha256, kind, stat: fileIdentity(await stat(file)) });
  await registry.close();
  return sha256;
}

describe('model-depot check', () => {
  test('--json gives the CheckResult of a workflow with a dependencies section: everything to download, exit 0', async ({
    dir,
  }) => {
    const run = await check(dir, ['--json', 'check', path.join(FIXTURES, 'dependencies-under-workflow.json')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = zCheckResult.parse(JSON.parse(run.stdout));
    expect(result.items.map((i) => [i.status, i.targetPath])).toEqual([
      ['missing', 'checkpoints/sd_xl_base_1.0.safetensors'],
      ['missing', 'loras/detail-tweaker-xl.safetensors'],
      ['missing', 'vae/sdxl_vae.safetensors'],
    ]);
    expect(result.summary).toMatchObject({
      missing: 3,
      bytesToDownload: 6938078334 + 228458168 + 334641164,
      needsToken: true,
    });
    expect(result.summary.freeBytes).toBeGreaterThan(0);
  });

  test('the same bytes under another name are linkable; the table says from where', async ({ dir }) => {
    const models = path.join(dir, 'models');
    const sha256 = await placeModel(models, 'checkpoints/sd_xl_base_1.0.safetensors', 'sdxl bytes');
    const workflow = await writeJson(path.join(dir, 'b.json'), {
      nodes: [{ id: 4, type: 'CheckpointLoaderSimple', mode: 0, widgets_values: ['sdxl-base-v1.safetensors'] }],
      extra: {
        dependencies: {
          checkpoints: [
            {
              filename: 'sdxl-base-v1.safetensors',
              sha256,
              size: 10,
              urls: ['https://huggingface.co/o/r/resolve/main/x.safetensors'],
            },
          ],
        },
      },
    });
    const run = await check(dir, ['check', workflow]);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^STATUS +CATEGORY +FILE +SIZE +SOURCE \/ URL$/),
        expect.stringMatching(
          /^link +checkpoints +sdxl-base-v1\.safetensors +10 B +<- checkpoints\/sd_xl_base_1\.0\.safetensors \(models\)$/,
        ),
        '1 model: 0 present, 1 to link (saves 10 B).',
      ]),
    );
  });

  test('a file of other content under the wanted name: CONFLICT, exit 1, the file untouched', async ({ dir }) => {
    const models = path.join(dir, 'models');
    await mkdir(path.join(models, 'vae'), { recursive: true });
    await writeFile(path.join(models, 'vae', 'sdxl_vae.safetensors'), 'mine');
    const workflow = await writeJson(path.join(dir, 'w.json'), {
      dependencies: {
        vae: [
          {
            filename: 'sdxl_vae.safetensors',
            sha256: 'a'.repeat(64),
            urls: ['https://huggingface.co/o/r/resolve/main/sdxl_vae.safetensors'],
          },
        ],
      },
    });
    const run = await check(dir, ['check', workflow]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^CONFLICT +vae +sdxl_vae\.safetensors +4 B/m);
    expect(run.stdout).toMatch(/another file is already at vae\/sdxl_vae\.safetensors: .* It is never overwritten/);
    expect(await readFile(path.join(models, 'vae', 'sdxl_vae.safetensors'), 'utf8')).toBe('mine');
  });

  test('malformed workflows exit 2 with a clear message (not JSON, wrong types, no file, 10 MB of junk, 10,000 entries)', async ({
    dir,
  }) => {
    const cases: [string, string | (() => Promise<string>), RegExp][] = [
      ['not JSON', '{"nodes": [', /^model-depot: The input is not valid JSON/],
      ['wrong types', '{"nodes": "abc"}', /^model-depot: Not a workflow: nodes must be a list of nodes/],
      ['10 MB of junk', 'x'.repeat(10 * 1024 * 1024), /^model-depot: The input is not valid JSON/],
      [
        '10,000 entries',
        JSON.stringify({
          dependencies: { loras: Array.from({ length: 10_000 }, (_, i) => ({ filename: `l${i}.safetensors` })) },
        }),
        /^model-depot: The workflow names more than 1000 models/,
      ],
    ];
    // Run side by side: each is a whole CLI start.
    const runs = await Promise.all(
      cases.map(async ([name, content, message]) => {
        const file = path.join(dir, `${name.replace(/\W+/g, '-')}.json`);
        await writeFile(file, typeof content === 'string' ? content : await content());
        return { name, message, run: await check(dir, ['check', file]) };
      }),
    );
    for (const { name, message, run } of runs) {
      expect({ name, code: run.code, stdout: run.stdout }).toEqual({ name, code: 2, stdout: '' });
      expect(run.stderr).toMatch(message);
    }
    const missing = await check(dir, ['--json', 'check', path.join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toEqual({
      error: { code: 'BAD_INPUT', message: expect.stringMatching(/nope\.json: no such file/) },
    });
  });

  test('hostile names are listed as unreadable entries beside the good ones, exit 1', async ({ dir }) => {
    const workflow = await writeJson(path.join(dir, 'hostile.json'), {
      dependencies: {
        checkpoints: [
          { filename: '../../../../etc/passwd', urls: ['https://huggingface.co/o/r/resolve/main/x.safetensors'] },
          { filename: 'ok.safetensors', urls: ['https://huggingface.co/o/r/resolve/main/ok.safetensors'] },
        ],
        '..': [{ filename: 'x.safetensors' }],
      },
    });
    const run = await check(dir, ['check', workflow]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^download +checkpoints +ok\.safetensors/m);
    expect(run.stdout).toContain('2 entries of the workflow could not be read:');
    expect(run.stdout).toContain('dependencies.checkpoints[0]: file name "../../../../etc/passwd" has a ".." segment');
    expect(run.stdout).toContain('dependencies[".."][0]: folder ".." is not a model folder name');
  });
});

describe('model-depot check with a hub', () => {
  hubTest(
    'a template without hash: the SHA-256 comes from HF_ENDPOINT and the copy in a hub folder is linkable',
    async ({ hub }) => {
      const dir = await mkdtemp(path.join(tmpdir(), 'depot-cli-check-hub-'));
      try {
        hub.addRepo({ id: 'Comfy-Org/flux1-dev', files: [{ path: 'flux1-dev.safetensors', content: 'flux weights' }] });
        const models = path.join(dir, 'models');
        await placeModel(models, path.join(dir, 'hub', 'renamed-flux.safetensors'), 'flux weights', 'hub');
        const template = JSON.parse(
          await readFile(path.join(FIXTURES, 'comfyui-template-properties-models-no-hash.json'), 'utf8'),
        );
        const workflow = await writeJson(path.join(dir, 'template.json'), template);
        const run = await check(dir, ['--json', 'check', workflow], { HF_ENDPOINT: hub.hfUrl });
        expect(run.stderr).toBe('');
        const result = zCheckResult.parse(JSON.parse(run.stdout));
        expect(result.items[0]).toMatchObject({
          status: 'linkable',
          targetPath: 'diffusion_models/flux1-dev.safetensors',
          source: { path: path.join(dir, 'hub', 'renamed-flux.safetensors'), kind: 'hub' },
        });
        // The other three files are not in the fake hub's repositories: looked up, unknown, still downloadable.
        expect(result.items.slice(1).map((i) => i.status)).toEqual(['missing', 'missing', 'missing']);
        expect(run.code).toBe(0);
        expect(hub.bytesServed({ server: 'cdn' })).toBe(0);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  hubTest(
    'HF_TOKEN without access to a private repository: UNAVAILABLE with what to do, exit 1 (not a download of unknown size)',
    async ({ hub }) => {
      const dir = await mkdtemp(path.join(tmpdir(), 'depot-cli-check-private-'));
      try {
        hub.addRepo({
          id: 'org/private',
          private: true,
          tokensWithAccess: ['hf_granted'],
          files: [{ path: 'p.safetensors', size: 64 }],
        });
        const workflow = await writeJson(path.join(dir, 'w.json'), {
          nodes: [],
          models: [
            {
              name: 'p.safetensors',
              url: 'https://huggingface.co/org/private/resolve/main/p.safetensors',
              directory: 'vae',
            },
          ],
        });
        const run = await check(dir, ['check', workflow], {
          HF_ENDPOINT: hub.hfUrl,
          HF_TOKEN: 'hf_valid_without_grant',
        });
        expect(run.stderr).toBe('');
        expect(run.code).toBe(1);
        expect(run.stdout).not.toContain('hf_valid_without_grant');
        expect(run.stdout.split('\n')).toEqual(
          expect.arrayContaining([
            expect.stringMatching(/^UNAVAILABLE +vae +p\.safetensors /),
            expect.stringMatching(
              /^ {4}vae\/p\.safetensors: the host answered that the repository of \S+ does not exist, or that it is private and the HuggingFace token has no access to it \(HTTP 404\)\. Check the URL in the workflow; if the repository is private, use a token \(HF_TOKEN\) of an account that can see it, then check again\.$/,
            ),
          ]),
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
