import { lstat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { lockPartial } from '../../../sidecar/remote/partial/lock-partial';
import { pruneCache } from '../../../sidecar/services/reclaim/prune-cache';
import { put } from '../../disk/model-tree-fixture';
import { treeSnapshot } from '../../disk/tree-snapshot';
import { test } from '../../disk/temp-dir-test';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );

async function cacheTree(modelsRoot: string) {
  const tmp = join(modelsRoot, '.cache', 'tmp');
  const idle = join(tmp, `${A}.part`);
  const busy = join(tmp, `${B}.part`);
  await put(idle, Buffer.alloc(100_000, 1));
  await put(`${idle}.json`, '{}');
  await put(`${idle}.json.123.abcd.tmp`, '{');
  await put(busy, Buffer.alloc(50_000, 2));
  await put(`${busy}.json`, '{}');
  await put(join(modelsRoot, '.cache', 'metadata.json'), '{"entries":{}}');
  await put(join(modelsRoot, '.cache', 'catalogs', 'wan-1234.json'), '[]');
  await put(join(modelsRoot, 'checkpoints', 'keep.safetensors'), 'model');
  return { idle, busy };
}

describe('pruneCache', () => {
  test('removes idle partials and cached answers, never a partial whose lock is held', async ({ dir }) => {
    const modelsRoot = join(dir, 'models');
    const { idle, busy } = await cacheTree(modelsRoot);
    const release = await lockPartial({ part: busy, state: `${busy}.json` }, { name: 'busy' });
    try {
      const before = await treeSnapshot(modelsRoot);
      const dry = await pruneCache({ modelsRoot, dryRun: true });
      expect(await treeSnapshot(modelsRoot)).toEqual(before);
      expect(dry.pruned.map((i) => i.kind).sort()).toEqual(['catalog', 'metadata', 'partial']);
      expect(dry.pruned.find((i) => i.kind === 'partial')?.files).toHaveLength(3);
      expect(dry.totals.bytes).toBeGreaterThanOrEqual(100_000);
      expect(dry.kept).toEqual([expect.objectContaining({ path: busy, reason: 'a running download holds it' })]);

      const real = await pruneCache({ modelsRoot, dryRun: false });
      expect(real.totals).toEqual(dry.totals);
      for (const gone of [idle, `${idle}.json`, join(modelsRoot, '.cache', 'metadata.json')]) {
        expect(await exists(gone)).toBe(false);
      }
      expect(await exists(busy)).toBe(true);
      expect(await exists(`${busy}.json`)).toBe(true);
      expect(await exists(join(modelsRoot, 'checkpoints', 'keep.safetensors'))).toBe(true);
    } finally {
      await release();
    }
  });

  test('--older-than keeps what was written more recently', async ({ dir }) => {
    const modelsRoot = join(dir, 'models');
    const { idle } = await cacheTree(modelsRoot);
    const old = new Date(Date.now() - 10 * 86_400_000);
    for (const file of [idle, `${idle}.json`, `${idle}.json.123.abcd.tmp`]) await utimes(file, old, old);
    const report = await pruneCache({ modelsRoot, dryRun: false, olderThanDays: 7 });
    expect(report.pruned.map((i) => i.path)).toEqual([idle]);
    expect(await exists(idle)).toBe(false);
    expect(await exists(join(modelsRoot, '.cache', 'metadata.json'))).toBe(true);
  });
});
