import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test as base, describe, expect } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** A package laid out as npm installs it (bin/ beside dist/, no sources), built into a temporary folder. */
const test = base.extend<{ pkg: string }>({
  // eslint-disable-next-line no-empty-pattern
  pkg: async ({}, use) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'md-code-cache-'));
    await run(process.execPath, ['build.mjs', 'sidecar', '--out-dir', path.join(dir, 'dist')], { cwd: ROOT });
    await mkdir(path.join(dir, 'bin'));
    await copyFile(path.join(ROOT, 'bin', 'model-depot.cjs'), path.join(dir, 'bin', 'model-depot.cjs'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
});

/** `model-depot --models <pkg>/models --json stats` through the bin, as a user runs it. */
async function stats(pkg: string): Promise<unknown> {
  const args = [path.join(pkg, 'bin', 'model-depot.cjs'), '--models', path.join(pkg, 'models'), '--json', 'stats'];
  const { stdout } = await run(process.execPath, args, { env: { PATH: process.env.PATH ?? '', HOME: pkg } });
  return JSON.parse(stdout);
}

/** The code cache files, as `<build>/<node>/<command>.v8`. */
async function cached(pkg: string): Promise<string[]> {
  const dir = path.join(pkg, 'dist', 'sidecar', 'code-cache');
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

const EMPTY = { model_count: 0, alias_count: 0, total_size_gb: 0 };

describe('bin/model-depot.cjs and its code cache', () => {
  test('the first run of a command saves its compiled code beside the bundle, and later runs answer the same', async ({
    pkg,
  }) => {
    expect(await stats(pkg)).toEqual(EMPTY);
    const files = await cached(pkg);
    expect(files).toEqual([expect.stringMatching(/^\d+-\d+[/\\]v\d+\.\d+\.\d+-[a-z0-9]+[/\\]stats\.v8$/)]);
    const first = await readFile(path.join(pkg, 'dist', 'sidecar', 'code-cache', files[0] ?? ''));
    expect(await stats(pkg)).toEqual(EMPTY);
    // Used, not written again.
    expect(await readFile(path.join(pkg, 'dist', 'sidecar', 'code-cache', files[0] ?? ''))).toEqual(first);
  });

  test('a damaged cache file is refused by V8, the command still answers, and the file is written anew', async ({
    pkg,
  }) => {
    await stats(pkg);
    const [file] = await cached(pkg);
    const where = path.join(pkg, 'dist', 'sidecar', 'code-cache', file ?? '');
    await writeFile(where, Buffer.from('not compiled code at all'));
    expect(await stats(pkg)).toEqual(EMPTY);
    expect((await readFile(where)).length).toBeGreaterThan(1000);
  });

  test('a new build of the bundle gets caches of its own; those of the build before are removed', async ({ pkg }) => {
    await stats(pkg);
    const [before] = await cached(pkg);
    const bundle = path.join(pkg, 'dist', 'sidecar', 'model-depot.cjs');
    const later = new Date(Date.now() + 60_000);
    await utimes(bundle, later, later);
    expect(await stats(pkg)).toEqual(EMPTY);
    const after = await cached(pkg);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toEqual(before);
  });
});
