import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { test as base, describe, expect } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');

/**
 * A fresh `node build.mjs --out-dir` into a temporary folder (the repository's dist/ is left to `npm test`), with no
 * node_modules above it: what is built must run on its own.
 */
const test = base.extend<{ out: string }>({
  // eslint-disable-next-line no-empty-pattern
  out: async ({}, use) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'md-build-'));
    await run(process.execPath, ['build.mjs', '--out-dir', path.join(dir, 'dist')], { cwd: ROOT });
    await use(path.join(dir, 'dist'));
    await rm(dir, { recursive: true, force: true });
  },
});

/** The text of a bundle file and of every file it imports statically (what loads before it runs), by name. */
async function staticClosure(dir: string, entry: string): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  const pending = [entry];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (texts.has(name)) continue;
    const text = await readFile(path.join(dir, name), 'utf8');
    texts.set(name, text);
    for (const match of text.matchAll(/\bimport\s*(?:[\w${},*\s]+from\s*)?["']\.\/([^"']+)["']/g)) {
      if (match[1]) pending.push(match[1]);
    }
  }
  return texts;
}

/** Left out of the bundle on purpose: ws's optional native add-ons, ink's development tool (only with DEV=true). */
const OPTIONAL_PACKAGES = ['bufferutil', 'utf-8-validate', 'react-devtools-core'];

/** Text each heavy package leaves in the bundle: how a test tells which files hold it. */
const HEAVY_MARKERS = {
  express: 'x-powered-by',
  ws: 'WS_ERR_EXPECTED_MASK',
  ink: 'Yoga',
  'cli-progress': 'barCompleteChar',
};

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

  test('emits the sidecar and the library with every npm package inside, and the hash workers beside them', async ({
    out,
  }) => {
    const sidecar = path.join(out, 'sidecar');
    const files = await readdir(sidecar);
    expect(files).toEqual(
      expect.arrayContaining(['model-depot.mjs', 'api.mjs', 'hash-worker.mjs', 'ring-hash-worker.mjs']),
    );
    for (const file of files) {
      const text = await readFile(path.join(sidecar, file), 'utf8');
      const bare = [...text.matchAll(/\b(?:import\s*(?:[\w${},*\s]+from\s*)?|import\s*\(\s*)["']([^"'./][^"']*)["']/g)]
        .map((m) => m[1] ?? '')
        .filter((specifier) => !specifier.startsWith('node:') && !OPTIONAL_PACKAGES.includes(specifier));
      expect(bare, file).toEqual([]);
    }
    // Run with no node_modules anywhere above: the CLI answers, and so does the library.
    const { stdout } = await run(process.execPath, [path.join(sidecar, 'model-depot.mjs'), '--version']);
    const { version } = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'));
    expect(stdout.trim()).toBe(version);
    const models = path.join(out, 'models');
    const stats = await run(process.execPath, [
      path.join(sidecar, 'model-depot.mjs'),
      '--models',
      models,
      '--json',
      'stats',
    ]);
    expect(JSON.parse(stats.stdout)).toEqual({ model_count: 0, alias_count: 0, total_size_gb: 0 });
    const api = await import(pathToFileURL(path.join(sidecar, 'api.mjs')).href);
    expect(typeof api.openDepot).toBe('function');
  });

  test('loads a command module only when it runs: --version, stats and check load no express, ws, ink or cli-progress', async ({
    out,
  }) => {
    const sidecar = path.join(out, 'sidecar');
    const files = await readdir(sidecar);
    const entries = [
      'model-depot.mjs',
      ...['stats-command-', 'check-command-'].map((prefix) => files.find((file) => file.startsWith(prefix)) ?? prefix),
    ];
    for (const entry of entries) {
      const loaded = [...(await staticClosure(sidecar, entry)).values()].join('\n');
      const heavy = Object.entries(HEAVY_MARKERS).flatMap(([name, marker]) => (loaded.includes(marker) ? [name] : []));
      expect(heavy, entry).toEqual([]);
    }
    // The markers do name those packages: serve's own module holds express.
    const serve = files.find((file) => file.startsWith('serve-command-')) ?? 'serve-command';
    expect([...(await staticClosure(sidecar, serve)).values()].join('\n')).toContain(HEAVY_MARKERS.express);
  });
});
