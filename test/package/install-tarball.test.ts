import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const WORKFLOW = path.join(ROOT, 'test', 'fixtures', 'workflows', 'dependencies-top-level.json');
/** What `npm pack` needs of the repository: the sources build.mjs reads and the files the package ships. */
const SOURCES = [
  'bin',
  'sidecar',
  'shared',
  'extension',
  'comfyui-node',
  'build.mjs',
  'package.json',
  'README.md',
  'LICENSE',
];
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * npm's environment without what an enclosing `npm test` sets (npm_config_prefix and the like would redirect the
 * installs) and without tokens; packages come from the local cache first (the registry only for what it lacks: zod's metadata).
 */
function npmEnv(): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(([name]) => !/^npm_|token|key|secret/i.test(name));
  return {
    ...Object.fromEntries(kept),
    npm_config_cache: process.env.npm_config_cache ?? path.join(os.homedir(), '.npm'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
}

const zPacked = z.array(z.object({ filename: z.string(), files: z.array(z.object({ path: z.string() })) }));
const zHealth = z.object({ ok: z.literal(true), version: z.string() });

/** Starts `serve --port 0` and resolves with its URL once it prints its "serving http://..." line. */
function startServe(
  bin: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(bin, [...args, 'serve', '--port', '0'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /serving (http:\/\/\S+)/.exec(stderr)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}

describe('the npm package', () => {
  test('packs the built CLI, library, custom node and types; installs from the npm cache; runs, serves, is imported by name', {
    timeout: 180_000,
  }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'md-package-'));
    const env = npmEnv();
    try {
      // Pack a copy, so that its prepare script builds into the copy and leaves the repository's dist/ alone.
      const source = path.join(dir, 'source');
      for (const name of SOURCES) await cp(path.join(ROOT, name), path.join(source, name), { recursive: true });
      await symlink(path.join(ROOT, 'node_modules'), path.join(source, 'node_modules'), 'dir');
      const packed = await run(NPM, ['pack', '--json', '--pack-destination', dir], { cwd: source, env });
      const [tarball] = zPacked.parse(JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))));
      if (tarball === undefined) throw new Error('npm pack made no tarball');
      const files = tarball.files.map((file) => file.path);
      expect(files).toEqual(
        expect.arrayContaining([
          'LICENSE',
          'README.md',
          'package.json',
          'bin/model-depot.cjs',
          'dist/sidecar/model-depot.cjs',
          'dist/sidecar/run-tui.mjs',
          'dist/sidecar/vendor/undici.cjs',
          'dist/sidecar/api.mjs',
          'dist/sidecar/hash-worker.mjs',
          'dist/sidecar/ring-hash-worker.mjs',
          'dist/comfyui-model-depot/__init__.py',
          'dist/comfyui-model-depot/web/model-depot.js',
          'dist/types/sidecar/api/index.d.ts',
        ]),
      );
      expect(files.filter((file) => /^test\/|(?<!\.d)\.tsx?$|^build\.mjs$/.test(file))).toEqual([]);
      const tgz = path.join(dir, tarball.filename);

      // A global install into a prefix of its own, from the local npm cache.
      const prefix = path.join(dir, 'prefix');
      await run(NPM, ['install', '--global', '--prefer-offline', '--prefix', prefix, tgz], { cwd: dir, env });
      const bin = path.join(prefix, 'bin', 'model-depot');
      const { version } = z
        .object({ version: z.string() })
        .parse(JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')));
      expect((await run(bin, ['--version'], { env })).stdout.trim()).toBe(version);

      const cliEnv = { PATH: process.env.PATH ?? '', HOME: dir };
      const models = path.join(dir, 'models');
      const served = await startServe(bin, ['--models', models], cliEnv);
      try {
        const health = await fetch(`${served.url}/health`);
        expect(health.status).toBe(200);
        expect(zHealth.parse(await health.json()).version).toBe(version);
      } finally {
        served.child.kill('SIGTERM');
      }

      // The custom node ships inside: comfyui-install copies it into a ComfyUI folder.
      const comfyui = path.join(dir, 'ComfyUI');
      await mkdir(path.join(comfyui, 'custom_nodes'), { recursive: true });
      await writeFile(path.join(comfyui, 'main.py'), '');
      await run(bin, ['comfyui-install', '--comfyui', comfyui, '--quiet'], { env: cliEnv });
      const node = path.join(comfyui, 'custom_nodes', 'comfyui-model-depot');
      expect(await readFile(path.join(node, '__init__.py'), 'utf8')).toMatch(/^WEB_DIRECTORY = "\.\/web"$/m);
      expect((await readFile(path.join(node, 'web', 'model-depot.js'), 'utf8')).length).toBeGreaterThan(1000);

      // A project that depends on the package imports it by name, and its types check.
      const project = path.join(dir, 'project');
      await mkdir(project);
      await writeFile(
        path.join(project, 'package.json'),
        JSON.stringify({ name: 'uses-model-depot', private: true, type: 'module' }),
      );
      await run(NPM, ['install', '--prefer-offline', tgz], { cwd: project, env });
      await writeFile(
        path.join(project, 'use.mjs'),
        [
          "import { readFile } from 'node:fs/promises';",
          "import { openDepot } from 'model-depot';",
          'const [modelsRoot, workflowFile] = process.argv.slice(2);',
          'const depot = await openDepot({ modelsRoot, readOnly: true });',
          "const result = await depot.check(JSON.parse(await readFile(workflowFile, 'utf8')), { remote: false });",
          'console.log(JSON.stringify({ stats: depot.stats(), statuses: result.items.map((item) => item.status) }));',
          'await depot.close();',
        ].join('\n'),
      );
      const used = await run(process.execPath, ['use.mjs', models, WORKFLOW], { cwd: project, env: cliEnv });
      expect(JSON.parse(used.stdout)).toEqual({
        stats: { model_count: 0, alias_count: 0, total_size_gb: 0 },
        statuses: ['missing', 'missing', 'missing'],
      });

      await writeFile(
        path.join(project, 'use.ts'),
        [
          "import { openDepot, type CheckResult, type DepotApi, type RegistryStats } from 'model-depot';",
          "const reader = await openDepot({ modelsRoot: 'models', readOnly: true });",
          'const stats: RegistryStats = reader.stats();',
          'const result: CheckResult = await reader.check({}, { remote: false });',
          '// @ts-expect-error a read-only depot does not install',
          'reader.install([]);',
          "const depot: DepotApi = await openDepot({ modelsRoot: 'models' });",
          "const jobs = await depot.install([{ category: 'loras', filename: 'a.safetensors', origin: 'dependencies' }], {",
          '  onProgress: (job) => console.log(job.state, job.bytes),',
          '});',
          'console.log(stats.model_count, result.summary, jobs.length);',
        ].join('\n'),
      );
      // The README's example compiles against the package too.
      const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
      const example = /## As a library[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
      expect(example).toContain("from 'model-depot'");
      await writeFile(path.join(project, 'readme-example.ts'), `${example}\nexport {};\n`);
      await writeFile(
        path.join(project, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            types: ['node'],
            typeRoots: [path.join(ROOT, 'node_modules', '@types')],
          },
          files: ['use.ts', 'readme-example.ts'],
        }),
      );
      const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      const typed = await run(process.execPath, [tsc, '-p', project], { cwd: project, env }).catch(
        (error: { stdout?: string }) => ({ stdout: `tsc failed:\n${error.stdout ?? ''}` }),
      );
      expect(typed.stdout).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
