import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import type { FakeHub } from '../fake-hub/create-fake-hub';
import { test } from './cli-test';
import { type CliRun, runCli } from './run-cli';
import { type Served, spawnServe } from './spawn-serve';

const REPO = 'stabilityai/stable-diffusion-xl-base-1.0';
const FILE = 'sd_xl_base_1.0.safetensors';
const SIZE = 256 * 1024 + 7;

/** One folder of its own: config, models (one VAE already there), HF cache, a workflow naming the fake hub's file. */
async function makeHome(root: string, hub: FakeHub, sha256: string) {
  await mkdir(path.join(root, 'models', 'vae'), { recursive: true });
  await writeFile(path.join(root, 'models', 'vae', 'ae.safetensors'), Buffer.alloc(4096, 7));
  await writeFile(path.join(root, 'config.json'), '{}');
  const workflow = path.join(root, 'workflow.json');
  const url = `https://huggingface.co/${REPO}/resolve/main/${FILE}`;
  await writeFile(
    workflow,
    JSON.stringify({ dependencies: { checkpoints: [{ filename: FILE, sha256, size: SIZE, urls: [url] }] } }),
  );
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: root,
    HF_ENDPOINT: hub.hfUrl,
    CIVITAI_ENDPOINT: hub.civitaiUrl,
    HF_HUB_CACHE: path.join(root, 'hf'),
  };
  const globals = ['--config', path.join(root, 'config.json'), '--models', path.join(root, 'models')];
  return {
    root,
    workflow,
    env,
    globals,
    cli: (args: string[]): Promise<CliRun> => runCli([...globals, ...args], { cwd: root, env }),
  };
}

/** The output without the folder's own path and the free space (other processes write to the disk), to compare. */
const same = (run: CliRun, root: string) => ({
  code: run.code,
  stdout: run.stdout
    .replaceAll(root, '<root>')
    .replace(/^Free space: .*$/m, 'Free space: <free>')
    .replace(/"freeBytes": \d+/, '"freeBytes": <free>'),
});

const LORA_REPO = 'org/loras';
const LORA = 'style.safetensors';
const LORA_BYTES = Buffer.alloc(100_000, 3);

/**
 * A home whose hub folder holds a LoRA the workflow names under another name (linkable once registered), beside a
 * model to download whose size only its host knows and one on a host model-depot never downloads from.
 */
async function makeCheckHome(root: string, hub: FakeHub) {
  const home = await makeHome(root, hub, await hub.sha256Of({ repoId: REPO, path: FILE }));
  await mkdir(path.join(root, 'hub'), { recursive: true });
  await writeFile(path.join(root, 'hub', 'some lora.safetensors'), LORA_BYTES);
  const workflow = path.join(root, 'check-workflow.json');
  const sha256 = createHash('sha256').update(LORA_BYTES).digest('hex');
  await writeFile(
    workflow,
    JSON.stringify({
      dependencies: {
        loras: [{ filename: LORA, sha256, urls: [`https://huggingface.co/${LORA_REPO}/resolve/main/${LORA}`] }],
        checkpoints: [{ filename: FILE, urls: [`https://huggingface.co/${REPO}/resolve/main/${FILE}`] }],
        vae: [{ filename: 'elsewhere.safetensors', urls: ['https://example.com/elsewhere.safetensors'] }],
      },
    }),
  );
  const globals = [...home.globals, '--hub-dir', path.join(root, 'hub')];
  return {
    ...home,
    workflow,
    globals,
    cli: (args: string[]): Promise<CliRun> => runCli([...globals, ...args], { cwd: root, env: home.env }),
  };
}

describe('the CLI beside a running sidecar', () => {
  test('install, migrate and stats go through the sidecar (which keeps the lock) and print what they print alone', async ({
    dir,
    hub,
  }) => {
    hub.addRepo({ id: REPO, files: [{ path: FILE, size: SIZE }] });
    const sha256 = await hub.sha256Of({ repoId: REPO, path: FILE });
    const served = await makeHome(path.join(dir, 'served'), hub, sha256);
    const alone = await makeHome(path.join(dir, 'alone'), hub, sha256);
    let sidecar: Served | undefined;
    try {
      sidecar = await spawnServe({
        cwd: served.root,
        args: [...served.globals, 'serve', '--port', '0'],
        env: served.env,
      });
      const registryDir = path.join(served.root, 'models', '.registry');
      const announced = JSON.parse(await readFile(path.join(registryDir, 'sidecar.json'), 'utf8'));
      expect(announced).toMatchObject({ pid: sidecar.child.pid, modelsRoot: path.join(served.root, 'models') });
      const owner = await readFile(path.join(registryDir, 'lock-owner.json'), 'utf8');

      for (const args of [
        ['migrate', '--dry-run'],
        ['migrate'],
        ['stats'],
        ['install', served.workflow, '--yes'],
        ['stats'],
        ['--json', 'stats'],
      ]) {
        const through = await served.cli(args.map((a) => (a === served.workflow ? served.workflow : a)));
        const byItself = await alone.cli(args.map((a) => (a === served.workflow ? alone.workflow : a)));
        expect(through.code, `${args.join(' ')}: ${through.stderr}`).toBe(0);
        expect(same(through, served.root), args.join(' ')).toEqual(same(byItself, alone.root));
      }

      expect((await stat(path.join(served.root, 'models', 'checkpoints', FILE))).size).toBe(SIZE);
      // One writer: the sidecar took the registry lock once and still holds it; it did the download itself.
      expect(await readFile(path.join(registryDir, 'lock-owner.json'), 'utf8')).toBe(owner);
      expect(JSON.parse(owner)).toMatchObject({ pid: sidecar.child.pid });
      expect(sidecar.stderr()).toMatch(/job done.*sd_xl_base_1\.0\.safetensors/);
      const statsJson = await served.cli(['--json', 'stats']);
      expect(JSON.parse(statsJson.stdout)).toMatchObject({ model_count: 2 });
    } finally {
      sidecar?.child.kill('SIGTERM');
      await sidecar?.exited;
    }
    await expect(stat(path.join(served.root, 'models', '.registry', 'sidecar.json'))).rejects.toThrow(/ENOENT/);
  }, 120_000);

  test('check goes through the sidecar (its registry in memory) and prints what it prints alone, exit code included', async ({
    dir,
    hub,
  }) => {
    hub.addRepo({ id: REPO, files: [{ path: FILE, size: SIZE }] });
    hub.addRepo({ id: LORA_REPO, files: [{ path: LORA, content: LORA_BYTES }] });
    const served = await makeCheckHome(path.join(dir, 'served'), hub);
    const alone = await makeCheckHome(path.join(dir, 'alone'), hub);
    // Alone, the hub folder is registered by migrate; the sidecar indexes it when it starts.
    expect((await alone.cli(['migrate'])).code).toBe(0);
    let sidecar: Served | undefined;
    try {
      sidecar = await spawnServe({
        cwd: served.root,
        args: [...served.globals, 'serve', '--port', '0'],
        env: served.env,
      });
      const registryFile = path.join(served.root, 'models', '.registry', 'models.json');
      await expect.poll(async () => (await readFile(registryFile, 'utf8')).includes('some lora')).toBe(true);

      for (const flags of [[], ['--no-remote'], ['--all'], ['--json'], ['--quiet']]) {
        const args = flags[0] === '--json' || flags[0] === '--quiet' ? [...flags, 'check'] : ['check', ...flags];
        const through = await served.cli([...args, served.workflow]);
        const byItself = await alone.cli([...args, alone.workflow]);
        expect(through.stderr, args.join(' ')).toBe('');
        expect(same(through, served.root), args.join(' ')).toEqual(same(byItself, alone.root));
      }
      const report = await served.cli(['--json', 'check', served.workflow]);
      // The host-less URL is unavailable: exit 1, as alone.
      expect(report.code).toBe(1);
      expect(JSON.parse(report.stdout)).toMatchObject({
        summary: { linkable: 1, missing: 1, unavailable: 1 },
        items: [{ status: 'linkable' }, { status: 'missing', size: SIZE }, { status: 'unavailable' }],
      });

      // The answer is the sidecar's: with the registry file out of the way, the LoRA is still known to be linkable.
      await rename(registryFile, `${registryFile}.aside`);
      try {
        const inMemory = await served.cli(['--json', 'check', '--no-remote', served.workflow]);
        expect(JSON.parse(inMemory.stdout).items[0]).toMatchObject({ status: 'linkable' });
      } finally {
        await rename(`${registryFile}.aside`, registryFile);
      }
    } finally {
      sidecar?.child.kill('SIGTERM');
      await sidecar?.exited;
    }
  }, 120_000);
});
