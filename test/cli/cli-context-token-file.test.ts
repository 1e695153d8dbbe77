import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect } from 'vitest';
import { resolveCliContext, type CliContext } from '../../sidecar/cli/cli-context';
import { test } from '../disk/temp-dir-test';

/** A `stats`-like command's context for this environment. */
async function contextIn(dir: string, env: Record<string, string>): Promise<CliContext> {
  const program = new Command('model-depot').option('--models <dir>').exitOverride();
  let result: Promise<CliContext> | undefined;
  program.command('stats').action((_flags: unknown, command: Command) => {
    result = resolveCliContext(command, {
      cwd: dir,
      env: { MODEL_DEPOT_CONFIG: path.join(dir, 'c.json'), HOME: dir, ...env },
    });
  });
  await program.parseAsync(['stats'], { from: 'user' });
  if (!result) throw new Error('no action ran');
  return result;
}

describe('resolveCliContext and the HuggingFace token file', () => {
  test('uses $HF_HOME/token (as `hf auth login` writes it) when HF_TOKEN and HUGGING_FACE_HUB_TOKEN are unset', async ({
    dir,
  }) => {
    await mkdir(path.join(dir, 'hfhome'));
    await writeFile(path.join(dir, 'hfhome', 'token'), 'hf_fromTheTokenFile0123456789\n');
    const context = await contextIn(dir, { HF_HOME: path.join(dir, 'hfhome') });
    expect(context.env.hfToken).toBe('hf_fromTheTokenFile0123456789');
    expect(JSON.stringify(context)).not.toContain('hf_fromTheTokenFile');
  });

  test('prefers HF_TOKEN_PATH to $HF_HOME/token, and HF_TOKEN to any file', async ({ dir }) => {
    await writeFile(path.join(dir, 'elsewhere'), 'hf_fromTokenPath0123456789');
    const fromPath = await contextIn(dir, { HF_TOKEN_PATH: path.join(dir, 'elsewhere'), HF_HOME: dir });
    expect(fromPath.env.hfToken).toBe('hf_fromTokenPath0123456789');
    const fromEnv = await contextIn(dir, {
      HF_TOKEN: 'hf_fromEnv0123456789',
      HF_TOKEN_PATH: path.join(dir, 'elsewhere'),
    });
    expect(fromEnv.env.hfToken).toBe('hf_fromEnv0123456789');
  });

  test('has no token when there is neither a variable nor a file', async ({ dir }) => {
    const context = await contextIn(dir, {});
    expect(context.env.hfToken).toBeUndefined();
  });
});
