import { createHash } from 'node:crypto';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { openDepot as openDepotReader } from '../../../sidecar/services/depot/open-depot';
import { test } from '../install-depot-fixture';

const REPO = 'org/styles';
const LORA_SIZE = 48 * 1024 + 5;

/**
 * A ComfyUI folder (the fixture's `dir`: its models/ is the models root) whose extra_model_paths.yaml names two
 * roots: `shared` (is_default, with a `|` block of two checkpoint folders) and `archive`, plus a `$VAR` base path.
 */
async function writeExtraModelPaths(comfyuiDir: string): Promise<void> {
  await writeFile(
    path.join(comfyuiDir, 'extra_model_paths.yaml'),
    [
      'shared:',
      '  base_path: shared',
      '  is_default: true',
      '  loras: loras',
      '  checkpoints: |',
      '    checkpoints',
      '    more-checkpoints',
      'archive:',
      '  base_path: $ARCHIVE_ROOT',
      '  loras: loras/',
      '  checkpoints: checkpoints',
      '',
    ].join('\n'),
  );
}

async function putFile(file: string, content: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return createHash('sha256').update(content).digest('hex');
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

describe('a depot inside a ComfyUI install with extra_model_paths.yaml', () => {
  test('a model in the second root is present, by name and by SHA-256; another content there is not', async ({
    dir,
    openDepot,
  }) => {
    await writeExtraModelPaths(dir);
    const archive = path.join(dir, 'archive');
    await putFile(path.join(archive, 'checkpoints', 'base.safetensors'), 'base model bytes');
    const sha = await putFile(path.join(archive, 'loras', 'style.safetensors'), 'style lora bytes');
    await putFile(path.join(archive, 'loras', 'other.safetensors'), 'not the wanted bytes');
    const depot = await openDepot({ comfyuiDir: dir, comfyuiEnv: { ARCHIVE_ROOT: archive } });
    const workflow = {
      dependencies: {
        checkpoints: [{ filename: 'base.safetensors' }],
        loras: [
          { filename: 'style.safetensors', sha256: sha },
          { filename: 'other.safetensors', sha256: sha.replace(/^./, sha.startsWith('0') ? '1' : '0') },
        ],
      },
    };
    const check = await depot.check(workflow);
    expect(check.items.map((i) => [i.targetPath, i.status])).toEqual([
      ['checkpoints/base.safetensors', 'present'],
      ['loras/style.safetensors', 'present'],
      ['loras/other.safetensors', 'unavailable'],
    ]);
    expect(check.items[1]?.sha256).toBe(sha);

    // The read-only depot of `check --comfyui` sees the same folders.
    const reader = await openDepotReader({
      modelsRoot: path.join(dir, 'models'),
      comfyuiDir: dir,
      comfyuiEnv: { ARCHIVE_ROOT: archive },
      readOnly: true,
    });
    try {
      const read = await reader.check(workflow, { remote: false });
      expect(read.items.map((i) => i.status)).toEqual(['present', 'present', 'unavailable']);
    } finally {
      await reader.close();
    }
  });

  test('a missing lora downloads from the hub into the is_default root, then is present', async ({
    dir,
    hub,
    openDepot,
  }) => {
    await writeExtraModelPaths(dir);
    hub.addRepo({ id: REPO, files: [{ path: 'style.safetensors', size: LORA_SIZE }] });
    const sha = await hub.sha256Of({ repoId: REPO, path: 'style.safetensors' });
    const url = `https://huggingface.co/${REPO}/resolve/main/style.safetensors`;
    const depot = await openDepot({ comfyuiDir: dir, comfyuiEnv: { ARCHIVE_ROOT: path.join(dir, 'archive') } });
    const workflow = { dependencies: { loras: [{ filename: 'style.safetensors', url, sha256: sha }] } };
    const check = await depot.check(workflow);
    expect(check.items.map((i) => [i.targetPath, i.status, i.reason])).toEqual([
      ['loras/style.safetensors', 'missing', undefined],
    ]);

    const jobs = await depot.install(check.items.map((i) => i.requirement));
    const done = await depot.settled(jobs.map((j) => j.id));
    expect(done.map((j) => [j.state, j.error?.message])).toEqual([['complete', undefined]]);
    const inDefault = path.join(dir, 'shared', 'loras', 'style.safetensors');
    expect((await readFile(inDefault)).length).toBe(LORA_SIZE);
    expect(await exists(path.join(dir, 'models', 'loras', 'style.safetensors'))).toBe(false);
    expect(depot.list().map((m) => m.file_path)).toEqual([inDefault]);

    const again = await depot.check(workflow);
    expect(again.items.map((i) => i.status)).toEqual(['present']);
  });

  test('a folder with no is_default root downloads into the models root', async ({ dir, hub, openDepot }) => {
    await writeExtraModelPaths(dir);
    hub.addRepo({ id: REPO, files: [{ path: 'vae.safetensors', size: LORA_SIZE }] });
    const url = `https://huggingface.co/${REPO}/resolve/main/vae.safetensors`;
    const depot = await openDepot({ comfyuiDir: dir, comfyuiEnv: { ARCHIVE_ROOT: path.join(dir, 'archive') } });
    const jobs = await depot.install([{ category: 'vae', filename: 'vae.safetensors', urls: [url], origin: 'models' }]);
    const done = await depot.settled(jobs.map((j) => j.id));
    expect(done.map((j) => j.state)).toEqual(['complete']);
    expect((await readFile(path.join(dir, 'models', 'vae', 'vae.safetensors'))).length).toBe(LORA_SIZE);
  });
});
