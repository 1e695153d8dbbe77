import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { runCli } from './run-cli';
import { test } from '../disk/temp-dir-test';

describe('model-depot comfyui-install', () => {
  test('installs the built extension into ComfyUI/custom_nodes', async ({ dir }) => {
    const comfyui = path.join(dir, 'ComfyUI');
    await mkdir(comfyui);
    await writeFile(path.join(comfyui, 'main.py'), '');
    const run = await runCli(['comfyui-install', '--comfyui', comfyui, '--json'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const target = path.join(comfyui, 'custom_nodes', 'comfyui-model-depot');
    expect(JSON.parse(run.stdout)).toMatchObject({ target, mode: 'copy' });
    expect(await readFile(path.join(target, '__init__.py'), 'utf8')).toMatch(/^WEB_DIRECTORY = "\.\/web"$/m);
    expect(await readFile(path.join(target, 'web', 'model-depot.js'), 'utf8')).toContain('ModelDepot');
  });

  test('exits 2 with a clear line for a folder that is not ComfyUI', async ({ dir }) => {
    const run = await runCli(['comfyui-install', '--comfyui', dir], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^model-depot: .* does not look like a ComfyUI folder/);
  });
});
