import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test as base } from 'vitest';
import { metadataCacheKey, openMetadataCache } from '../../../sidecar/remote/lookup/metadata-cache';

const test = base.extend<{ root: string }>({
  // eslint-disable-next-line no-empty-pattern
  root: async ({}, use) => {
    const root = await mkdtemp(join(tmpdir(), 'metadata-cache-'));
    await use(root);
    await rm(root, { recursive: true, force: true });
  },
});

const SHA = 'a'.repeat(64);

describe('openMetadataCache', () => {
  test('persists answers under <modelsRoot>/.cache/metadata.json and reads them back in a new instance', async ({
    root,
  }) => {
    const cache = await openMetadataCache({ modelsRoot: root });
    await cache.set('https://huggingface.co/o/r/resolve/main/a.safetensors', { sha256: SHA, size: 5 });
    await cache.set('https://huggingface.co/o/r/resolve/main/gone.safetensors', null);
    expect(cache.file).toBe(join(root, '.cache', 'metadata.json'));
    const again = await openMetadataCache({ modelsRoot: root });
    expect(again.get('https://huggingface.co/o/r/resolve/main/a.safetensors')).toEqual({ sha256: SHA, size: 5 });
    expect(again.get('https://huggingface.co/o/r/resolve/main/gone.safetensors')).toBeNull();
    expect(again.get('https://huggingface.co/o/r/resolve/main/other')).toBeUndefined();
  });

  test('keys by URL without credentials, so a token never reaches the file', async ({ root }) => {
    const cache = await openMetadataCache({ modelsRoot: root });
    await cache.set('https://civitai.com/api/download/models/1?type=Model&token=sekrit', { sha256: SHA });
    expect(cache.get('https://civitai.com/api/download/models/1?type=Model')).toEqual({ sha256: SHA });
    expect(await readFile(cache.file, 'utf8')).not.toContain('sekrit');
    expect(metadataCacheKey('https://u:p@civitai.com/x?b=2&a=1#f')).toBe('https://civitai.com/x?a=1&b=2');
  });

  test('forgets answers older than the TTL (a missing file sooner) and asks again', async ({ root }) => {
    let now = 1_000_000;
    const cache = await openMetadataCache({ modelsRoot: root, ttlMs: 1000, missingTtlMs: 100, now: () => now });
    await cache.set('u1', { size: 1 });
    await cache.set('u2', null);
    now += 500;
    expect(cache.get('u1')).toEqual({ size: 1 });
    expect(cache.get('u2')).toBeUndefined();
    now += 600;
    expect(cache.get('u1')).toBeUndefined();
  });

  test('lookup asks once for concurrent callers, does not cache errors, and reset empties it', async ({ root }) => {
    const cache = await openMetadataCache({ modelsRoot: root });
    let asked = 0;
    const ask = async () => {
      asked += 1;
      return { size: 3 };
    };
    const [a, b] = await Promise.all([cache.lookup('u', ask), cache.lookup('u', ask)]);
    expect([a, b, asked]).toEqual([{ size: 3 }, { size: 3 }, 1]);
    await expect(cache.lookup('bad', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(cache.get('bad')).toBeUndefined();
    await cache.reset();
    expect(cache.size).toBe(0);
    expect((await openMetadataCache({ modelsRoot: root })).get('u')).toBeUndefined();
  });

  test('starts empty from a file that is not a cache', async ({ root }) => {
    await mkdir(join(root, '.cache'));
    await writeFile(join(root, '.cache', 'metadata.json'), '{not json');
    const cache = await openMetadataCache({ modelsRoot: root });
    expect(cache.size).toBe(0);
    await cache.set('u', { size: 1 });
    expect(JSON.parse(await readFile(cache.file, 'utf8'))).toMatchObject({ version: 1 });
  });
});
