import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it as base } from 'vitest';
import { createFakeHub, type FakeHub } from '../../fake-hub/create-fake-hub';
import { hfListTree } from '../../../sidecar/remote/hub/hf-list-tree';
import { HashPool } from '../../../sidecar/disk/hashing/hash-pool';
import { openHashCache } from '../../../sidecar/disk/hashing/hash-cache';
import { compareRepository, type CompareRepositoryOptions } from '../../../sidecar/services/compare/compare-repository';
import { createCompareFilter } from '../../../sidecar/services/compare/compare-filter';
import { readLocalMetadata } from '../../../sidecar/services/compare/read-local-metadata';
import { scanLocalFiles } from '../../../sidecar/services/compare/scan-local-files';
import { HASH_CACHE_NAME } from '../../../sidecar/services/compare/compare-cache-file';
import { EXPORT_ALL_FILES, writeCompareExports } from '../../../sidecar/services/compare/compare-exports';
import { zCompareResult, type CompareResult } from '../../../sidecar/services/compare/compare-schema';
import { buildCompareCollection, writeMetadataFolder, writeRawFolder } from '../compare-collection-fixture';
import { parseAria2Input } from '../aria2-input-grammar';

const REPO = 'someone/big-loras';
/** The grammar check always runs; the real aria2c run needs aria2c, which .ci/run installs (so CI never skips it). */
const hasAria2 = spawnSync('aria2c', ['--version']).status === 0 || Boolean(process.env.CI);
const collection = buildCompareCollection(2500, 30);

interface Fixtures {
  dir: string;
  hub: FakeHub;
}

const it = base.extend<Fixtures>({
  dir: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'md-compare-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
  hub: async ({}, use) => {
    const hub = await createFakeHub();
    hub.addRepo({ id: REPO, files: collection.repoFiles });
    await use(hub);
    await hub.close();
  },
});

function baseOptions(
  hub: FakeHub,
  localDir: string,
  readLocal: CompareRepositoryOptions['readLocal'],
): CompareRepositoryOptions {
  return {
    repoId: REPO,
    repoType: 'model',
    revision: 'main',
    path: null,
    file: null,
    hubUrl: hub.hfUrl,
    listTree: hfListTree,
    localDir,
    readLocal,
    filter: createCompareFilter({}),
    pattern: null,
    safetensorsOnly: false,
  };
}

/** The groups by repository path (local-only by name), sorted: what both modes must agree on. */
function groupsOf(result: CompareResult) {
  const paths = (list: Array<{ path: string }>) => list.map((f) => f.path).sort();
  return {
    matched: paths(result.groups.matched.map((p) => p.remote)),
    nameOnly: paths(result.groups.nameOnly.map((p) => p.remote)),
    mismatched: paths(result.groups.mismatched.map((p) => p.remote)),
    missing: paths(result.groups.missing),
    localOnly: result.groups.localOnly.map((f) => f.name).sort(),
  };
}

const sorted = (e: typeof collection.expected) =>
  Object.fromEntries(Object.entries(e).map(([k, v]) => [k, [...v].sort()]));

const tsvRows = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((l) => l.split('\t'));

describe('compareRepository against the fake hub', () => {
  it('gives the same four groups from metadata JSON files and from raw files, over three tree pages', async ({
    hub,
    dir,
  }) => {
    const metaDir = join(dir, 'meta');
    const rawDir = join(dir, 'raw');
    await writeMetadataFolder(metaDir, collection.locals);
    await writeRawFolder(rawDir, collection.locals);

    const fromMetadata = await compareRepository(
      baseOptions(hub, metaDir, () => readLocalMetadata({ localDir: metaDir })),
    );
    const pool = new HashPool({ workers: 2 });
    try {
      const hashCache = await openHashCache({ file: join(rawDir, HASH_CACHE_NAME) });
      const fromFiles = await compareRepository(
        baseOptions(hub, rawDir, () => scanLocalFiles({ localDir: rawDir, pool, hashCache })),
      );
      expect(groupsOf(fromMetadata)).toEqual(sorted(collection.expected));
      expect(groupsOf(fromFiles)).toEqual(groupsOf(fromMetadata));
      expect(fromFiles.summary).toEqual(fromMetadata.summary);
      expect(fromFiles.local).toMatchObject({
        mode: 'files',
        filesFound: collection.locals.length,
        filesRead: collection.locals.length,
      });

      // A second scan hashes nothing: the hash cache answers every unchanged file.
      const again = await scanLocalFiles({
        localDir: rawDir,
        pool,
        hashCache: await openHashCache({ file: join(rawDir, HASH_CACHE_NAME) }),
      });
      expect(again.stats).toMatchObject({ filesRead: 0, fromCache: collection.locals.length });
    } finally {
      await pool.close();
    }

    expect(fromMetadata.summary).toMatchObject({
      remoteFiles: 2500,
      matched: 1000,
      nameOnly: 250,
      mismatched: 250,
      missing: 1000,
      localOnly: 30,
      localFiles: collection.locals.length,
    });
    const renamed = fromMetadata.groups.matched.find((p) => p.remote.path === 'loras/set-3/lora-3.safetensors');
    expect(renamed?.local.name).toBe('renamed-3.safetensors');
    const treePages = hub.requests.filter((r) => r.path.includes('/tree/'));
    expect(treePages.length).toBe(6); // 3 pages for each run
  });

  it('answers a second metadata run from the cache without reading one metadata file', async ({ hub, dir }) => {
    await writeMetadataFolder(dir, collection.locals);
    let reads = 0;
    const readFileCounted = (path: string) => {
      reads++;
      return readFile(path, 'utf8');
    };
    const run = () =>
      compareRepository(baseOptions(hub, dir, () => readLocalMetadata({ localDir: dir, readFile: readFileCounted })));
    const first = await run();
    expect(reads).toBe(collection.locals.length);
    reads = 0;
    const second = await run();
    expect(reads).toBe(0);
    expect(second.local).toMatchObject({ filesRead: 0, fromCache: collection.locals.length });
    expect(groupsOf(second)).toEqual(groupsOf(first));
  });

  it('writes every export: group lists, URLs, a valid aria2c input file and summary.json', async ({ hub, dir }) => {
    const localDir = join(dir, 'meta');
    await writeMetadataFolder(localDir, collection.locals);
    const result = await compareRepository(baseOptions(hub, localDir, () => readLocalMetadata({ localDir })));
    const out = join(dir, 'results');
    const downloadDir = join(dir, 'downloads');
    const single = join(dir, 'single');
    const written = await writeCompareExports({
      result,
      downloadDir,
      allDir: out,
      files: {
        missing: join(single, 'missing.tsv'),
        urls: join(single, 'urls.txt'),
        matched: join(single, 'matches.tsv'),
        aria2: join(single, 'x.aria2'),
      },
    });
    expect(written).toHaveLength(4 + Object.keys(EXPORT_ALL_FILES).length);
    const read = (name: string) => readFile(join(out, name), 'utf8');
    const expected = sorted(collection.expected);
    const byPath = new Map(collection.repoFiles.map((f) => [f.path, f]));
    const urlOf = (path: string) => `${hub.hfUrl}/${REPO}/resolve/main/${path}`;

    const missingRows = tsvRows(await read('missing.txt'));
    expect(missingRows.map((r) => r[0]).sort()).toEqual(expected.missing);
    for (const [path = '', size, sha, url] of missingRows) {
      const file = byPath.get(path);
      expect(Number(size)).toBe(Buffer.byteLength(file?.content ?? ''));
      expect(sha).toBe(file?.lfs ? collection.sha256Of(file.content) : '-');
      expect(url).toBe(urlOf(path));
    }
    expect(
      tsvRows(await read('matched.txt'))
        .map((r) => r[0])
        .sort(),
    ).toEqual(expected.matched);
    expect(
      tsvRows(await read('name-only.txt'))
        .map((r) => r[0])
        .sort(),
    ).toEqual(expected.nameOnly);
    const mismatchRows = tsvRows(await read('mismatched.txt'));
    expect(mismatchRows.map((r) => r[0]).sort()).toEqual(expected.mismatched);
    for (const [, , remoteSha, localSha] of mismatchRows) expect(remoteSha).not.toBe(localSha);
    expect(
      tsvRows(await read('local-only.txt'))
        .map((r) => r[0])
        .sort(),
    ).toEqual(expected.localOnly);

    const urls = (await read('missing-urls.txt')).split('\n');
    expect(urls.pop()).toBe('');
    expect([...urls].sort()).toEqual(expected.missing.map(urlOf).sort());
    // The URLs work: the hub answers each resolve URL (302 to its CDN for LFS files, 307 for regular ones).
    for (const url of urls.slice(0, 5)) {
      const answer = await fetch(url, { method: 'HEAD', redirect: 'manual' });
      expect([302, 307]).toContain(answer.status);
    }

    const entries = parseAria2Input(await read('missing.aria2'));
    expect(entries).toHaveLength(expected.missing.length);
    for (const entry of entries) {
      const path = expected.missing.find((p) => entry.uris[0] === urlOf(p)) ?? '';
      const file = byPath.get(path);
      expect(entry.uris).toEqual([urlOf(path)]);
      expect(entry.options.dir).toBe(downloadDir);
      expect(entry.options.out).toBe(path);
      expect(entry.options.checksum).toBe(file?.lfs ? `sha-256=${collection.sha256Of(file.content)}` : undefined);
    }

    const summary = zCompareResult.parse(JSON.parse(await read('summary.json')));
    expect(summary).toEqual(result);
    // The single-file exports are the same texts as their --export-all counterparts.
    expect(await readFile(join(single, 'missing.tsv'), 'utf8')).toBe(await read('missing.txt'));
    expect(await readFile(join(single, 'urls.txt'), 'utf8')).toBe(await read('missing-urls.txt'));
    expect(await readFile(join(single, 'matches.tsv'), 'utf8')).toBe(await read('matched.txt'));
    expect(await readFile(join(single, 'x.aria2'), 'utf8')).toBe(await read('missing.aria2'));
  });

  it('applies --safetensors-only and --filter to the repository files and the local-only list, matching renamed copies still', async ({
    hub,
    dir,
  }) => {
    await writeMetadataFolder(dir, collection.locals);
    const result = await compareRepository({
      ...baseOptions(hub, dir, () => readLocalMetadata({ localDir: dir })),
      filter: createCompareFilter({ pattern: 'lora-1?.safetensors', safetensorsOnly: true }),
      pattern: 'lora-1?.safetensors',
      safetensorsOnly: true,
    });
    expect(result.groups.missing.map((f) => f.path).sort()).toEqual([
      'loras/set-2/lora-16.safetensors',
      'loras/set-3/lora-17.safetensors',
      'loras/set-4/lora-18.safetensors',
    ]);
    expect(result.summary).toMatchObject({ remoteFiles: 9, matched: 4, nameOnly: 1, mismatched: 1, localOnly: 0 });
    expect(result.groups.matched.map((p) => p.local.name)).toContain('renamed-13.safetensors');
  });

  it('waits out a 429 on the tree listing and still lists every page', async ({ hub, dir }) => {
    await writeMetadataFolder(dir, collection.locals.slice(0, 10));
    hub.setFault({ kind: 'fail', status: 429, resetSeconds: 1, urlPath: /\/tree\//, times: 1 });
    const result = await compareRepository(baseOptions(hub, dir, () => readLocalMetadata({ localDir: dir })));
    expect(result.summary.remoteFiles).toBe(2500);
    expect(hub.requests.filter((r) => r.path.includes('/tree/')).map((r) => r.status)).toEqual([429, 200, 200, 200]);
  });

  it.skipIf(!hasAria2)(
    'the aria2c file downloads and checksum-verifies every missing file with aria2c itself',
    async ({ hub, dir }) => {
      const localDir = join(dir, 'meta');
      await writeMetadataFolder(localDir, collection.locals.slice(0, 20));
      const small = await compareRepository({
        ...baseOptions(hub, localDir, () => readLocalMetadata({ localDir })),
        filter: createCompareFilter({ pattern: 'loras/set-1/*-2??.*' }),
        pattern: 'loras/set-1/*-2??.*',
      });
      const downloadDir = join(dir, 'aria2');
      const input = join(dir, 'missing.aria2');
      await writeCompareExports({ result: small, downloadDir, files: { aria2: input } });
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn('aria2c', [
          '-i',
          input,
          '--console-log-level=error',
          '--summary-interval=0',
          '--check-integrity=true',
        ]);
        child.on('close', resolve);
      });
      expect(code).toBe(0);
      expect(small.groups.missing.length).toBeGreaterThan(5);
      for (const file of small.groups.missing) {
        const bytes = await readFile(join(downloadDir, file.relativePath), 'utf8');
        expect(bytes).toBe(byPathOf(file.path));
      }
    },
  );
});

function byPathOf(path: string): string {
  return collection.repoFiles.find((f) => f.path === path)?.content ?? '';
}
