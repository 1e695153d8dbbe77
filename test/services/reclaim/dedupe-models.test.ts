import { lstat, open, readFile, readlink, stat } from 'node:fs/promises';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { hashFile } from '../../../sidecar/disk/hashing/hash-file';
import type { HashedFile } from '../../../sidecar/disk/hashing/hash-unchanged-file';
import { freeSpace } from '../../../sidecar/disk/free-space';
import { dedupeModels, type DedupeReport } from '../../../sidecar/services/reclaim/dedupe-models';
import { withDepotRegistry } from '../../../sidecar/services/reclaim/with-depot-registry';
import { treeSnapshot } from '../../disk/tree-snapshot';
import { put, sha256Of } from '../../disk/model-tree-fixture';
import { makeAppTree, mountTmpfs, register, test, unmount } from './reclaim-fixture';

interface CountedDedupe {
  report: DedupeReport;
  /** Files whose content was read. */
  reads: number;
}

async function dedupe(
  modelsRoot: string,
  options: { dryRun: boolean; allowSymlink?: boolean; openFiles?: () => Promise<ReadonlySet<string>> },
): Promise<CountedDedupe> {
  let reads = 0;
  const counting = (path: string): Promise<HashedFile> => {
    reads++;
    return hashFile(path);
  };
  const report = await withDepotRegistry({ modelsRoot, readOnly: options.dryRun }, (registry, hashCache) =>
    dedupeModels({ registry, hashCache, modelsRoot, hashFile: counting, ...options }),
  );
  return { report, reads };
}

describe('dedupeModels', () => {
  test('--dry-run over 3 models held twice changes nothing and reports the bytes it would give back', async ({
    volume,
  }) => {
    const tree = await makeAppTree(volume.dir);
    const before = await treeSnapshot(volume.dir);
    const { report } = await dedupe(tree.modelsRoot, { dryRun: true });
    expect(await treeSnapshot(volume.dir)).toEqual(before);
    expect(report.totals).toMatchObject({ groups: 3, links: 3, bytesToFree: 7 << 20 });
    expect(report.totals.bytesFreed).toBeUndefined();
    for (const model of tree.models) {
      expect(report.groups).toContainEqual(
        expect.objectContaining({
          sha256: model.sha256,
          canonical: model.canonical,
          links: [expect.objectContaining({ path: model.copy, kind: 'symlink' })],
        }),
      );
    }
  });

  test('gives the bytes back (measured by statfs), every path keeps its bytes, and a second run reads no file', async ({
    volume,
  }) => {
    const tree = await makeAppTree(volume.dir);
    const freeBefore = await freeSpace(volume.dir);
    const first = await dedupe(tree.modelsRoot, { dryRun: false });
    const freeAfter = await freeSpace(volume.dir);

    expect(first.report.skipped).toEqual([]);
    expect(first.report.totals.links).toBe(3);
    if (volume.privateVolume) {
      // Its own tmpfs: the figures are exact (the registry file grows by a few hundred bytes, within a page).
      expect(first.report.totals.bytesFreed).toBe(7 << 20);
      expect(freeAfter - freeBefore).toBeGreaterThanOrEqual((7 << 20) - 8192);
    } else {
      expect(first.report.totals.bytesFreed).toBeGreaterThan(0);
    }
    for (const model of tree.models) {
      expect((await lstat(model.copy)).isSymbolicLink()).toBe(true);
      expect((await readlink(model.copy)).startsWith('/')).toBe(false);
      expect(sha256Of(await readFile(model.copy))).toBe(model.sha256);
      expect(sha256Of(await readFile(model.canonical))).toBe(model.sha256);
    }
    // migrate's registrations vouch for every file: nothing was read the first time either.
    expect(first.reads).toBe(0);

    const second = await dedupe(tree.modelsRoot, { dryRun: false });
    expect(second.reads).toBe(0);
    expect(second.report.totals).toMatchObject({ groups: 0, links: 0, hashed: 0, bytesToFree: 0 });
    // The three links are not verified again (their bytes are the canonical files'): three files, none read.
    expect(second.report.totals.cacheHits).toBe(3);
  });

  test('verifies a file whose identity changed by reading it, and leaves a changed copy alone', async ({ volume }) => {
    const tree = await makeAppTree(volume.dir);
    const [base, style] = tree.models;
    if (!base || !style) throw new Error('fixture');
    // Same bytes, new mtime: must be read again before it may be replaced.
    const bytes = await readFile(base.copy);
    await put(base.copy, bytes);
    // Other bytes under a registered name: never replaced by a link to the old model.
    await put(style.copy, Buffer.alloc(style.size, 'z'));
    const { report, reads } = await dedupe(tree.modelsRoot, { dryRun: false });
    expect(reads).toBe(2);
    expect(report.groups.map((g) => g.sha256).sort()).toEqual([base.sha256, tree.models[2]?.sha256].sort());
    expect(report.skipped).toEqual([expect.objectContaining({ path: style.copy, reason: 'changed' })]);
    expect((await readFile(style.copy))[0]).toBe('z'.charCodeAt(0));
  });

  test('skips a file another program holds open and a read-only folder, losing nothing', async ({ volume }) => {
    const tree = await makeAppTree(volume.dir);
    const [base, style, vae] = tree.models;
    if (!base || !style || !vae) throw new Error('fixture');
    const held = await open(style.copy, 'r');
    await chmod(join(tree.apps[0], 'vae'), 0o555);
    try {
      const { report } = await dedupe(tree.modelsRoot, { dryRun: false });
      expect(report.groups.flatMap((g) => g.links.map((l) => l.path))).toEqual([base.copy]);
      expect(report.skipped).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: style.copy, reason: 'open' }),
          expect.objectContaining({ path: vae.copy, reason: 'read-only' }),
        ]),
      );
      expect((await lstat(style.copy)).isFile()).toBe(true);
      expect((await lstat(vae.copy)).isFile()).toBe(true);
      expect(sha256Of(await readFile(vae.copy))).toBe(vae.sha256);
    } finally {
      await held.close();
      await chmod(join(tree.apps[0], 'vae'), 0o755);
    }
  });

  test('a copy on another file system becomes a symlink, said so; without symlinks it is skipped', async ({
    volume,
  }) => {
    const other = join(volume.dir, 'other-volume');
    const reason = await mountTmpfs(other, 16);
    if (reason !== undefined) {
      console.warn(`skipped: ${reason}`);
      return;
    }
    try {
      const bytes = Buffer.alloc(1 << 20, 'o');
      const canonical = join(volume.dir, 'models', 'checkpoints', 'o.safetensors');
      const copy = join(other, 'checkpoints', 'o.safetensors');
      await put(canonical, bytes);
      await put(copy, bytes);
      await register(join(volume.dir, 'models'), [other]);
      expect((await stat(copy)).dev).not.toBe((await stat(canonical)).dev);

      const refused = await dedupe(join(volume.dir, 'models'), { dryRun: false, allowSymlink: false });
      expect(refused.report.skipped).toEqual([expect.objectContaining({ path: copy, reason: 'other-volume' })]);
      expect((await lstat(copy)).isFile()).toBe(true);

      const freeBefore = await freeSpace(other);
      const { report } = await dedupe(join(volume.dir, 'models'), { dryRun: false });
      expect(report.groups[0]?.links).toEqual([
        expect.objectContaining({ path: copy, kind: 'symlink', note: expect.stringMatching(/another volume/) }),
      ]);
      expect(await freeSpace(other)).toBe(freeBefore + (1 << 20));
      expect(sha256Of(await readFile(copy))).toBe(sha256Of(bytes));
    } finally {
      await unmount(other);
    }
  });
});
