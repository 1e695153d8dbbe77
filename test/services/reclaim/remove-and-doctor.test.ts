import { link, lstat, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { dedupeModels } from '../../../sidecar/services/reclaim/dedupe-models';
import { doctorDepot } from '../../../sidecar/services/reclaim/doctor-depot';
import { removeModelFile } from '../../../sidecar/services/reclaim/remove-model-file';
import { withDepotRegistry } from '../../../sidecar/services/reclaim/with-depot-registry';
import { put, sha256Of } from '../../disk/model-tree-fixture';
import { makeAppTree, mountTmpfs, register, test, unmount } from './reclaim-fixture';

const dedupe = (modelsRoot: string) =>
  withDepotRegistry({ modelsRoot }, (registry, hashCache) =>
    dedupeModels({ registry, hashCache, modelsRoot, dryRun: false }),
  );
const remove = (modelsRoot: string, file: string) =>
  withDepotRegistry({ modelsRoot }, (registry, hashCache) => removeModelFile({ registry, hashCache, file }));
const doctor = (modelsRoot: string, fix: boolean) =>
  withDepotRegistry({ modelsRoot, readOnly: !fix }, (registry, hashCache) => doctorDepot({ registry, hashCache, fix }));

describe('removeModelFile', () => {
  test('removing a canonical file keeps every link working: the file takes a link’s place, the others follow', async ({
    volume,
  }) => {
    const tree = await makeAppTree(volume.dir);
    const [base] = tree.models;
    if (!base) throw new Error('fixture');
    // A third copy in the second app: two links will depend on the canonical file.
    const third = join(tree.apps[1], 'checkpoints', 'base.safetensors');
    await put(third, await readFile(base.canonical));
    await register(tree.modelsRoot, tree.apps);
    await dedupe(tree.modelsRoot);
    expect((await lstat(third)).isSymbolicLink()).toBe(true);

    const report = await remove(tree.modelsRoot, base.canonical);
    expect(report.newCanonical).toBe(base.copy);
    expect(report.repointed).toEqual([third]);
    await expect(lstat(base.canonical)).rejects.toThrow(/ENOENT/);
    expect((await lstat(base.copy)).isFile()).toBe(true);
    for (const path of [base.copy, third]) expect(sha256Of(await readFile(path))).toBe(base.sha256);
    expect((await doctor(tree.modelsRoot, false)).findings).toEqual([]);
  });

  test('moves the canonical role to a remaining hard-linked copy and re-points the symlinks there', async ({
    volume,
  }) => {
    const tree = await makeAppTree(volume.dir);
    const [base] = tree.models;
    if (!base) throw new Error('fixture');
    await dedupe(tree.modelsRoot);
    const hard = join(tree.modelsRoot, 'checkpoints', 'base-hard.safetensors');
    await link(base.canonical, hard);
    await register(tree.modelsRoot, tree.apps);

    const report = await remove(tree.modelsRoot, base.canonical);
    expect(report.newCanonical).toBe(hard);
    expect(report.repointed).toEqual([base.copy]);
    expect(sha256Of(await readFile(base.copy))).toBe(base.sha256);
  });

  test('refuses when the only links are on another volume: nothing is removed, no link breaks', async ({ volume }) => {
    const other = join(volume.dir, 'other-volume');
    const reason = await mountTmpfs(other, 16);
    if (reason !== undefined) {
      console.warn(`skipped: ${reason}`);
      return;
    }
    try {
      const modelsRoot = join(volume.dir, 'models');
      const bytes = Buffer.alloc(1 << 20, 'r');
      const canonical = join(modelsRoot, 'checkpoints', 'r.safetensors');
      const copy = join(other, 'checkpoints', 'r.safetensors');
      await put(canonical, bytes);
      await put(copy, bytes);
      await register(modelsRoot, [other]);
      await dedupe(modelsRoot);
      expect((await lstat(copy)).isSymbolicLink()).toBe(true);

      await expect(remove(modelsRoot, canonical)).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringMatching(/holds the bytes of 1 link.*it was not removed/),
      });
      expect(sha256Of(await readFile(copy))).toBe(sha256Of(bytes));
      expect((await doctor(modelsRoot, false)).findings).toEqual([]);
    } finally {
      await unmount(other);
    }
  });

  test('refuses a file that is not registered', async ({ volume }) => {
    const tree = await makeAppTree(volume.dir);
    await expect(remove(tree.modelsRoot, join(volume.dir, 'nothing.safetensors'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('doctorDepot', () => {
  test('reports a canonical file deleted by hand and the links it broke; --fix forgets what is gone', async ({
    volume,
  }) => {
    const tree = await makeAppTree(volume.dir);
    const [base] = tree.models;
    if (!base) throw new Error('fixture');
    await dedupe(tree.modelsRoot);
    await rm(base.canonical);

    const report = await doctor(tree.modelsRoot, false);
    expect(report.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'gone', path: base.canonical }),
        expect.objectContaining({ kind: 'broken-link', path: base.copy }),
      ]),
    );
    expect(report.findings).toHaveLength(2);

    const fixed = await doctor(tree.modelsRoot, true);
    expect(fixed.findings.find((f) => f.kind === 'gone')?.fix).toMatchObject({ done: true });
    expect(fixed.findings.find((f) => f.kind === 'broken-link')?.fix).toMatchObject({ done: false });
  });

  test('re-points a broken link to a remaining copy and registers a changed file under its new SHA-256', async ({
    volume,
  }) => {
    const tree = await makeAppTree(volume.dir);
    const [base, style] = tree.models;
    if (!base || !style) throw new Error('fixture');
    await dedupe(tree.modelsRoot);
    const spare = join(tree.modelsRoot, 'checkpoints', 'spare.safetensors');
    await put(spare, await readFile(base.canonical));
    await register(tree.modelsRoot, tree.apps);
    await rm(base.canonical);
    const changed = Buffer.alloc(1000, 'n');
    await put(style.canonical, changed);

    const fixed = await doctor(tree.modelsRoot, true);
    expect(fixed.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'broken-link',
          path: base.copy,
          fix: { done: true, action: `re-pointed to ${spare}` },
        }),
        expect.objectContaining({
          kind: 'changed',
          path: style.canonical,
          fix: expect.objectContaining({ done: true }),
        }),
      ]),
    );
    expect(sha256Of(await readFile(base.copy))).toBe(base.sha256);
    const again = await doctor(tree.modelsRoot, false);
    expect(again.findings).toEqual([]);
  });
});
