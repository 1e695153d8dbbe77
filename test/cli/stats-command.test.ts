import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { openRegistry } from '../../sidecar/registry/open-registry';
import { runCli } from './run-cli';
import { test } from '../disk/temp-dir-test';

const GiB = 1024 ** 3;

async function fillRegistry(modelsRoot: string): Promise<void> {
  const registry = await openRegistry({ modelsRoot });
  const stat = (ino: number, size: number) => ({ dev: 1, ino, size, mtimeMs: 1 });
  await registry.batch(async () => {
    await registry.addFile({
      path: path.join(modelsRoot, 'vae', 'z.safetensors'),
      sha256: 'c'.repeat(64),
      kind: 'file',
      category: 'vae',
      stat: stat(1, GiB / 4),
    });
    await registry.addFile({
      path: path.join(modelsRoot, 'checkpoints', 'b.safetensors'),
      sha256: 'b'.repeat(64),
      kind: 'file',
      category: 'checkpoints',
      stat: stat(2, 2 * GiB),
    });
    await registry.addFile({
      path: path.join(modelsRoot, 'checkpoints', 'a.safetensors'),
      sha256: 'a'.repeat(64),
      kind: 'file',
      category: 'checkpoints',
      stat: stat(3, GiB),
    });
    await registry.addFile({
      path: path.join(modelsRoot, 'checkpoints', 'a copy.safetensors'),
      sha256: 'a'.repeat(64),
      kind: 'hardlink',
    });
    await registry.addFile({ path: '/mnt/hub/a.safetensors', sha256: 'a'.repeat(64), kind: 'hub' });
  });
  await registry.close();
}

describe('model-depot stats and list', () => {
  test('stats --json gives the registry figures, even while another model-depot holds the registry', async ({
    dir,
  }) => {
    const models = path.join(dir, 'models');
    await fillRegistry(models);
    const holder = await openRegistry({ modelsRoot: models });
    try {
      const run = await runCli(['--models', models, 'stats', '--json'], {
        cwd: dir,
        env: { MODEL_DEPOT_CONFIG: path.join(dir, 'c.json') },
      });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ model_count: 3, alias_count: 2, total_size_gb: 3.25 });
    } finally {
      await holder.close();
    }
  });

  test('stats for people, on an empty models root created on the way', async ({ dir }) => {
    const run = await runCli(['stats'], { cwd: dir, env: { MODEL_DEPOT_CONFIG: path.join(dir, 'c.json') } });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Models: +0\nAliases: +0\nTotal size: +0\.00 GiB\n/);
    expect(JSON.parse(await readFile(path.join(dir, 'c.json'), 'utf8')).port).toBe(8190);
  });

  test('list --json sorts by category then path and gives every alias; list prints a table', async ({ dir }) => {
    const models = path.join(dir, 'models');
    await fillRegistry(models);
    const env = { MODEL_DEPOT_CONFIG: path.join(dir, 'c.json') };
    const json = await runCli(['--json', '--models', models, 'list'], { cwd: dir, env });
    expect(json.code).toBe(0);
    const rows: { file_path: string; aliases: string[] }[] = JSON.parse(json.stdout);
    expect(rows.map((r) => r.file_path)).toEqual([
      path.join(models, 'checkpoints', 'a.safetensors'),
      path.join(models, 'checkpoints', 'b.safetensors'),
      path.join(models, 'vae', 'z.safetensors'),
    ]);
    expect(rows[0]?.aliases).toEqual([
      path.join(models, 'checkpoints', 'a copy.safetensors'),
      '/mnt/hub/a.safetensors',
    ]);

    const table = await runCli(['list'], { cwd: dir, env });
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n').slice(0, 4)).toEqual([
      expect.stringMatching(/^CATEGORY +SIZE +SHA256 +FILE$/),
      expect.stringMatching(/^checkpoints +1\.1 GB +aaaaaaaaaaaa +checkpoints\/a\.safetensors$/),
      expect.stringMatching(/^ +?= checkpoints\/a copy\.safetensors$/),
      expect.stringMatching(/^ +?= \/mnt\/hub\/a\.safetensors$/),
    ]);
  });

  test('a corrupt registry: one clear line, exit 1, the file left in place for migrate', async ({ dir }) => {
    const models = path.join(dir, 'models');
    await mkdir(path.join(models, '.registry'), { recursive: true });
    await writeFile(path.join(models, '.registry', 'models.json'), '{ nope');
    const run = await runCli(['--models', models, 'stats'], {
      cwd: dir,
      env: { MODEL_DEPOT_CONFIG: path.join(dir, 'c.json') },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^model-depot: The registry .*models\.json is not valid JSON.*model-depot migrate.*\n$/);
    expect(await readFile(path.join(models, '.registry', 'models.json'), 'utf8')).toBe('{ nope');
  });

  test('a malformed config: exit 2, the file and key named (JSON on stdout with --json), the file untouched', async ({
    dir,
  }) => {
    const config = path.join(dir, 'c.json');
    const text = '{ "parallel_downloads": 0 }';
    await writeFile(config, text);
    const human = await runCli(['stats'], { cwd: dir, env: { MODEL_DEPOT_CONFIG: config } });
    expect(human.code).toBe(2);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(
      new RegExp(`^model-depot: The config file ${config} has a bad value for "parallel_downloads": 0`),
    );
    expect(human.stderr.trim().split('\n')).toHaveLength(1);

    const machine = await runCli(['--config', config, '--json', 'stats'], { cwd: dir });
    expect(machine.code).toBe(2);
    expect(JSON.parse(machine.stdout)).toEqual({
      error: { code: 'BAD_CONFIG', message: expect.stringContaining(config) },
    });
    expect(await readFile(config, 'utf8')).toBe(text);
  });
});
