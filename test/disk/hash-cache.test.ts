import { describe, expect } from 'vitest';
import { readFile, readdir, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultHashCacheFile, openHashCache } from '../../sidecar/disk/hash-cache';
import { fileIdentity } from '../../sidecar/disk/file-identity';
import { test } from './temp-dir-test';

const SHA = 'a'.repeat(64);

describe('openHashCache', () => {
  test('finds a hash by (dev, ino, size, mtimeMs) after a save and a reopen', async ({ dir }) => {
    const model = join(dir, 'm.safetensors');
    await writeFile(model, 'x');
    const file = defaultHashCacheFile(dir);
    const cache = await openHashCache({ file });
    const identity = fileIdentity(await stat(model));
    cache.set(identity, SHA);
    await cache.save();
    const reopened = await openHashCache({ file });
    expect(reopened.get(identity)).toBe(SHA);
    expect(reopened.get({ ...identity, mtimeMs: identity.mtimeMs + 1 })).toBeUndefined();
    expect(reopened.get({ ...identity, size: identity.size + 1 })).toBeUndefined();
    expect(reopened.get({ ...identity, ino: identity.ino + 1 })).toBeUndefined();
  });

  test('writes nothing when nothing changed, and leaves no temp file after a save', async ({ dir }) => {
    const file = join(dir, '.registry', 'hash-cache.json');
    const cache = await openHashCache({ file });
    await cache.save();
    expect(await readdir(dir)).toEqual([]);
    cache.set({ dev: 1, ino: 2, size: 3, mtimeMs: 4.5 }, SHA);
    await cache.save();
    expect(await readdir(join(dir, '.registry'))).toEqual(['hash-cache.json']);
  });

  test('starts empty over a damaged cache file and replaces it on save', async ({ dir }) => {
    const file = join(dir, 'cache.json');
    await writeFile(file, '{"version": 1, "entries": {"k": "nope"}}');
    const cache = await openHashCache({ file });
    expect(cache.size).toBe(0);
    await cache.save();
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, entries: {} });
  });

  test('refuses an unreadable cache path with IO', async ({ dir }) => {
    const file = join(dir, 'a-directory');
    await mkdir(file);
    await expect(openHashCache({ file })).rejects.toMatchObject({ code: 'IO' });
  });
});
