import { test as base } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `test` with a fresh temporary directory per test (`dir`), removed afterwards. */
export const test = base.extend<{ dir: string }>({
  dir: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'model-depot-disk-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
});
