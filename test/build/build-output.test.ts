import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
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

/**
 * Left out of the bundle on purpose, each loaded in a try: ws's optional native add-ons, ink's development tool (only
 * with DEV=true), and the colours of express's debug output.
 */
const OPTIONAL_PACKAGES = ['bufferutil', 'utf-8-validate', 'react-devtools-core', 'supports-color'];

/** Text each heavy package leaves in the bundle: how a test tells which files hold it. */
const HEAVY_MARKERS = {
  express: 'function createApplication',
  ws: 'WS_ERR_EXPECTED_MASK',
  undici: 'UndiciError',
  ink: 'Yoga',
};

/** Every file under `dir`, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

/** Written to a file and preloaded with `--require`: prints, at exit, every CommonJS file the process loaded. */
const REQUIRED_FILES_HOOK =
  "process.on('exit', () => process.stderr.write('REQUIRED ' + JSON.stringify(Object.keys(require.cache)) + '\\n'));";

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
    const files = await filesUnder(sidecar);
    expect(files).toEqual(
      expect.arrayContaining([
        'model-depot.cjs',
        'run-tui.mjs',
        'api.mjs',
        'hash-worker.mjs',
        'ring-hash-worker.mjs',
        path.join('vendor', 'undici.cjs'),
        path.join('vendor', 'express.cjs'),
      ]),
    );
    for (const file of files) {
      const text = await readFile(path.join(sidecar, file), 'utf8');
      const pattern = /\b(?:import\s*(?:[\w${},*\s]+from\s*)?|import\s*\(\s*|require\(\s*)["']([^"'./][^"']*)["']/g;
      const bare = [...text.matchAll(pattern)]
        .map((m) => m[1] ?? '')
        .filter(
          (specifier) =>
            !specifier.startsWith('node:') && !isBuiltin(specifier) && !OPTIONAL_PACKAGES.includes(specifier),
        );
      expect(bare, file).toEqual([]);
    }
    // Run with no node_modules anywhere above: the CLI answers, and so does the library.
    const { stdout } = await run(process.execPath, [path.join(sidecar, 'model-depot.cjs'), '--version']);
    const { version } = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'));
    expect(stdout.trim()).toBe(version);
    const models = path.join(out, 'models');
    const stats = await run(process.execPath, [
      path.join(sidecar, 'model-depot.cjs'),
      '--models',
      models,
      '--json',
      'stats',
    ]);
    expect(JSON.parse(stats.stdout)).toEqual({ model_count: 0, alias_count: 0, total_size_gb: 0 });
    const api = await import(pathToFileURL(path.join(sidecar, 'api.mjs')).href);
    expect(typeof api.openDepot).toBe('function');
  });

  test('--version, stats and check load no express, ws, undici or ink: those sit in files of their own', async ({
    out,
  }) => {
    const sidecar = path.join(out, 'sidecar');
    const cli = await readFile(path.join(sidecar, 'model-depot.cjs'), 'utf8');
    const inCli = Object.entries(HEAVY_MARKERS).flatMap(([name, marker]) => (cli.includes(marker) ? [name] : []));
    expect(inCli).toEqual([]);
    // The markers do name those packages.
    expect(await readFile(path.join(sidecar, 'vendor', 'express.cjs'), 'utf8')).toContain(HEAVY_MARKERS.express);
    expect(await readFile(path.join(sidecar, 'vendor', 'ws.cjs'), 'utf8')).toContain(HEAVY_MARKERS.ws);
    expect(await readFile(path.join(sidecar, 'vendor', 'undici.cjs'), 'utf8')).toContain(HEAVY_MARKERS.undici);
    expect(await readFile(path.join(sidecar, 'run-tui.mjs'), 'utf8')).toContain(HEAVY_MARKERS.ink);

    const hook = path.join(out, 'required-files.cjs');
    await writeFile(hook, REQUIRED_FILES_HOOK);
    const models = path.join(out, 'models');
    const workflow = path.join(ROOT, 'test', 'fixtures', 'workflows', 'dependencies-top-level.json');
    for (const args of [['--version'], ['stats'], ['check', '--no-remote', workflow]]) {
      const cliArgs = ['--require', hook, path.join(sidecar, 'model-depot.cjs'), '--models', models, ...args];
      const { stderr } = await run(process.execPath, cliArgs, { env: { PATH: process.env.PATH ?? '', HOME: out } });
      const line = stderr.split('\n').find((text) => text.startsWith('REQUIRED '));
      const required: string[] = JSON.parse(line?.slice('REQUIRED '.length) ?? 'null');
      expect(required, args[0]).toContain(path.join(sidecar, 'model-depot.cjs'));
      expect(
        required.filter((file) => file.startsWith(path.join(sidecar, 'vendor'))),
        args[0],
      ).toEqual([]);
    }
  });
});
