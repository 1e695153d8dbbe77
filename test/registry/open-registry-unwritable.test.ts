import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test as base } from 'vitest';
import { openRegistry } from '../../sidecar/registry/open-registry';

interface UnwritableFixture {
  /** A models folder this process cannot write to, or undefined where none can be made (root without mount). */
  unwritable: string | undefined;
}

/**
 * As a normal user a folder without write permission is enough; root writes through permissions, so there a read-only
 * tmpfs is mounted (possible as root in a container with the capability; the test is skipped elsewhere).
 */
const test = base.extend<UnwritableFixture>({
  unwritable: async ({}, use) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'depot-ro-'));
    const models = path.join(dir, 'models');
    await mkdir(models);
    let mounted = false;
    if (process.getuid?.() === 0) {
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', models], { stdio: 'ignore' });
        mounted = true;
      } catch {
        await use(undefined);
        await rm(dir, { recursive: true, force: true });
        return;
      }
    } else await chmod(models, 0o555);
    await use(models);
    if (mounted) execFileSync('umount', [models]);
    await chmod(models, 0o755).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  },
});

describe('openRegistry on a models folder it cannot write', () => {
  test('fails with one line that names the folder and what to do, not a missing-file error', async ({
    unwritable,
    skip,
  }) => {
    if (unwritable === undefined) return skip('no read-only folder can be made here');
    const error = await openRegistry({ modelsRoot: unwritable }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'IO' });
    const message = error instanceof Error ? error.message : '';
    expect(message).toMatch(
      new RegExp(`^The models folder ${unwritable} is (on a read-only file system|not writable by this user): `),
    );
    expect(message).toContain('--models DIR');
    expect(message).not.toMatch(/ENOENT|\n/);
  });

  test('still opens read-only for stats and list', async ({ unwritable, skip }) => {
    if (unwritable === undefined) return skip('no read-only folder can be made here');
    const registry = await openRegistry({ modelsRoot: unwritable, readOnly: true });
    expect(registry.stats()).toMatchObject({ model_count: 0 });
  });
});
