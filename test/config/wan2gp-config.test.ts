import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect } from 'vitest';
import { resolveCliContext, type CliContext } from '../../sidecar/cli/cli-context';
import { loadConfig } from '../../sidecar/config/load-config';
import { test } from '../disk/temp-dir-test';
import { wanGpDownloaderConfig } from './wangp-downloader-config';

/** `stats` under the global options of sidecar/cli/main.ts that matter here; resolves its context. */
async function contextFor(argv: string[], dir: string): Promise<CliContext> {
  const program = new Command('model-depot')
    .option('--config <file>')
    .option('--models <dir>')
    .option('--wan2gp <dir>')
    .exitOverride();
  let result: Promise<CliContext> | undefined;
  program.command('stats').action((_flags: unknown, command: Command) => {
    result = resolveCliContext(command, { cwd: dir, env: { HOME: dir } });
  });
  await program.parseAsync(argv, { from: 'user' });
  if (!result) throw new Error('no action ran');
  return result;
}

describe('the WanGP downloader config', () => {
  test('loads as it is: wan2gp_directory, an empty hub_directory and the bandwidth cap', async ({ dir }) => {
    const file = path.join(dir, 'config.json');
    await writeFile(file, wanGpDownloaderConfig('/opt/Wan2GP/ckpts'));
    const { config, created } = await loadConfig({ file });
    expect(created).toBe(false);
    expect(config).toMatchObject({
      hub_directory: '',
      bandwidth_limit_kb: 90000,
      wan2gp_directory: '/opt/Wan2GP/ckpts',
      models_directory: './models',
    });
  });

  test('gives commands the WanGP folder of the config, and --wan2gp overrides it', async ({ dir }) => {
    const file = path.join(dir, 'config.json');
    await writeFile(file, wanGpDownloaderConfig('Wan2GP/ckpts', path.join(dir, 'hub')));
    const fromConfig = await contextFor(['--config', file, '--models', 'm', 'stats'], dir);
    expect(fromConfig.wan2gpDir).toBe(path.join(dir, 'Wan2GP', 'ckpts'));
    expect(fromConfig.hubDirs).toEqual([path.join(dir, 'hub')]);
    expect(fromConfig.config.bandwidth_limit_kb).toBe(90000);
    const fromFlag = await contextFor(['--config', file, '--models', 'm', '--wan2gp', '/srv/Wan2GP', 'stats'], dir);
    expect(fromFlag.wan2gpDir).toBe('/srv/Wan2GP');
  });

  test('leaves WanGP out when wan2gp_directory is empty or absent', async ({ dir }) => {
    const file = path.join(dir, 'config.json');
    await writeFile(file, wanGpDownloaderConfig(''));
    expect((await contextFor(['--config', file, '--models', 'm', 'stats'], dir)).wan2gpDir).toBeUndefined();
  });
});
