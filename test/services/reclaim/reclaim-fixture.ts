import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test as base } from 'vitest';
import { put, sha256Of } from '../../disk/model-tree-fixture';
import { migrateDepot } from '../../../sidecar/services/depot/migrate-depot';

const run = promisify(execFile);

/**
 * Mounts a small tmpfs on `dir` (root only): a volume of its own, so free-space figures are exact (no other test
 * writes there) and a second one is a real "other file system". Resolves the reason when it cannot.
 */
export async function mountTmpfs(dir: string, megabytes: number): Promise<string | undefined> {
  await mkdir(dir, { recursive: true });
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', dir]);
    return undefined;
  } catch (error) {
    return `cannot mount a tmpfs on ${dir} (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
}

export async function unmount(dir: string): Promise<void> {
  await run('umount', [dir]).catch(() => undefined);
}

/** A fresh folder for one test, on a private tmpfs when one can be mounted. */
export interface ScratchVolume {
  dir: string;
  /** On its own tmpfs: free-space figures are exact (no other process writes there). */
  privateVolume: boolean;
  /** Why there is no private volume. */
  reason?: string;
}

export const test = base.extend<{ volume: ScratchVolume }>({
  volume: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'model-depot-reclaim-'));
    const reason = await mountTmpfs(dir, 96);
    await use({ dir, privateVolume: reason === undefined, ...(reason !== undefined && { reason }) });
    if (reason === undefined) await unmount(dir);
    await rm(dir, { recursive: true, force: true });
  },
});

export interface AppTree {
  modelsRoot: string;
  apps: [string, string];
  /** Each model's path under the models root and its copy in an app folder. */
  models: { name: string; sha256: string; size: number; canonical: string; copy: string }[];
}

/**
 * 3 models held twice: under the models root, and again in one of two other applications' folders (registered as
 * hub directories by migrate). Sizes are whole MiB so a volume's free space shows each byte given back.
 */
export async function makeAppTree(dir: string): Promise<AppTree> {
  const modelsRoot = join(dir, 'models');
  const apps: [string, string] = [join(dir, 'app-one'), join(dir, 'app-two')];
  const specs = [
    { name: 'checkpoints/base.safetensors', app: apps[0], size: 4 << 20, fill: 'a' },
    { name: 'loras/style.safetensors', app: apps[1], size: 2 << 20, fill: 'b' },
    { name: 'vae/ae.safetensors', app: apps[0], size: 1 << 20, fill: 'c' },
  ];
  const models = [];
  for (const spec of specs) {
    const bytes = Buffer.alloc(spec.size, spec.fill);
    const canonical = join(modelsRoot, spec.name);
    const copy = join(spec.app, spec.name);
    await put(canonical, bytes);
    await put(copy, bytes);
    models.push({ name: spec.name, sha256: sha256Of(bytes), size: spec.size, canonical, copy });
  }
  await register(modelsRoot, apps);
  return { modelsRoot, apps, models };
}

/** `migrate` with the given hub directories: registers and hashes everything once. */
export async function register(modelsRoot: string, hubDirs: readonly string[]): Promise<void> {
  const { report } = await migrateDepot({ modelsRoot, hubDirs: [...hubDirs], dryRun: false, env: {} });
  if (report.failed.length > 0) throw new Error(`migrate failed: ${JSON.stringify(report.failed)}`);
}
