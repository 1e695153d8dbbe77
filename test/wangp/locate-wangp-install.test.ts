import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { locateWanGpInstall } from '../../sidecar/wangp/locate-wangp-install';
import { test } from '../disk/temp-dir-test';
import { depotErrorOf } from '../shared/depot-error-of';
import { writeWanGpInstall } from './wangp-install-fixture';

describe('locateWanGpInstall', () => {
  test("takes WanGP's own folder, with ckpts inside it", async ({ dir }) => {
    const root = await writeWanGpInstall(path.join(dir, 'Wan2GP'), {});
    expect(await locateWanGpInstall({ directory: root })).toEqual({ root, ckptsDirectory: path.join(root, 'ckpts') });
  });

  test("takes the ckpts folder, with WanGP's folder as its parent", async ({ dir }) => {
    const root = await writeWanGpInstall(path.join(dir, 'Wan2GP'), {});
    const ckpts = path.join(root, 'ckpts');
    expect(await locateWanGpInstall({ directory: ckpts })).toEqual({ root, ckptsDirectory: ckpts });
  });

  test('takes a ckpts folder that does not exist yet beside defaults', async ({ dir }) => {
    await mkdir(path.join(dir, 'defaults'));
    const ckpts = path.join(dir, 'ckpts');
    expect(await locateWanGpInstall({ directory: ckpts })).toEqual({ root: dir, ckptsDirectory: ckpts });
  });

  test('resolves a relative folder against the working directory', async ({ dir }) => {
    const root = await writeWanGpInstall(path.join(dir, 'Wan2GP'), {});
    const relative = path.relative(process.cwd(), path.join(root, 'ckpts'));
    expect((await locateWanGpInstall({ directory: relative })).root).toBe(root);
  });

  test('refuses a folder that is not a WanGP install with NOT_FOUND saying what to give', async ({ dir }) => {
    const error = await depotErrorOf(locateWanGpInstall({ directory: path.join(dir, 'nothing', 'here') }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain(path.join(dir, 'nothing', 'here'));
    expect(error.message).toMatch(/Give the folder WanGP was installed in .* or its ckpts folder/);
  });
});
