import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test as base, describe, expect } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** A fresh `node build.mjs --out-dir` into a temporary folder (the repository's dist/ is left to `npm test`). */
const test = base.extend<{ out: string }>({
  // eslint-disable-next-line no-empty-pattern
  out: async ({}, use) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'md-build-'));
    // The sidecar bundle keeps npm packages external: they resolve through node_modules above it.
    await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    await run(process.execPath, ['build.mjs', '--out-dir', path.join(dir, 'dist')], { cwd: ROOT });
    await use(path.join(dir, 'dist'));
    await rm(dir, { recursive: true, force: true });
  },
});

describe('build.mjs', () => {
  test('emits a ComfyUI custom node: __init__.py with WEB_DIRECTORY and ONE self-contained ESM bundle', async ({
    out,
  }) => {
    const node = path.join(out, 'comfyui-model-depot');
    const init = await readFile(path.join(node, '__init__.py'), 'utf8');
    expect(init).toMatch(/^WEB_DIRECTORY = "\.\/web"$/m);
    expect(init).toMatch(/^NODE_CLASS_MAPPINGS = \{\}$/m);
    expect(init).toMatch(/^NODE_DISPLAY_NAME_MAPPINGS = \{\}$/m);
    expect(await readdir(path.join(node, 'web'))).toEqual(['model-depot.js']);
    const bundle = await readFile(path.join(node, 'web', 'model-depot.js'), 'utf8');
    const imports = [...bundle.matchAll(/\bimport\s*(?:[^'"()]*?\bfrom\s*)?["']([^"']+)["']/g)].map((m) => m[1]);
    expect(imports).toEqual(['/scripts/app.js']);
    expect(bundle).not.toMatch(/\bimport\(/);
    expect(bundle).not.toMatch(/\brequire\(/);
    expect(bundle).not.toContain('node:');
    // zod is inside, and so is the shared requirement extraction.
    expect(bundle).toContain('ZodError');
    expect(bundle).toContain('registerExtension');
  });

  test('emits the sidecar as one file that runs, with its worker threads beside it', async ({ out }) => {
    const sidecar = path.join(out, 'sidecar');
    const files = await readdir(sidecar);
    expect(files).toContain('model-depot.mjs');
    expect(files).toContain('hash-worker.mjs');
    const { stdout } = await run(process.execPath, [path.join(sidecar, 'model-depot.mjs'), '--version']);
    const { version } = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'));
    expect(stdout.trim()).toBe(version);
  });
});
