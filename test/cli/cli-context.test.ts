import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect } from 'vitest';
import { resolveCliContext, type CliContext, type ResolveCliContextOptions } from '../../sidecar/cli/cli-context';
import { depotErrorOf } from '../shared/depot-error-of';
import { test } from '../disk/temp-dir-test';

/** The global options of sidecar/cli/main.ts and a `serve`-like command with --comfyui; resolves its context. */
async function contextFor(argv: string[], options: ResolveCliContextOptions): Promise<CliContext> {
  const collect = (value: string, previous: string[]) => [...previous, value];
  const program = new Command('model-depot')
    .option('--models <dir>')
    .option('--config <file>')
    .option('--hub-dir <dir>', '', collect, [])
    .option('--json')
    .option('--quiet')
    .exitOverride();
  let result: Promise<CliContext> | undefined;
  program
    .command('serve')
    .option('--comfyui <dir>')
    .option('--port <port>')
    .action((_flags: unknown, command: Command) => {
      result = resolveCliContext(command, options);
    });
  program.command('stats').action((_flags: unknown, command: Command) => {
    result = resolveCliContext(command, options);
  });
  await program.parseAsync(argv, { from: 'user' });
  if (!result) throw new Error('no action ran');
  return result;
}

describe('resolveCliContext', () => {
  test('on a first run: creates the config (MODEL_DEPOT_CONFIG) and ./models, with the default endpoints', async ({
    dir,
  }) => {
    const configFile = path.join(dir, 'cfg', 'config.json');
    const context = await contextFor(['stats'], { cwd: dir, env: { MODEL_DEPOT_CONFIG: configFile, HOME: dir } });
    expect(context.configFile).toBe(configFile);
    expect(JSON.parse(await readFile(configFile, 'utf8')).models_directory).toBe('./models');
    expect(context.modelsRoot).toBe(path.join(dir, 'models'));
    expect((await stat(context.modelsRoot)).isDirectory()).toBe(true);
    expect(context).toMatchObject({ json: false, quiet: false, hubDirs: [] });
    expect(context.comfyuiDir).toBeUndefined();
    expect(context.env).toEqual({
      hfEndpoint: 'https://huggingface.co',
      civitaiEndpoint: 'https://civitai.com',
      hfCacheDir: path.join(dir, '.cache', 'huggingface', 'hub'),
    });
    expect(context.config.bandwidth_limit_kb).toBeNull();
  });

  test("lets flags override the config: --config, --models, --hub-dir added to the config's hubs", async ({ dir }) => {
    const configFile = path.join(dir, 'mine.json');
    await writeFile(
      configFile,
      JSON.stringify({
        models_directory: '~/depot',
        hub_directories: ['/mnt/hub', ''],
        hub_directory: '',
        bandwidth_limit_kb: 500,
      }),
    );
    const env = { MODEL_DEPOT_CONFIG: path.join(dir, 'unused.json'), HOME: dir };
    const fromConfig = await contextFor(
      ['--config', 'mine.json', '--hub-dir', 'extra', '--hub-dir', '/mnt/hub', 'stats'],
      { cwd: dir, env },
    );
    expect(fromConfig.configFile).toBe(configFile);
    expect(fromConfig.modelsRoot).toBe(path.join(dir, 'depot'));
    expect(fromConfig.hubDirs).toEqual(['/mnt/hub', path.join(dir, 'extra')]);
    expect(fromConfig.config.bandwidth_limit_kb).toBe(500);

    const fromFlag = await contextFor(['--config', configFile, '--models', 'other', '--json', '--quiet', 'stats'], {
      cwd: dir,
      env,
    });
    expect(fromFlag.modelsRoot).toBe(path.join(dir, 'other'));
    expect(fromFlag).toMatchObject({ json: true, quiet: true });
  });

  test('uses DIR/models of --comfyui DIR, and refuses a ComfyUI folder that does not exist', async ({ dir }) => {
    const env = { MODEL_DEPOT_CONFIG: path.join(dir, 'c.json'), HOME: dir };
    const comfy = path.join(dir, 'ComfyUI');
    await mkdir(comfy);
    const context = await contextFor(['--models', 'ignored', 'serve', '--comfyui', comfy, '--port', '1'], {
      cwd: dir,
      env,
    });
    expect(context.comfyuiDir).toBe(comfy);
    expect(context.modelsRoot).toBe(path.join(comfy, 'models'));
    const error = await depotErrorOf(contextFor(['serve', '--comfyui', path.join(dir, 'nope')], { cwd: dir, env }));
    expect(error.code).toBe('BAD_INPUT');
    expect(error.message).toContain('does not exist');
  });

  test('refuses a models folder blocked by a file', async ({ dir }) => {
    await writeFile(path.join(dir, 'models'), 'not a folder');
    const error = await depotErrorOf(
      contextFor(['stats'], { cwd: dir, env: { MODEL_DEPOT_CONFIG: path.join(dir, 'c.json') } }),
    );
    expect(error.code).toBe('BAD_INPUT');
  });

  test('reads tokens, endpoints and the HF cache from the environment, and never serializes a token', async ({
    dir,
  }) => {
    const base = { MODEL_DEPOT_CONFIG: path.join(dir, 'c.json'), HOME: dir };
    const context = await contextFor(['stats'], {
      cwd: dir,
      env: {
        ...base,
        HUGGING_FACE_HUB_TOKEN: 'hf_fallback',
        CIVITAI_API_TOKEN: 'civ_secret',
        HF_ENDPOINT: 'http://127.0.0.2:1234/',
        CIVITAI_ENDPOINT: 'http://127.0.0.3:99',
        HF_HOME: path.join(dir, 'hfhome'),
      },
    });
    expect(context.env.hfToken).toBe('hf_fallback');
    expect(context.env.civitaiToken).toBe('civ_secret');
    expect(context.env.hfEndpoint).toBe('http://127.0.0.2:1234');
    expect(context.env.civitaiEndpoint).toBe('http://127.0.0.3:99');
    expect(context.env.hfCacheDir).toBe(path.join(dir, 'hfhome', 'hub'));
    expect(JSON.stringify(context)).not.toMatch(/hf_fallback|civ_secret/);

    const preferred = await contextFor(['stats'], {
      cwd: dir,
      env: {
        ...base,
        HF_TOKEN: 'hf_main',
        HUGGING_FACE_HUB_TOKEN: 'hf_fallback',
        HF_HOME: '/x',
        HF_HUB_CACHE: '/y/hub',
      },
    });
    expect(preferred.env.hfToken).toBe('hf_main');
    expect(preferred.env.hfCacheDir).toBe('/y/hub');
  });

  test('refuses an endpoint that is not an http(s) URL', async ({ dir }) => {
    const env = { MODEL_DEPOT_CONFIG: path.join(dir, 'c.json'), HF_ENDPOINT: 'huggingface.co' };
    const error = await depotErrorOf(contextFor(['stats'], { cwd: dir, env }));
    expect(error.code).toBe('BAD_INPUT');
    expect(error.message).toContain('HF_ENDPOINT');
  });

  test('passes a malformed config on as BAD_CONFIG', async ({ dir }) => {
    const file = path.join(dir, 'c.json');
    await writeFile(file, '{ "port": "eighty" }');
    expect((await depotErrorOf(contextFor(['stats'], { cwd: dir, env: { MODEL_DEPOT_CONFIG: file } }))).code).toBe(
      'BAD_CONFIG',
    );
  });
});
