import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { readLocalMetadata } from '../../../sidecar/services/compare/read-local-metadata';
import { METADATA_CACHE_NAME } from '../../../sidecar/services/compare/compare-cache-file';
import { test as it } from '../../disk/temp-dir-test';

const sha = (n: number) => n.toString(16).padStart(64, 'a');

/** A reader that counts what it reads, so a test can tell the cache answered. */
function countingReader() {
  const reader = {
    reads: 0,
    read: async (path: string) => {
      reader.reads++;
      return readFile(path, 'utf8');
    },
  };
  return reader;
}

async function writeCollection(dir: string) {
  await mkdir(join(dir, 'loras', 'deep'), { recursive: true });
  await writeFile(
    join(dir, 'loras', 'a.metadata.json'),
    JSON.stringify({
      file_name: 'a',
      file_path: 'H:\\AI\\ComfyUI\\models\\loras\\a.safetensors',
      sha256: sha(1).toUpperCase(),
      size: 12,
      model_name: 'A',
      civitai: { id: 1 },
    }),
  );
  await writeFile(join(dir, 'loras', 'deep', 'b.json'), JSON.stringify({ file_name: 'b', sha256: null, size: null }));
  await writeFile(join(dir, 'loras', 'c.metadata.json'), JSON.stringify({ sha256: sha(3) }));
  await writeFile(join(dir, 'loras', 'broken.metadata.json'), '{"file_name": "x",');
  await writeFile(join(dir, 'loras', 'wrong.metadata.json'), JSON.stringify({ file_name: 'w', size: 'big' }));
  await writeFile(join(dir, 'loras', 'config.json'), JSON.stringify({ learning_rate: 1 }));
  await writeFile(join(dir, 'loras', 'a.safetensors'), 'not read in metadata mode');
  await mkdir(join(dir, '.hidden'));
  await writeFile(join(dir, '.hidden', 'h.json'), JSON.stringify({ sha256: sha(4) }));
}

describe('readLocalMetadata', () => {
  it('reads every JSON below the folder, Lora-Manager fields, and counts the invalid and the foreign ones', async ({
    dir,
  }) => {
    await writeCollection(dir);
    const { files, stats } = await readLocalMetadata({ localDir: dir });
    const byName = Object.fromEntries(files.map((f) => [f.name, f]));
    expect(Object.keys(byName).sort()).toEqual(['a.safetensors', 'b', 'c']);
    expect(byName['a.safetensors']).toMatchObject({
      sha256: sha(1),
      size: 12,
      hasExtension: true,
      path: 'H:\\AI\\ComfyUI\\models\\loras\\a.safetensors',
      source: join(dir, 'loras', 'a.metadata.json'),
    });
    expect(byName.b).toMatchObject({ sha256: null, hasExtension: false, size: null });
    expect(byName.c).toMatchObject({ sha256: sha(3), hasExtension: false });
    expect(stats).toMatchObject({ mode: 'metadata', filesFound: 6, filesRead: 6, fromCache: 0, ignored: 1 });
    expect(stats.invalid.map((i) => i.file)).toEqual(['loras/broken.metadata.json', 'loras/wrong.metadata.json']);
    expect(stats.invalid[0]?.reason).toMatch(/^not JSON/);
    expect(stats.invalid[1]?.reason).toMatch(/^size: /);
  });

  it('answers a second run from the cache without reading one metadata file, and re-reads only what changed', async ({
    dir,
  }) => {
    await writeCollection(dir);
    const first = countingReader();
    const one = await readLocalMetadata({ localDir: dir, readFile: first.read });
    expect(first.reads).toBe(6);

    const second = countingReader();
    const two = await readLocalMetadata({ localDir: dir, readFile: second.read });
    expect(second.reads).toBe(0);
    expect(two.stats).toMatchObject({ filesRead: 0, fromCache: 6, ignored: 1 });
    expect(two.stats.invalid).toEqual(one.stats.invalid);
    expect(new Set(two.files)).toEqual(new Set(one.files));

    await writeFile(join(dir, 'loras', 'deep', 'b.json'), JSON.stringify({ file_name: 'b', sha256: sha(2) }));
    const old = new Date(Date.now() - 60_000);
    await utimes(join(dir, 'loras', 'deep', 'b.json'), old, old);
    const third = countingReader();
    const three = await readLocalMetadata({ localDir: dir, readFile: third.read });
    expect(third.reads).toBe(1);
    expect(three.files.find((f) => f.name === 'b')?.sha256).toBe(sha(2));
  });

  it('neither reads nor writes the cache with useCache false', async ({ dir }) => {
    await writeCollection(dir);
    await readLocalMetadata({ localDir: dir, useCache: false });
    await expect(readFile(join(dir, METADATA_CACHE_NAME))).rejects.toMatchObject({ code: 'ENOENT' });
    await readLocalMetadata({ localDir: dir });
    const reader = countingReader();
    await readLocalMetadata({ localDir: dir, useCache: false, readFile: reader.read });
    expect(reader.reads).toBe(6);
  });

  it('rebuilds a damaged cache file instead of failing', async ({ dir }) => {
    await writeCollection(dir);
    await writeFile(join(dir, METADATA_CACHE_NAME), '{"version": 1, "entr');
    const { stats } = await readLocalMetadata({ localDir: dir });
    expect(stats.filesRead).toBe(6);
    const reader = countingReader();
    await readLocalMetadata({ localDir: dir, readFile: reader.read });
    expect(reader.reads).toBe(0);
  });

  it('refuses a folder that does not exist as bad input', async ({ dir }) => {
    await expect(readLocalMetadata({ localDir: join(dir, 'nope') })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});
