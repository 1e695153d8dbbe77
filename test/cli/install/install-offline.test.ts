import { createHash } from 'node:crypto';
import { lstat, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import type { FakeHub } from '../../fake-hub/create-fake-hub';
import { test } from '../cli-test';
import { runCli } from '../run-cli';

/** A workflow with one model already in a hub folder (linkable) and one only the hub has (with no SHA-256). */
async function setUp(dir: string, hub: FakeHub): Promise<string> {
  hub.addRepo({ id: 'org/repo', files: [{ path: 'vae.safetensors', size: 2048 }] });
  const content = 'a model already on disk';
  await mkdir(path.join(dir, 'shared'), { recursive: true });
  await writeFile(path.join(dir, 'shared', 'local.safetensors'), content);
  const sha256 = createHash('sha256').update(content).digest('hex');
  const workflow = path.join(dir, 'workflow.json');
  await writeFile(
    workflow,
    JSON.stringify({
      dependencies: {
        checkpoints: [
          {
            filename: 'local.safetensors',
            sha256,
            urls: ['https://huggingface.co/org/other/resolve/main/local.safetensors'],
          },
        ],
        vae: [{ filename: 'vae.safetensors', urls: ['https://huggingface.co/org/repo/resolve/main/vae.safetensors'] }],
      },
    }),
  );
  return workflow;
}

function cli(dir: string, hub: FakeHub, args: string[], env: Record<string, string> = {}) {
  return runCli(
    ['--config', path.join(dir, 'config.json'), '--models', path.join(dir, 'models'), '--hub-dir', 'shared', ...args],
    {
      cwd: dir,
      env: { HF_ENDPOINT: hub.hfUrl, CIVITAI_ENDPOINT: hub.civitaiUrl, HF_HUB_CACHE: path.join(dir, 'hf'), ...env },
    },
  );
}

describe('model-depot offline', () => {
  test('HF_HUB_OFFLINE=1 install sends no request: it links what is on disk and names each download it skips', async ({
    dir,
    hub,
  }) => {
    const workflow = await setUp(dir, hub);
    const run = await cli(dir, hub, ['install', workflow, '--yes'], { HF_HUB_OFFLINE: '1' });
    expect(hub.requests).toEqual([]);
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toMatch(
      /offline: would download vae\.safetensors from http:\/\/127\.0\.0\.1:\d+\/org\/repo\/resolve\/main\/vae\.safetensors/,
    );
    // Linked (or copied) from the hub folder.
    await expect(lstat(path.join(dir, 'models', 'checkpoints', 'local.safetensors'))).resolves.toBeDefined();
    await expect(lstat(path.join(dir, 'models', 'vae', 'vae.safetensors'))).rejects.toThrow();
  });

  test('--offline check answers from disk alone: no request, the download listed with an unknown size', async ({
    dir,
    hub,
  }) => {
    const workflow = await setUp(dir, hub);
    const run = await cli(dir, hub, ['--offline', '--json', 'check', workflow]);
    expect(run.stderr).toBe('');
    expect(hub.requests).toEqual([]);
    const result: unknown = JSON.parse(run.stdout);
    expect(JSON.stringify(result)).toContain('vae.safetensors');
    expect(JSON.stringify(result)).not.toContain('2048');
  });
});
