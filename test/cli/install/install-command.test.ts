import { lstat, mkdir, readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { test } from '../cli-test';

const REPO = 'stabilityai/stable-diffusion-xl-base-1.0';
const FILE = 'sd_xl_base_1.0.safetensors';
const SIZE = 1024 * 1024 + 3;

function seedWorkflow(filename: string, sha256: string, repo = REPO) {
  return {
    dependencies: {
      checkpoints: [{ filename, sha256, size: SIZE, urls: [`https://huggingface.co/${repo}/resolve/main/${FILE}`] }],
    },
  };
}

describe('model-depot install', () => {
  test('downloads workflow A, then links workflow B with 0 bytes (exit 0 both)', async ({
    hub,
    cli,
    workflow,
    dir,
  }) => {
    hub.addRepo({ id: REPO, files: [{ path: FILE, size: SIZE }] });
    const sha256 = await hub.sha256Of({ repoId: REPO, path: FILE });
    const a = await cli(['install', await workflow('a.json', seedWorkflow(FILE, sha256)), '--yes']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/download\s+checkpoints\/sd_xl_base_1\.0\.safetensors/);
    expect(a.stdout + a.stderr).toMatch(/Complete/);
    const served = hub.bytesServed();

    const b = await cli([
      'install',
      await workflow('b.json', seedWorkflow('sdxl-base-v1.safetensors', sha256)),
      '--yes',
    ]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/link\s+checkpoints\/sdxl-base-v1\.safetensors/);
    expect(hub.bytesServed()).toBe(served);
    const alias = path.join(dir, 'models', 'checkpoints', 'sdxl-base-v1.safetensors');
    expect((await lstat(alias)).isSymbolicLink()).toBe(true);
    expect(await readlink(alias)).toBe(FILE);

    const stats = await cli(['--json', 'stats']);
    expect(JSON.parse(stats.stdout)).toMatchObject({ model_count: 1, alias_count: 1 });
  });

  test('refuses to run unattended without --yes (exit 2) and changes nothing', async ({ hub, cli, workflow, dir }) => {
    hub.addRepo({ id: REPO, files: [{ path: FILE, size: SIZE }] });
    const sha256 = await hub.sha256Of({ repoId: REPO, path: FILE });
    const run = await cli(['install', await workflow('a.json', seedWorkflow(FILE, sha256))]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--yes/);
    expect(hub.bytesServed()).toBe(0);
    await expect(lstat(path.join(dir, 'models', 'checkpoints', FILE))).rejects.toThrow();
  });

  test('exits 2 on bad input: missing file, not JSON, 10,000 entries, hostile names', async ({
    cli,
    workflow,
    dir,
  }) => {
    const inputs: Array<[string, string]> = [
      ['missing file', path.join(dir, 'nope.json')],
      ['not JSON', await workflow('bad.json', '{"nodes": [')],
      [
        '10,000 entries',
        await workflow('many.json', {
          dependencies: { loras: Array.from({ length: 10_000 }, (_, i) => ({ filename: `l${i}.safetensors` })) },
        }),
      ],
      [
        'hostile names',
        await workflow('hostile.json', { dependencies: { checkpoints: [{ filename: '../../../etc/x.safetensors' }] } }),
      ],
    ];
    // Junk and wrong types are covered over HTTP (test/server); here each case costs a process start.
    const runs = await Promise.all(inputs.map(([, file]) => cli(['install', file, '--yes'])));
    for (const [i, [name]] of inputs.entries()) {
      const run = runs[i];
      if (!run) throw new Error(name);
      expect(run.code, `${name}: ${run.stderr}`).toBe(2);
      expect(run.stderr, name).toMatch(/^model-depot: .+/m);
      expect(run.stderr, name).not.toMatch(/\n\s+at /);
    }
  });

  test('exits 1 when a file of other content sits under the wanted name, and leaves it alone', async ({
    hub,
    cli,
    workflow,
    dir,
  }) => {
    hub.addRepo({ id: REPO, files: [{ path: FILE, size: SIZE }] });
    const sha256 = await hub.sha256Of({ repoId: REPO, path: FILE });
    const target = path.join(dir, 'models', 'checkpoints', FILE);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, 'mine');
    const run = await cli(['install', await workflow('a.json', seedWorkflow(FILE, sha256)), '--yes']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/CONFLICT/);
    expect(await readFile(target, 'utf8')).toBe('mine');
  });

  test('a gated download fails clearly without a token (exit 1) and succeeds with HF_TOKEN from the environment', async ({
    hub,
    cli,
    workflow,
  }) => {
    const TOKEN = 'hf_env_token_abcdef';
    hub.addRepo({ id: 'gated/sdxl', gated: 'manual', tokensWithAccess: [TOKEN], files: [{ path: FILE, size: SIZE }] });
    const sha256 = await hub.sha256Of({ repoId: 'gated/sdxl', path: FILE });
    const file = await workflow('g.json', seedWorkflow(FILE, sha256, 'gated/sdxl'));
    const without = await cli(['install', file, '--yes']);
    expect(without.code).toBe(1);
    expect(without.stdout + without.stderr).toMatch(/token/i);
    // No terminal to ask on: the message says where a token is read from.
    expect(without.stderr).toMatch(/set HF_TOKEN .+ or CIVITAI_API_TOKEN/);
    const withToken = await cli(['install', file, '--yes'], { HF_TOKEN: TOKEN });
    expect(withToken.code, withToken.stderr).toBe(0);
    expect(withToken.stdout + withToken.stderr).not.toContain(TOKEN);
  });
});
