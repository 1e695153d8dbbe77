import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { zCheckResult } from '../../../shared/check-result';
import { test } from '../../disk/temp-dir-test';
import { runCli } from '../run-cli';

function check(dir: string, args: string[]) {
  return runCli(['--models', path.join(dir, 'models'), ...args], {
    cwd: dir,
    env: { MODEL_DEPOT_CONFIG: path.join(dir, 'config.json') },
  });
}

async function writeJson(file: string, value: unknown): Promise<string> {
  await writeFile(file, JSON.stringify(value));
  return file;
}

const HF = (file: string): string => `https://huggingface.co/o/r/resolve/main/${file}`;

describe('model-depot check answers honestly', () => {
  test("a url that is not a URL is that entry's problem: listed, unavailable, exit 1 (not 2)", async ({ dir }) => {
    const workflow = await writeJson(path.join(dir, 'bad-url.json'), {
      models: [{ name: 'only.safetensors', url: 'not a url', directory: 'checkpoints' }],
    });
    const run = await check(dir, ['--json', 'check', '--no-remote', workflow]);
    expect(run.code).toBe(1);
    const result = zCheckResult.parse(JSON.parse(run.stdout));
    expect(result.items.map((i) => [i.targetPath, i.status, i.code])).toEqual([
      ['checkpoints/only.safetensors', 'unavailable', 'NOT_FOUND'],
    ]);
    expect(result.invalid).toEqual([{ path: 'models[0]', message: 'url must be a URL (http or https)' }]);
  });

  test('a file that is not a workflow still exits 2', async ({ dir }) => {
    const run = await check(dir, ['check', await writeJson(path.join(dir, 'list.json'), [1, 2])]);
    expect(run.code).toBe(2);
  });

  test("ComfyUI's /prompt body is read as an API-format workflow", async ({ dir }) => {
    const workflow = await writeJson(path.join(dir, 'prompt.json'), {
      client_id: 'abc',
      prompt: {
        '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sdxl.safetensors' } },
        '10': { class_type: 'LoraLoader', inputs: { lora_name: 'detail.safetensors', model: ['4', 0] } },
      },
    });
    const run = await check(dir, ['--json', 'check', '--no-remote', workflow]);
    const result = zCheckResult.parse(JSON.parse(run.stdout));
    expect(result.items.map((i) => i.targetPath)).toEqual(['checkpoints/sdxl.safetensors', 'loras/detail.safetensors']);
    expect(run.code).toBe(1);
  });

  test('unknown sizes are said to be unknown: counted, and the free space could not be checked', async ({ dir }) => {
    const workflow = await writeJson(path.join(dir, 'sizes.json'), {
      dependencies: {
        checkpoints: [{ filename: 'a.safetensors', size: 1000, urls: [HF('a.safetensors')] }],
        loras: [{ filename: 'b.safetensors', urls: [HF('b.safetensors')] }],
      },
    });
    const json = await check(dir, ['--json', 'check', '--no-remote', workflow]);
    const result = zCheckResult.parse(JSON.parse(json.stdout));
    expect(result.summary).toMatchObject({ unknownSizes: 1, space: 'unknown', fits: false, bytesToDownload: 1000 });
    expect(json.code).toBe(0);
    const text = await check(dir, ['check', '--no-remote', workflow]);
    expect(text.stdout).toContain('2 to download (1.0 KB + 1 of unknown size)');
    expect(text.stdout).toMatch(/Free space: .*: could not be checked, 1 download of unknown size/);
  });

  test('top-level models used only by bypassed or muted nodes are not required; --all lists them as optional', async ({
    dir,
  }) => {
    const workflow = await writeJson(path.join(dir, 'bypassed.json'), {
      nodes: [
        { id: 1, type: 'CheckpointLoaderSimple', mode: 0, widgets_values: ['used.safetensors'] },
        { id: 2, type: 'LoraLoader', mode: 4, widgets_values: ['bypassed.safetensors', 1, 1] },
        { id: 3, type: 'VAELoader', mode: 2, widgets_values: ['muted.safetensors'] },
      ],
      models: [
        { name: 'used.safetensors', url: HF('used.safetensors'), directory: 'checkpoints' },
        { name: 'bypassed.safetensors', url: HF('bypassed.safetensors'), directory: 'loras' },
        { name: 'muted.safetensors', url: HF('muted.safetensors'), directory: 'vae' },
      ],
    });
    const plain = zCheckResult.parse(
      JSON.parse((await check(dir, ['--json', 'check', '--no-remote', workflow])).stdout),
    );
    expect(plain.items.map((i) => i.targetPath)).toEqual(['checkpoints/used.safetensors']);
    const all = zCheckResult.parse(
      JSON.parse((await check(dir, ['--json', 'check', '--all', '--no-remote', workflow])).stdout),
    );
    expect(all.items.map((i) => [i.targetPath, i.requirement.required, i.url])).toEqual([
      ['checkpoints/used.safetensors', true, HF('used.safetensors')],
      ['loras/bypassed.safetensors', false, HF('bypassed.safetensors')],
      ['vae/muted.safetensors', false, HF('muted.safetensors')],
    ]);
  });
});
