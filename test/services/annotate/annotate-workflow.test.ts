import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect } from 'vitest';
import { runCli } from '../../cli/run-cli';
import { test } from '../../disk/temp-dir-test';
import { put, sha256Of } from '../../disk/model-tree-fixture';

const TEMPLATE = resolve(
  import.meta.dirname,
  '../../fixtures/workflows/comfyui-template-properties-models-no-hash.json',
);

/** The template's four models, small stand-ins under their folders. */
const MODELS = [
  'diffusion_models/flux1-dev.safetensors',
  'text_encoders/clip_l.safetensors',
  'text_encoders/t5xxl_fp16.safetensors',
  'vae/ae.safetensors',
];

const ADDED_KEYS = new Set(['hash', 'hash_type', 'sha256']);

/** The JSON without the keys annotate adds, to compare a workflow's meaning before and after. */
function withoutAddedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutAddedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !ADDED_KEYS.has(key))
      .map(([key, child]) => [key, withoutAddedKeys(child)]),
  );
}

async function setUp(dir: string) {
  const modelsRoot = join(dir, 'models');
  const shas = new Map<string, string>();
  for (const name of MODELS) {
    const bytes = Buffer.from(`stand-in for ${name}`);
    await put(join(modelsRoot, name), bytes);
    shas.set(name, sha256Of(bytes));
  }
  const workflow = join(dir, 'flux.json');
  await copyFile(TEMPLATE, workflow);
  const config = join(dir, 'config.json');
  await writeFile(config, '{}');
  const env = { MODEL_DEPOT_CONFIG: config, HF_HUB_CACHE: join(dir, 'no-hf-cache') };
  const cli = (...args: string[]) => runCli(['--models', modelsRoot, ...args], { cwd: dir, env });
  return { modelsRoot, shas, workflow, cli };
}

describe('model-depot annotate', () => {
  test('writes each model’s SHA-256 beside its URL; check --strict then passes, and fails on the original', async ({
    dir,
  }) => {
    const { shas, workflow, cli } = await setUp(dir);
    const original = await readFile(workflow, 'utf8');

    const before = await cli('check', '--strict', '--no-remote', workflow);
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/strict: diffusion_models\/flux1-dev\.safetensors: the workflow gives no SHA-256/);
    expect(before.stdout).toMatch(/strict: vae\/ae\.safetensors: the workflow gives no SHA-256/);

    const run = await cli('annotate', workflow);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Annotated 4 of 4 models; wrote .*flux\.annotated\.json\./);
    expect(await readFile(workflow, 'utf8')).toBe(original);

    const annotatedFile = join(dir, 'flux.annotated.json');
    const annotated: unknown = JSON.parse(await readFile(annotatedFile, 'utf8'));
    expect(withoutAddedKeys(annotated)).toEqual(JSON.parse(original));
    const text = JSON.stringify(annotated);
    for (const sha of shas.values()) expect(text).toContain(`"hash":"${sha}","hash_type":"SHA256"`);

    const after = await cli('check', '--strict', '--no-remote', annotatedFile);
    expect(after.stdout).not.toContain('strict:');
    expect(after.code).toBe(0);
  });

  test('a file on disk whose bytes differ from the annotated hash is a conflict, and --strict fails', async ({
    dir,
  }) => {
    const { modelsRoot, workflow, cli } = await setUp(dir);
    const out = join(dir, 'out.json');
    expect((await cli('annotate', workflow, '-o', out)).code).toBe(0);
    await put(join(modelsRoot, 'vae', 'ae.safetensors'), 'other bytes now');
    const check = await cli('--json', 'check', '--strict', '--no-remote', out);
    expect(check.code).toBe(1);
    const result = JSON.parse(check.stdout);
    expect(result.items.find((i: { targetPath: string }) => i.targetPath === 'vae/ae.safetensors').status).toBe(
      'conflict',
    );
    expect(result.strict).toEqual([expect.stringMatching(/^vae\/ae\.safetensors: another file is already at /)]);
  });

  test('writes sha256 into an extra.dependencies entry and adds no models entry for it', async ({ dir }) => {
    const { modelsRoot, cli } = await setUp(dir);
    const bytes = Buffer.from('a lora');
    await put(join(modelsRoot, 'loras', 'detail.safetensors'), bytes);
    const workflow = join(dir, 'widget.json');
    await writeFile(
      workflow,
      JSON.stringify({
        nodes: [{ id: 1, type: 'LoraLoader', mode: 0, widgets_values: ['detail.safetensors', 1, 1] }],
        extra: { dependencies: { loras: [{ filename: 'detail.safetensors' }] } },
      }),
    );
    expect((await cli('annotate', workflow)).code).toBe(0);
    const annotated = JSON.parse(await readFile(join(dir, 'widget.annotated.json'), 'utf8'));
    expect(annotated.extra.dependencies.loras[0]).toEqual({ filename: 'detail.safetensors', sha256: sha256Of(bytes) });
    expect(annotated.models).toBeUndefined();
  });
});
