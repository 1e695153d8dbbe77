import { lstat, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test as base, describe, expect } from 'vitest';
import { CUSTOM_NODE_NAME, installComfyuiExtension } from '../../../sidecar/services/comfyui/install-comfyui-extension';

interface Fixtures {
  /** A temporary ComfyUI folder (main.py + custom_nodes/) and a fake built custom node. */
  dirs: { comfyui: string; dist: string };
}

const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  dirs: async ({}, use) => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'md-comfyui-install-'));
    const comfyui = path.join(root, 'ComfyUI');
    const dist = path.join(root, 'dist', CUSTOM_NODE_NAME);
    await mkdir(path.join(comfyui, 'custom_nodes'), { recursive: true });
    await writeFile(path.join(comfyui, 'main.py'), '');
    await mkdir(path.join(dist, 'web'), { recursive: true });
    await writeFile(path.join(dist, '__init__.py'), 'WEB_DIRECTORY = "./web"\n');
    await writeFile(path.join(dist, 'web', 'model-depot.js'), 'import { app } from "/scripts/app.js";\n');
    await use({ comfyui, dist });
    await rm(root, { recursive: true, force: true });
  },
});

describe('installComfyuiExtension', () => {
  test('copies the custom node into custom_nodes', async ({ dirs }) => {
    const installed = await installComfyuiExtension({ comfyuiDir: dirs.comfyui, distDir: dirs.dist });
    const target = path.join(dirs.comfyui, 'custom_nodes', CUSTOM_NODE_NAME);
    expect(installed).toEqual({ target, source: dirs.dist, mode: 'copy', built: false, replaced: false });
    expect(await readFile(path.join(target, '__init__.py'), 'utf8')).toContain('WEB_DIRECTORY');
    expect(await readFile(path.join(target, 'web', 'model-depot.js'), 'utf8')).toContain('/scripts/app.js');
  });

  test('replaces its own earlier install, and can link instead of copying', async ({ dirs }) => {
    await installComfyuiExtension({ comfyuiDir: dirs.comfyui, distDir: dirs.dist });
    const again = await installComfyuiExtension({ comfyuiDir: dirs.comfyui, distDir: dirs.dist, mode: 'symlink' });
    expect(again.replaced).toBe(true);
    expect((await lstat(again.target)).isSymbolicLink()).toBe(true);
    expect(await readlink(again.target)).toBe(dirs.dist);
    const back = await installComfyuiExtension({ comfyuiDir: dirs.comfyui, distDir: dirs.dist });
    expect(back.replaced).toBe(true);
    expect((await lstat(back.target)).isDirectory()).toBe(true);
  });

  test('never overwrites a folder it did not install', async ({ dirs }) => {
    const foreign = path.join(dirs.comfyui, 'custom_nodes', CUSTOM_NODE_NAME);
    await mkdir(foreign);
    await writeFile(path.join(foreign, 'mine.txt'), 'keep me');
    await expect(installComfyuiExtension({ comfyuiDir: dirs.comfyui, distDir: dirs.dist })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await readFile(path.join(foreign, 'mine.txt'), 'utf8')).toBe('keep me');
  });

  test('refuses a folder that is not ComfyUI, and says what to pass', async ({ dirs }) => {
    const elsewhere = path.dirname(dirs.dist);
    await expect(installComfyuiExtension({ comfyuiDir: elsewhere, distDir: dirs.dist })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/does not look like a ComfyUI folder/),
    });
    await expect(
      installComfyuiExtension({ comfyuiDir: path.join(elsewhere, 'nope'), distDir: dirs.dist }),
    ).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/does not exist/),
    });
  });

  test('says to build when there is no bundle', async ({ dirs }) => {
    await rm(path.join(dirs.dist, 'web'), { recursive: true });
    await expect(installComfyuiExtension({ comfyuiDir: dirs.comfyui, distDir: dirs.dist })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('npm run build'),
    });
  });

  test("installs this checkout's real build by default", async ({ dirs }) => {
    const installed = await installComfyuiExtension({ comfyuiDir: dirs.comfyui, build: async () => undefined });
    expect(installed.source).toBe(path.resolve('dist', CUSTOM_NODE_NAME));
    expect(await readFile(path.join(installed.target, 'web', 'model-depot.js'), 'utf8')).toContain('registerExtension');
  });
});
