import { describe, expect } from 'vitest';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertStillInside, assertStillInsideSync, resolveModelPath } from '../../sidecar/disk/safe-path';
import { DepotError } from '../../shared/errors';
import { linkFile } from '../../sidecar/disk/link-file';
import { test } from './temp-dir-test';
import { treeSnapshot } from './tree-snapshot';

const HOSTILE: Array<[category: string, filename: string, why: RegExp]> = [
  ['checkpoints', '../evil.safetensors', /"\.\."/],
  ['checkpoints', '../../etc/passwd.safetensors', /"\.\."/],
  ['checkpoints', 'sub/../../evil.safetensors', /"\.\."/],
  ['checkpoints', 'sub/..', /"\.\."/],
  ['checkpoints', '..', /"\.\."/],
  ['checkpoints', './model.safetensors', /"\."/],
  ['checkpoints', 'a/./b.safetensors', /"\."/],
  ['checkpoints', '/etc/evil.safetensors', /absolute/],
  ['checkpoints', '/model.safetensors', /absolute/],
  ['checkpoints', 'C:/Windows/evil.safetensors', /drive letter/],
  ['checkpoints', 'c:evil.safetensors', /drive letter/],
  ['checkpoints', '..\\evil.safetensors', /backslash/],
  ['checkpoints', 'sub\\model.safetensors', /backslash/],
  ['checkpoints', '\\\\server\\share\\m.safetensors', /backslash/],
  ['checkpoints', 'model\0.safetensors', /control character/],
  ['checkpoints', 'evil.safetensors\0.txt', /control character/],
  ['checkpoints', 'line\nbreak.safetensors', /control character/],
  ['checkpoints', 'tab\t.safetensors', /control character/],
  ['checkpoints', 'del\u007f.safetensors', /control character/],
  ['checkpoints', '', /empty/],
  ['checkpoints', 'a//b.safetensors', /empty path segment/],
  ['checkpoints', 'sub/', /empty path segment/],
  ['checkpoints', '.hidden.safetensors', /hidden/],
  ['checkpoints', '.registry/models.safetensors', /hidden/],
  ['checkpoints', '.cache/tmp/x.safetensors', /hidden/],
  ['checkpoints', 'model.safetensors.', /ends with a dot/],
  ['checkpoints', 'model.safetensors ', /ends with a dot or a space/],
  ['checkpoints', ' model.safetensors', /starts with a space/],
  ['checkpoints', 'CON.safetensors', /reserved device name/],
  ['checkpoints', 'sub/nul.safetensors', /reserved device name/],
  ['checkpoints', 'model.safetensors:stream', /< > : "/],
  ['checkpoints', 'what?.safetensors', /< > : "/],
  ['checkpoints', 'a|b.safetensors', /< > : "/],
  ['checkpoints', `${'x'.repeat(260)}.safetensors`, /longer than 255 bytes/],
  ['checkpoints', `${'d/'.repeat(520)}m.safetensors`, /longer than 1024 bytes/],
  ['checkpoints', 'model.exe', /model extension/],
  ['checkpoints', 'model.safetensors.part', /model extension/],
  ['checkpoints', 'script.py', /model extension/],
  ['checkpoints', 'model', /model extension/],
  ['checkpoints', 'model.safetensors/', /empty path segment/],
  ['../checkpoints', 'model.safetensors', /not a model folder/],
  ['checkpoints/../..', 'model.safetensors', /not a model folder/],
  ['/etc', 'model.safetensors', /not a model folder/],
  ['', 'model.safetensors', /not a model folder/],
  ['.registry', 'model.safetensors', /not a model folder/],
  ['ipadapter/../..', 'model.safetensors', /not a model folder/],
  ['controlnet//SDXL', 'model.safetensors', /empty path segment/],
  ['controlnet/.cache', 'model.safetensors', /hidden/],
  ['controlnet/\u202eLXDS', 'model.safetensors', /bidirectional/],
  ['ipadapter\u0085', 'model.safetensors', /control character/],
  ['checkpoints', 'evil\u202egpj.safetensors', /bidirectional/],
  ['checkpoints', 'c1\u009b.safetensors', /control character/],
  [' checkpoints', 'model.safetensors', /not a model folder/],
  ['checkpoints\0', 'model.safetensors', /not a model folder/],
  ['C:\\models', 'model.safetensors', /not a model folder/],
];

describe('resolveModelPath', () => {
  test(`refuses ${HOSTILE.length} hostile names and categories with a clear message, writing nothing`, async ({
    dir,
  }) => {
    const modelsRoot = join(dir, 'models');
    await mkdir(join(modelsRoot, 'checkpoints'), { recursive: true });
    const before = await treeSnapshot(dir);
    expect(HOSTILE.length).toBeGreaterThanOrEqual(40);
    for (const [category, filename, why] of HOSTILE) {
      let error: unknown;
      try {
        resolveModelPath({ modelsRoot, category, filename });
      } catch (caught) {
        error = caught;
      }
      expect(error, `${JSON.stringify(category)} / ${JSON.stringify(filename)}`).toBeInstanceOf(DepotError);
      const depotError = error instanceof DepotError ? error : undefined;
      expect(depotError?.code).toBe('UNSAFE_PATH');
      expect(depotError?.message).toMatch(why);
      expect(depotError?.message).not.toMatch(/[\n\0]/);
    }
    expect(await treeSnapshot(dir)).toEqual(before);
  });

  test('accepts subfolders, legacy aliases, spaces and unicode', ({ dir }) => {
    expect(resolveModelPath({ modelsRoot: dir, category: 'checkpoints', filename: 'flux/dev v1 ✓.safetensors' })).toBe(
      join(dir, 'checkpoints', 'flux', 'dev v1 ✓.safetensors'),
    );
    expect(resolveModelPath({ modelsRoot: dir, category: 'unet', filename: 'a.gguf' })).toBe(
      join(dir, 'diffusion_models', 'a.gguf'),
    );
    expect(resolveModelPath({ modelsRoot: dir, category: 'LoRAs', filename: 'x..y.safetensors' })).toBe(
      join(dir, 'loras', 'x..y.safetensors'),
    );
  });

  test("accepts any safe folder under the models root, custom nodes' and subfolders included", ({ dir }) => {
    for (const folder of ['ipadapter', 'animatediff_models', 'insightface', 'ultralytics/bbox', 'sams', 'SEEDVR2']) {
      expect(resolveModelPath({ modelsRoot: dir, category: folder, filename: 'm.pt' })).toBe(
        join(dir, ...folder.split('/'), 'm.pt'),
      );
    }
    expect(resolveModelPath({ modelsRoot: dir, category: 'controlnet/SDXL', filename: 'a/b.safetensors' })).toBe(
      join(dir, 'controlnet', 'SDXL', 'a', 'b.safetensors'),
    );
    expect(resolveModelPath({ modelsRoot: dir, category: 'unet/flux', filename: 'd.gguf' })).toBe(
      join(dir, 'diffusion_models', 'flux', 'd.gguf'),
    );
  });
});

describe('assertStillInside', () => {
  test('refuses a path under a symlinked folder that points outside the models root', async ({ dir }) => {
    const modelsRoot = join(dir, 'models');
    const outside = join(dir, 'outside');
    await mkdir(join(modelsRoot, 'loras'), { recursive: true });
    await mkdir(outside);
    await symlink(outside, join(modelsRoot, 'loras', 'escape'));
    await writeFile(join(dir, 'source.safetensors'), 'model');
    const before = await treeSnapshot(dir);
    // What an installer does: resolve, check again after real paths, and only then write.
    const write = async (filename: string) => {
      const target = resolveModelPath({ modelsRoot, category: 'loras', filename });
      await assertStillInside(modelsRoot, target);
      await linkFile({ source: join(dir, 'source.safetensors'), dest: target });
    };
    await expect(write('escape/deeper/evil.safetensors')).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
      message: expect.stringContaining('outside the models root'),
    });
    await expect(write('escape/evil.safetensors')).rejects.toMatchObject({ code: 'UNSAFE_PATH' });
    expect(await treeSnapshot(dir)).toEqual(before);
    await write('inside/ok.safetensors');
    expect(Object.keys(await treeSnapshot(outside))).toEqual([]);
  });
});

// The check judges destinations with the synchronous twin: both must refuse and accept the same paths.
const judges: Array<[string, (modelsRoot: string, target: string) => Promise<void>]> = [
  ['assertStillInside', assertStillInside],
  ['assertStillInsideSync', async (modelsRoot, target) => assertStillInsideSync(modelsRoot, target)],
];

describe.each(judges)('%s', (_name, judge) => {
  test('refuses a symlinked category folder pointing outside, and an existing symlink to outside', async ({ dir }) => {
    const modelsRoot = join(dir, 'models');
    await mkdir(modelsRoot);
    await mkdir(join(dir, 'elsewhere'));
    await writeFile(join(dir, 'elsewhere', 'secret.safetensors'), 'x');
    await symlink(join(dir, 'elsewhere'), join(modelsRoot, 'vae'));
    await expect(judge(modelsRoot, join(modelsRoot, 'vae', 'new.safetensors'))).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
    });
    await mkdir(join(modelsRoot, 'loras'));
    await symlink(join(dir, 'elsewhere', 'secret.safetensors'), join(modelsRoot, 'loras', 'l.safetensors'));
    await expect(judge(modelsRoot, join(modelsRoot, 'loras', 'l.safetensors'))).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
    });
  });

  test('refuses a broken symlink in the way and a path outside the root', async ({ dir }) => {
    await mkdir(join(dir, 'loras'));
    await symlink(join(dir, 'nothing'), join(dir, 'loras', 'b.safetensors'));
    await expect(judge(dir, join(dir, 'loras', 'b.safetensors'))).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
    });
    await expect(judge(join(dir, 'loras'), join(dir, 'x.safetensors'))).rejects.toMatchObject({
      code: 'UNSAFE_PATH',
    });
  });

  test('accepts a new file in folders that do not exist yet, and a root that is itself a symlink', async ({ dir }) => {
    await mkdir(join(dir, 'real-models'));
    await symlink(join(dir, 'real-models'), join(dir, 'models'));
    const modelsRoot = join(dir, 'models');
    await expect(judge(modelsRoot, join(modelsRoot, 'checkpoints', 'a', 'b.safetensors'))).resolves.toBeUndefined();
  });
});
