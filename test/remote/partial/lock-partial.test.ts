import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockPartial } from '../../../sidecar/remote/partial/lock-partial';
import { partialPaths } from '../../../sidecar/remote/partial/resume-state';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function paths() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'md-lock-partial-'));
  dirs.push(dir);
  return partialPaths({ tmpDir: dir, url: 'https://huggingface.co/org/repo/resolve/main/m.safetensors' });
}

describe('lockPartial', () => {
  it('refuses a second download of the same partial while the first holds it, then lets it in', async () => {
    const where = await paths();
    const release = await lockPartial(where, { name: 'm.safetensors', staleMs: 2000 });
    const started = Date.now();
    await expect(lockPartial(where, { name: 'm.safetensors', staleMs: 2000 })).rejects.toMatchObject({
      code: 'DOWNLOAD_LOCKED',
      message: expect.stringMatching(/another model-depot process is downloading this file.*partial download is kept/),
    });
    // It waited long enough to tell a live holder (refreshing its lock) from a dead one.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    await release();
    expect(existsSync(`${where.part}.lock`)).toBe(false);
    const again = await lockPartial(where, { name: 'm.safetensors', staleMs: 2000 });
    await again();
    await again();
  }, 15_000);

  it('takes over the lock a killed process left behind once it is stale', async () => {
    const where = await paths();
    await mkdir(`${where.part}.lock`);
    const old = new Date(Date.now() - 60_000);
    await utimes(`${where.part}.lock`, old, old);
    const release = await lockPartial(where, { name: 'm.safetensors' });
    await release();
  });
});
