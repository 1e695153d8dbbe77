import { describe, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { test } from '../disk/temp-dir-test';
import { treeSnapshot } from '../disk/tree-snapshot';
import { makeModelTree, put } from '../disk/model-tree-fixture';

const BIN = resolve(import.meta.dirname, '../../bin/model-depot.cjs');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: Record<string, string>): Promise<CliRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: env.HOME ?? '', ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'stdout' in error && 'stderr' in error && 'code' in error) {
      return { code: Number(error.code), stdout: String(error.stdout), stderr: String(error.stderr) };
    }
    throw error;
  }
}

describe('model-depot migrate', () => {
  test('--dry-run lists two names of one model, a hub dir and the HF cache, and changes nothing; migrate then stats counts them', async ({
    dir,
  }) => {
    const tree = await makeModelTree(join(dir, 'data'));
    const configFile = join(dir, 'config.json');
    await writeFile(configFile, JSON.stringify({ models_directory: './unused', hub_directories: [] }));
    const env = { MODEL_DEPOT_CONFIG: configFile, HF_HUB_CACHE: tree.hfCacheDir, HOME: dir };
    const before = await treeSnapshot(join(dir, 'data'));

    const dry = await cli(['--models', tree.modelsRoot, '--hub-dir', tree.hubDir, 'migrate', '--dry-run'], env);
    expect(dry.stderr).not.toMatch(/error/i);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('sd_xl_base_1.0.safetensors');
    expect(dry.stdout).toContain('old names/sdxl-base-v1.safetensors');
    expect(dry.stdout).toContain(join('hub', 'flux', 'vae', 'ae.safetensors'));
    expect(dry.stdout).toContain('split_files/text_encoders/t5.safetensors');
    expect(dry.stdout).toContain('"'); // the name with a newline is printed escaped, on one line
    expect(dry.stdout).toMatch(/Would register 6 files: 4 models, 2 aliases, .*Dry run: nothing was written\./);
    expect(await treeSnapshot(join(dir, 'data'))).toEqual(before);

    const dryJson = await cli(
      ['--models', tree.modelsRoot, '--hub-dir', tree.hubDir, '--json', 'migrate', '--dry-run'],
      env,
    );
    expect(JSON.parse(dryJson.stdout)).toMatchObject({ dryRun: true, totals: { files: 6, models: 4, aliases: 2 } });
    expect(await treeSnapshot(join(dir, 'data'))).toEqual(before);

    const real = await cli(['--models', tree.modelsRoot, '--hub-dir', tree.hubDir, '--json', 'migrate'], env);
    expect(real.code).toBe(0);
    expect(JSON.parse(real.stdout)).toMatchObject({ dryRun: false, failed: [] });
    const stats = await cli(['--models', tree.modelsRoot, '--json', 'stats'], env);
    expect(JSON.parse(stats.stdout)).toMatchObject({ model_count: 4, alias_count: 2 });
  });

  test('prints plain progress lines when stderr is not a terminal, and exits 2 for an unknown --folder', async ({
    dir,
  }) => {
    const modelsRoot = join(dir, 'models');
    await put(join(modelsRoot, 'vae', 'v.safetensors'), Buffer.alloc(1000));
    const configFile = join(dir, 'config.json');
    await writeFile(configFile, '{}');
    const env = { MODEL_DEPOT_CONFIG: configFile, HF_HUB_CACHE: join(dir, 'no-cache'), HOME: dir };
    const run = await cli(['--models', modelsRoot, 'migrate'], env);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^Hashed: 1\/1 files, 1\.0 KB\/1\.0 KB, /m);
    expect(run.stderr).not.toContain('\r');

    const bad = await cli(['--models', modelsRoot, 'migrate', '--folder', 'not-a-folder'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--folder not-a-folder: not a model folder/);
  });
});
