import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catalogSource } from '../../../sidecar/services/catalog/catalog-source';
import { loadCatalogs } from '../../../sidecar/services/catalog/load-catalogs';

const URL_ = 'https://example.org/lists/model-list.json';
const ENTRY = {
  name: 'tiny',
  type: 'checkpoint',
  base: 'SD1.5',
  save_path: 'default',
  filename: 'tiny.safetensors',
  url: 'https://example.org/tiny.safetensors',
};

describe('loadCatalogs', () => {
  let modelsRoot: string;
  beforeEach(async () => {
    modelsRoot = await mkdtemp(path.join(os.tmpdir(), 'md-load-catalogs-'));
  });
  afterEach(async () => {
    await rm(modelsRoot, { recursive: true, force: true });
  });

  it('names a URL catalog never stored as not fetched, with no catalogs folder at all', async () => {
    const source = catalogSource(URL_, { cwd: modelsRoot, modelsRoot });
    expect(await loadCatalogs([source])).toEqual({ catalogs: [], notFetched: [source] });
  });

  it('reads a URL catalog stored under its earlier name (the SHA-256 tag) until it is stored anew', async () => {
    const source = catalogSource(URL_, { cwd: modelsRoot, modelsRoot });
    const dir = path.join(modelsRoot, '.cache', 'catalogs');
    await mkdir(dir, { recursive: true });
    const sha = createHash('sha256').update(URL_).digest('hex').slice(0, 12);
    await writeFile(path.join(dir, `model-list-${sha}.json`), JSON.stringify({ models: [ENTRY] }));
    // Another URL's copy of the same name is not this one.
    await writeFile(path.join(dir, `model-list-${'0'.repeat(12)}.json`), JSON.stringify({ models: [] }));
    const loaded = await loadCatalogs([source]);
    expect(loaded.notFetched).toEqual([]);
    expect(loaded.catalogs).toHaveLength(1);
    expect(JSON.stringify(loaded.catalogs[0])).toContain('tiny.safetensors');

    await writeFile(path.join(dir, path.basename(source.cacheFile ?? '')), JSON.stringify({ models: [] }));
    expect(JSON.stringify((await loadCatalogs([source])).catalogs[0])).not.toContain('tiny.safetensors');
  });
});
