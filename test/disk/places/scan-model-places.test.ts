import { describe, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { scanModelPlaces } from '../../../sidecar/disk/places/scan-model-places';
import { test } from '../temp-dir-test';

async function put(path: string, content: string | Buffer = 'x'): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

async function hfFile(cache: string, repo: string, file: string, content: string): Promise<string> {
  const sha = createHash('sha256').update(content).digest('hex');
  const blob = join(cache, `models--${repo.replace('/', '--')}`, 'blobs', sha);
  await put(blob, content);
  const link = join(cache, `models--${repo.replace('/', '--')}`, 'snapshots', 'c0ffee', file);
  await mkdir(dirname(link), { recursive: true });
  await symlink(relative(dirname(link), blob), link);
  return sha;
}

describe('scanModelPlaces', () => {
  test('finds model files in category folders, legacy aliases and subfolders, skipping the rest', async ({ dir }) => {
    const root = join(dir, 'models');
    await put(join(root, 'checkpoints', 'a b ✓.safetensors'));
    await put(join(root, 'checkpoints', 'sub', 'deep', 'line\nbreak.ckpt'));
    await put(join(root, 'unet', 'u.gguf'));
    await put(join(root, 'loras', 'notes.txt'));
    await put(join(root, 'loras', 'half.safetensors.part'));
    await put(join(root, 'loras', '.hidden', 'h.safetensors'));
    await put(join(root, '.registry', 'r.safetensors'));
    await put(join(root, '.cache', 'tmp', 'c.safetensors'));
    await put(join(root, 'not_a_folder', 'n.safetensors'));
    await put(join(root, 'top.safetensors'));
    const { files, skipped } = await scanModelPlaces({ modelsRoot: root });
    expect(files.map((f) => [relative(root, f.path), f.category, f.place]).sort()).toEqual([
      ['checkpoints/a b ✓.safetensors', 'checkpoints', 'models'],
      ['checkpoints/sub/deep/line\nbreak.ckpt', 'checkpoints', 'models'],
      ['unet/u.gguf', 'diffusion_models', 'models'],
    ]);
    expect(skipped).toEqual([]);
  });

  test('follows symlinks without looping and reports broken ones and FIFOs as skipped', async ({ dir }) => {
    const root = join(dir, 'models');
    await put(join(root, 'checkpoints', 'real.safetensors'));
    await symlink('real.safetensors', join(root, 'checkpoints', 'alias.safetensors'));
    await symlink('missing.safetensors', join(root, 'checkpoints', 'broken.safetensors'));
    await symlink('loop-b.safetensors', join(root, 'checkpoints', 'loop-a.safetensors'));
    await symlink('loop-a.safetensors', join(root, 'checkpoints', 'loop-b.safetensors'));
    await symlink('..', join(root, 'checkpoints', 'up'));
    await mkdir(join(root, 'vae', 'x'), { recursive: true });
    await symlink('../../vae', join(root, 'vae', 'x', 'back'));
    execFileSync('mkfifo', [join(root, 'checkpoints', 'fifo.safetensors')]);
    const { files, skipped } = await scanModelPlaces({ modelsRoot: root });
    expect(files.map((f) => [relative(root, f.path), f.isSymlink]).sort()).toEqual([
      ['checkpoints/alias.safetensors', true],
      ['checkpoints/real.safetensors', false],
    ]);
    const reasons = Object.fromEntries(skipped.map((s) => [relative(root, s.path), s.reason]));
    expect(reasons['checkpoints/broken.safetensors']).toBe('broken symlink');
    expect(reasons['checkpoints/loop-a.safetensors']).toBe('symlink loop');
    expect(reasons['checkpoints/fifo.safetensors']).toMatch(/not a regular file/);
    expect(reasons['vae/x/back']).toMatch(/already scanned/);
    expect(reasons['checkpoints/up']).toMatch(/already scanned/);
  });

  test('scans hub directories (category from a folder name), the HF cache by blob name, and limits to --folder', async ({
    dir,
  }) => {
    const root = join(dir, 'models');
    const hub = join(dir, 'hub');
    const cache = join(dir, 'hf');
    await put(join(hub, 'flux', 'vae', 'ae.safetensors'));
    await put(join(hub, 'misc', 'thing.pth'));
    const sha = await hfFile(cache, 'org/model', 'split_files/vae/v.safetensors', 'vae bytes');
    // A small non-LFS file: its blob is named by a git SHA-1.
    const small = join(cache, 'models--org--model', 'blobs', 'a'.repeat(40));
    await put(small, 'tiny');
    await symlink(
      `../../blobs/${'a'.repeat(40)}`,
      join(cache, 'models--org--model', 'snapshots', 'c0ffee', 'tiny.bin'),
    );
    const all = await scanModelPlaces({ modelsRoot: root, hubDirs: [hub], hfCacheDir: cache });
    expect(all.files.map((f) => [relative(dir, f.path), f.place, f.category, f.sha256]).sort()).toEqual([
      ['hf/models--org--model/snapshots/c0ffee/split_files/vae/v.safetensors', 'hf-cache', 'vae', sha],
      ['hub/flux/vae/ae.safetensors', 'hub', 'vae', undefined],
      ['hub/misc/thing.pth', 'hub', undefined, undefined],
    ]);
    expect(all.skipped.map((s) => s.reason)).toEqual([expect.stringContaining('git SHA-1')]);
    const vaeOnly = await scanModelPlaces({ modelsRoot: root, hubDirs: [hub], hfCacheDir: cache, folder: 'vae' });
    expect(vaeOnly.files).toHaveLength(2);
    await expect(scanModelPlaces({ modelsRoot: root, folder: 'nope' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    const hubOnly = await scanModelPlaces({ modelsRoot: root, hubDirs: [hub], hfCacheDir: cache, places: ['hub'] });
    expect(hubOnly.files.map((f) => f.place)).toEqual(['hub', 'hub']);
  });

  test('refuses an HF cache blob that fails the size check', async ({ dir }) => {
    const cache = join(dir, 'hf');
    const sha = await hfFile(cache, 'org/m', 'm.safetensors', 'content');
    await writeFile(join(cache, 'models--org--m', 'blobs', sha), '');
    const { files, skipped } = await scanModelPlaces({ modelsRoot: join(dir, 'models'), hfCacheDir: cache });
    expect(files).toEqual([]);
    expect(skipped[0]?.reason).toMatch(/size check/);
  });

  test("scans a ComfyUI install's models and extra_model_paths.yaml, each folder once", async ({ dir }) => {
    const comfy = join(dir, 'ComfyUI');
    const root = join(comfy, 'models');
    await put(join(root, 'loras', 'l.safetensors'));
    await put(join(dir, 'shared', 'ckpts', 'c.safetensors'));
    await put(
      join(comfy, 'extra_model_paths.yaml'),
      `comfyui:\n  base_path: ${comfy}\n  loras: models/loras\nshared:\n  base_path: ../shared\n  checkpoints: |\n    ckpts\n    missing\n`,
    );
    const { files, skipped } = await scanModelPlaces({ modelsRoot: root, comfyuiDir: comfy });
    expect(skipped).toEqual([]);
    expect(files.map((f) => [relative(dir, f.path), f.place, f.category]).sort()).toEqual([
      ['ComfyUI/models/loras/l.safetensors', 'models', 'loras'],
      ['shared/ckpts/c.safetensors', 'extra', 'checkpoints'],
    ]);
  });
});
