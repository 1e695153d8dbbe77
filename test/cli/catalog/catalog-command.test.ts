import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { zCheckResult } from '../../../shared/check-result';
import { type CliFixture, test as cliTest } from '../cli-test';

const REPO = 'org/models';
const SIZE = 256 * 1024 + 7;
const HF = (file: string): string => `https://huggingface.co/${REPO}/resolve/main/${file}`;

/** ComfyUI-Manager's model-list.json format: `default` means the folder of the type. */
const MANAGER_LIST = {
  models: [
    {
      name: 'A',
      type: 'checkpoint',
      base: 'SDXL',
      save_path: 'default',
      filename: 'a.safetensors',
      url: HF('a.safetensors'),
    },
    {
      name: 'B',
      type: 'lora',
      base: 'SDXL',
      save_path: 'default',
      filename: 'b.safetensors',
      url: HF('b.safetensors'),
    },
    {
      name: 'Face',
      type: 'Ultralytics',
      base: 'Ultralytics',
      save_path: 'ultralytics/bbox',
      filename: 'c.pt',
      url: HF('c.pt'),
    },
  ],
};

const WORKFLOW = {
  nodes: [
    { id: 1, type: 'CheckpointLoaderSimple', mode: 0, widgets_values: ['a.safetensors'] },
    { id: 2, type: 'LoraLoader', mode: 0, widgets_values: ['b.safetensors', 1, 1] },
    { id: 3, type: 'UltralyticsDetectorProvider', mode: 0, widgets_values: ['bbox/c.pt'] },
  ],
};

/** Each test gives its catalogs with --catalog (the default one, ComfyUI-Manager's list, is on the internet). */
const test = cliTest.extend<{ catalogHome: undefined; write: CliFixture['workflow'] }>({
  catalogHome: [
    async ({ dir, hub }, use) => {
      await writeFile(path.join(dir, 'config.json'), JSON.stringify({ catalogs: [] }));
      hub.addRepo({
        id: REPO,
        files: ['a.safetensors', 'b.safetensors', 'b-other.safetensors', 'c.pt'].map((p) => ({ path: p, size: SIZE })),
      });
      hub.addRepo({ id: 'org/catalogs', files: [{ path: 'model-list.json', content: JSON.stringify(MANAGER_LIST) }] });
      await use(undefined);
    },
    { auto: true },
  ],
  write: async ({ workflow }, use) => {
    await use(workflow);
  },
});

describe('catalogs of known models', () => {
  test('a workflow whose three models have no URL: check lists them from the catalog, install fetches them', async ({
    cli,
    write,
    dir,
  }) => {
    const catalog = await write('model-list.json', MANAGER_LIST);
    const workflow = await write('w.json', WORKFLOW);
    const json = await cli(['--json', '--catalog', catalog, 'check', workflow]);
    expect(json.stderr).toBe('');
    const result = zCheckResult.parse(JSON.parse(json.stdout));
    expect(result.items.map((i) => [i.targetPath, i.status, i.url, i.urlSource])).toEqual([
      ['checkpoints/a.safetensors', 'missing', HF('a.safetensors'), 'catalog:model-list'],
      ['loras/b.safetensors', 'missing', HF('b.safetensors'), 'catalog:model-list'],
      ['ultralytics/bbox/c.pt', 'missing', HF('c.pt'), 'catalog:model-list'],
    ]);
    expect(json.code).toBe(0);
    const text = await cli(['--catalog', catalog, 'check', workflow]);
    expect(text.stdout).toContain(`${HF('a.safetensors')} (from catalog model-list)`);

    const install = await cli(['--catalog', catalog, 'install', workflow, '--yes']);
    expect(install.code).toBe(0);
    for (const file of ['checkpoints/a.safetensors', 'loras/b.safetensors', 'ultralytics/bbox/c.pt']) {
      expect((await stat(path.join(dir, 'models', file))).size).toBe(SIZE);
    }
  });

  test('an ambiguous name shows the candidates and downloads nothing until one is picked', async ({
    cli,
    write,
    dir,
    hub,
  }) => {
    const manager = await write('model-list.json', MANAGER_LIST);
    const plain = await write('mine.json', [
      { filename: 'b.safetensors', directory: 'loras', url: HF('b-other.safetensors') },
    ]);
    const workflow = await write('w.json', { nodes: [WORKFLOW.nodes[1]] });
    const flags = ['--catalog', manager, '--catalog', plain];
    const json = await cli(['--json', ...flags, 'check', workflow]);
    const [item] = zCheckResult.parse(JSON.parse(json.stdout)).items;
    expect(item?.status).toBe('unavailable');
    expect(item?.candidates?.map((c) => [c.url, c.catalog])).toEqual([
      [HF('b.safetensors'), 'model-list'],
      [HF('b-other.safetensors'), 'mine'],
    ]);
    expect(json.code).toBe(1);
    const text = await cli([...flags, 'check', workflow]);
    expect(text.stdout).toContain(`1. ${HF('b.safetensors')} (catalog model-list: loras/b.safetensors)`);
    expect(text.stdout).toContain(`2. ${HF('b-other.safetensors')} (catalog mine: loras/b.safetensors)`);

    const unpicked = await cli([...flags, 'install', workflow, '--yes']);
    expect(unpicked.code).toBe(1);
    expect(hub.bytesServed()).toBe(0);
    const picked = await cli([...flags, 'install', workflow, '--yes', '--pick', 'b.safetensors=2']);
    expect(picked.code).toBe(0);
    const bytes = await readFile(path.join(dir, 'models', 'loras', 'b.safetensors'));
    const other = await hub.sha256Of({ repoId: REPO, path: 'b-other.safetensors' });
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(other);
  });

  test('catalog update stores a URL catalog; check uses it with the network off', async ({ cli, write, dir, hub }) => {
    const url = `${hub.hfUrl}/org/catalogs/resolve/main/model-list.json`;
    const before = await cli(['--catalog', url, 'catalog', 'list']);
    expect(before.stdout).toContain('not fetched');
    const update = await cli(['--catalog', url, 'catalog', 'update']);
    expect(update.stdout).toMatch(/^updated model-list: 3 models/m);
    expect(update.code).toBe(0);
    const cached = await readdir(path.join(dir, 'models', '.cache', 'catalogs'));
    expect(cached).toEqual([expect.stringMatching(/^model-list-[0-9a-f]{8}\.json$/)]);
    const list = await cli(['--catalog', url, 'catalog', 'list']);
    expect(list.stdout).toContain('model-list  url  3 models');

    await hub.close();
    const workflow = await write('w.json', WORKFLOW);
    const offline = await cli(['--json', '--catalog', url, 'check', workflow], { HF_ENDPOINT: 'http://127.0.0.1:9' });
    const result = zCheckResult.parse(JSON.parse(offline.stdout));
    expect(result.items.map((i) => [i.status, i.urlSource])).toEqual([
      ['missing', 'catalog:model-list'],
      ['missing', 'catalog:model-list'],
      ['missing', 'catalog:model-list'],
    ]);
  });
});
