import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test as base } from 'vitest';
import { writeProxyKey } from '../../sidecar/server/proxy-key';
import { tempDir } from '../security/security-fixture';

const test = base.extend<{ dir: string }>({
  dir: async ({}, use) => {
    const { dir, remove } = await tempDir('depot-proxy-key-');
    await use(dir);
    await remove();
  },
});

describe('writeProxyKey', () => {
  test('writes a fresh random key only the user can read, creating its folder', async ({ dir }) => {
    const file = path.join(dir, 'models', '.registry', 'sidecar-key');
    const first = await writeProxyKey({ file });
    const key = (await readFile(file, 'utf8')).trim();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(first.matches(key)).toBe(true);
    await writeProxyKey({ file });
    expect((await readFile(file, 'utf8')).trim()).not.toBe(key);
  });

  test('matches only the exact key, never a missing, empty, repeated or altered one', async ({ dir }) => {
    const file = path.join(dir, 'sidecar-key');
    const proxyKey = await writeProxyKey({ file });
    const key = (await readFile(file, 'utf8')).trim();
    for (const wrong of [undefined, '', `${key}x`, key.slice(1), [key, key], key.toUpperCase()]) {
      expect(proxyKey.matches(wrong)).toBe(false);
    }
  });

  test('remove() deletes the file only while it holds this key', async ({ dir }) => {
    const file = path.join(dir, 'sidecar-key');
    const older = await writeProxyKey({ file });
    const newer = await writeProxyKey({ file });
    await older.remove();
    expect(newer.matches((await readFile(file, 'utf8')).trim())).toBe(true);
    await newer.remove();
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    await newer.remove();
    await writeFile(file, 'someone else');
    await older.remove();
    expect(await readFile(file, 'utf8')).toBe('someone else');
  });
});
