import { describe, expect } from 'vitest';
import { lstat, mkdir, readFile, readdir, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { linkFile } from '../../sidecar/disk/link-file';
import { test } from './temp-dir-test';

describe('linkFile', () => {
  test('makes a relative symlink by default', async ({ dir }) => {
    const source = join(dir, 'checkpoints', 'a.safetensors');
    const dest = join(dir, 'loras', 'sub', 'b ✓.safetensors');
    await mkdir(join(dir, 'checkpoints'));
    await writeFile(source, 'model');
    expect(await linkFile({ source, dest })).toBe('symlink');
    expect(await readlink(dest)).toBe('../../checkpoints/a.safetensors');
    expect(await readFile(dest, 'utf8')).toBe('model');
  });

  test('makes a hard link when symlinks are not allowed (Windows without developer mode)', async ({ dir }) => {
    const source = join(dir, 'a.safetensors');
    await writeFile(source, 'model');
    const dest = join(dir, 'b.safetensors');
    expect(await linkFile({ source, dest, allowSymlink: false })).toBe('hardlink');
    expect((await stat(dest)).ino).toBe((await stat(source)).ino);
  });

  test('hard-links the real file when the source is a symlink', async ({ dir }) => {
    await writeFile(join(dir, 'real.safetensors'), 'model');
    await symlink('real.safetensors', join(dir, 'alias.safetensors'));
    const dest = join(dir, 'c.safetensors');
    expect(await linkFile({ source: join(dir, 'alias.safetensors'), dest, allowSymlink: false })).toBe('hardlink');
    expect((await lstat(dest)).isSymbolicLink()).toBe(false);
    expect((await stat(dest)).ino).toBe((await stat(join(dir, 'real.safetensors'))).ino);
  });

  test('copies when neither link is allowed, leaving no temp file', async ({ dir }) => {
    const source = join(dir, 'a.safetensors');
    await writeFile(source, Buffer.alloc(100_000, 3));
    const dest = join(dir, 'out', 'b.safetensors');
    expect(await linkFile({ source, dest, allowSymlink: false, allowHardlink: false })).toBe('copy');
    expect(await readFile(dest)).toEqual(Buffer.alloc(100_000, 3));
    expect((await stat(dest)).ino).not.toBe((await stat(source)).ino);
    expect(await readdir(join(dir, 'out'))).toEqual(['b.safetensors']);
  });

  test('never overwrites an existing file or a broken symlink (CONFLICT), in every mode', async ({ dir }) => {
    const source = join(dir, 'a.safetensors');
    await writeFile(source, 'new');
    const existing = join(dir, 'existing.safetensors');
    await writeFile(existing, 'old');
    const broken = join(dir, 'broken.safetensors');
    await symlink('nowhere', broken);
    for (const options of [{}, { allowSymlink: false }, { allowSymlink: false, allowHardlink: false }]) {
      await expect(linkFile({ source, dest: existing, ...options })).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(linkFile({ source, dest: broken, ...options })).rejects.toMatchObject({ code: 'CONFLICT' });
    }
    expect(await readFile(existing, 'utf8')).toBe('old');
    expect(await readlink(broken)).toBe('nowhere');
  });

  test('refuses a missing source with NOT_FOUND', async ({ dir }) => {
    await expect(
      linkFile({ source: join(dir, 'none.safetensors'), dest: join(dir, 'b.safetensors') }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
