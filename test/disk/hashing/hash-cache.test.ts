import { describe, expect } from 'vitest';
import { readFile, readdir, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultHashCacheFile, openHashCache } from '../../../sidecar/disk/hashing/hash-cache';
import { fileIdentity } from '../../../sidecar/disk/hashing/file-identity';
import { openRegistry } from '../../../sidecar/registry/open-registry';
import { test } from '../temp-dir-test';

const SHA = 'a'.repeat(64);
/** Above Linux's largest pid (2^22): the writer of a temporary file named with it is certainly gone. */
const GONE_PID = 99999999;

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

  describe('opened by the holder of the registry lock', () => {
    test('removes the temporary files of killed saves, and keeps those of running writers and every other file', async ({
      dir,
    }) => {
      const registry = await openRegistry({ modelsRoot: dir });
      try {
        const file = defaultHashCacheFile(dir);
        await writeFile(file, JSON.stringify({ version: 1, entries: { '1:2:3:4.5': SHA } }));
        const gone = [`hash-cache.json.${GONE_PID}.0a1b2c3d.tmp`, `hash-cache.json.${GONE_PID}.ff.tmp`];
        // This process is running: a save of another cache object of it may be between its write and its rename.
        const kept = [
          `hash-cache.json.${process.pid}.deadbeef.tmp`,
          `models.json.${GONE_PID}.0a1b2c3d.tmp`,
          'hash-cache.json.bak',
          'notes.tmp',
        ];
        for (const name of [...gone, ...kept]) await writeFile(join(dir, '.registry', name), '{"version": 1, "entr');
        const cache = await openHashCache({ file, holdsRegistryLock: true });
        const names = await readdir(join(dir, '.registry'));
        expect(names.filter((n) => gone.includes(n))).toEqual([]);
        expect(names).toEqual(expect.arrayContaining([...kept, 'hash-cache.json']));
        expect(cache.get({ dev: 1, ino: 2, size: 3, mtimeMs: 4.5 })).toBe(SHA);
      } finally {
        await registry.close();
      }
    });

    test('opens before its folder exists', async ({ dir }) => {
      const cache = await openHashCache({ file: defaultHashCacheFile(dir), holdsRegistryLock: true });
      expect(cache.size).toBe(0);
    });
  });

  test('removes nothing when the caller does not say it holds the registry lock', async ({ dir }) => {
    const leftover = `hash-cache.json.${GONE_PID}.0a1b2c3d.tmp`;
    await mkdir(join(dir, '.registry'));
    await writeFile(join(dir, '.registry', leftover), '{');
    await openHashCache({ file: defaultHashCacheFile(dir) });
    expect(await readdir(join(dir, '.registry'))).toEqual([leftover]);
  });
});
