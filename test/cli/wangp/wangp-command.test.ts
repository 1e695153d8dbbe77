import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { z } from 'zod';
import { test as hubTest } from '../../fake-hub/fake-hub-fixture';
import type { FakeHub } from '../../fake-hub/create-fake-hub';
import { wanGpDownloaderConfig } from '../../config/wangp-downloader-config';
import { WANGP_FILES, writeWanGpHubLayout } from '../../services/wangp/wangp-hub-layout';
import { runCli } from '../run-cli';

/** A fake hub and a fresh temporary folder per test. */
const test = hubTest.extend<{ dir: string }>({
  dir: async ({}, use) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'md-wangp-cli-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
});

const zListed = z.object({
  quantization: z.string(),
  models: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      config: z.string(),
      architecture: z.string(),
      status: z.string(),
      files: z.array(
        z.object({ url: z.string(), size: z.number().optional(), destination: z.string(), status: z.string() }),
      ),
    }),
  ),
});

function cliEnv(dir: string, hub: FakeHub): Record<string, string> {
  return {
    HF_ENDPOINT: hub.hfUrl,
    CIVITAI_ENDPOINT: hub.civitaiUrl,
    HF_HUB_CACHE: path.join(dir, 'no-hf-cache'),
    MODEL_DEPOT_CONFIG: path.join(dir, 'config.json'),
  };
}

describe('model-depot wangp', () => {
  test('list --json gives each model its name, config, architecture, chosen files and status', async ({ dir, hub }) => {
    const layout = await writeWanGpHubLayout(dir, hub);
    await writeFile(path.join(dir, 'config.json'), wanGpDownloaderConfig(layout.ckpts, layout.hubDir));
    const run = await runCli(['wangp', 'list', '--json'], { cwd: dir, env: cliEnv(dir, hub) });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const listed = zListed.parse(JSON.parse(run.stdout));
    expect(listed.quantization).toBe('int8');
    expect(listed.models.map((model) => [model.name, model.config, model.architecture, model.status])).toEqual([
      ['Dragon 14B', 'defaults/dragon.json', 'dragon', 'missing'],
      ['Heron 1B', 'defaults/heron.json', 'heron', 'linkable'],
      ['Lynx 5B', 'finetunes/lynx.json', 'dragon', 'missing'],
      ['Twin 14B', 'defaults/twin.json', 'twin', 'missing'],
    ]);
    const dragon = listed.models[0];
    expect(dragon?.files).toEqual([
      expect.objectContaining({
        url: `https://huggingface.co/acme/Video/resolve/main/${WANGP_FILES.dragonInt8}`,
        size: layout.bytes.dragonInt8.length,
        destination: WANGP_FILES.dragonInt8,
        status: 'missing',
      }),
    ]);
    const bf16 = zListed.parse(
      JSON.parse(
        (
          await runCli(['--wan2gp', layout.root, 'wangp', 'list', '--json', '--quantization', 'bf16'], {
            cwd: dir,
            env: cliEnv(dir, hub),
          })
        ).stdout,
      ),
    );
    expect(bf16.models[0]?.files.map((file) => file.destination)).toEqual([WANGP_FILES.dragonBf16]);
  });

  test('install downloads both transformers of a two-expert model into ckpts and links from the hub folder', async ({
    dir,
    hub,
  }) => {
    const layout = await writeWanGpHubLayout(dir, hub);
    const run = await runCli(
      ['--wan2gp', layout.ckpts, '--hub-dir', layout.hubDir, 'wangp', 'install', 'Twin 14B', 'heron', '--yes'],
      { cwd: dir, env: cliEnv(dir, hub) },
    );
    expect(run.code).toBe(0);
    // Without a terminal the progress is one line per change, on stderr.
    expect(run.stderr).toContain('Complete    twin_low_quanto_mbf16_int8.safetensors');
    expect(run.stdout).toMatch(/2 Complete, 1 Linked|1 Linked, 2 Complete/);
    const files = (await readdir(layout.ckpts)).filter((name) => !name.startsWith('.')).sort();
    expect(files).toEqual([WANGP_FILES.heron, WANGP_FILES.twinHigh, WANGP_FILES.twinLow].sort());
    expect(await readFile(path.join(layout.ckpts, WANGP_FILES.twinLow))).toEqual(layout.bytes.twinLow);
  });

  test('names a model it cannot find, and says how to set the WanGP folder when none is given', async ({
    dir,
    hub,
  }) => {
    const layout = await writeWanGpHubLayout(dir, hub);
    const unknown = await runCli(['--wan2gp', layout.root, 'wangp', 'install', 'ghost', '--yes'], {
      cwd: dir,
      env: cliEnv(dir, hub),
    });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No visible WanGP model is called "ghost"');
    const unset = await runCli(['wangp', 'list'], { cwd: dir, env: cliEnv(dir, hub) });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('pass --wan2gp DIR');
  });
});
