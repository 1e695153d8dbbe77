import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { test } from '../install-depot-fixture';

const REPO = 'org/custom';
const SIZE = 64 * 1024 + 3;
const url = (file: string): string => `https://huggingface.co/${REPO}/resolve/main/${file}`;

describe('install into the folders custom nodes use', () => {
  test('ipadapter/, animatediff_models/ and controlnet/SDXL/ install from the hub, each in its folder', async ({
    hub,
    openDepot,
    modelsRoot,
  }) => {
    hub.addRepo({
      id: REPO,
      files: ['ip.safetensors', 'motion.ckpt', 'canny.safetensors', 'face.pt'].map((p) => ({ path: p, size: SIZE })),
    });
    const depot = await openDepot();
    const workflow = {
      models: [
        { name: 'ip.safetensors', url: url('ip.safetensors'), directory: 'ipadapter' },
        { name: 'motion.ckpt', url: url('motion.ckpt'), directory: 'animatediff_models' },
        { name: 'canny.safetensors', url: url('canny.safetensors'), directory: 'controlnet/SDXL' },
      ],
      nodes: [
        { id: 1, type: 'ControlNetLoader', mode: 0, widgets_values: ['SDXL/canny.safetensors'] },
        { id: 2, type: 'UltralyticsDetectorProvider', mode: 0, widgets_values: ['bbox/face.pt'] },
      ],
      dependencies: { 'ultralytics/bbox': [{ filename: 'face.pt', url: url('face.pt') }] },
    };
    const check = await depot.check(workflow);
    expect(check.invalid).toEqual([]);
    expect(check.items.map((i) => [i.targetPath, i.status])).toEqual([
      ['ultralytics/bbox/face.pt', 'missing'],
      ['ipadapter/ip.safetensors', 'missing'],
      ['animatediff_models/motion.ckpt', 'missing'],
      ['controlnet/SDXL/canny.safetensors', 'missing'],
    ]);
    // The widget's subfolder value and the models entry in controlnet/SDXL are one requirement, with its URL.
    expect(check.items[3]?.requirement).toMatchObject({ category: 'controlnet', filename: 'SDXL/canny.safetensors' });
    const jobs = await depot.install(check.items.map((i) => i.requirement));
    const done = await depot.settled(jobs.map((j) => j.id));
    expect(done.map((j) => j.state)).toEqual(['complete', 'complete', 'complete', 'complete']);
    for (const item of check.items) {
      expect((await readFile(path.join(modelsRoot, item.targetPath))).length).toBe(SIZE);
    }
    const again = await depot.check(workflow);
    expect(again.items.map((i) => i.status)).toEqual(['present', 'present', 'present', 'present']);
  });

  test('refuses ../x, an absolute folder and a folder with U+202E, installing nothing', async ({ hub, openDepot }) => {
    hub.addRepo({ id: REPO, files: [{ path: 'x.safetensors', size: SIZE }] });
    const depot = await openDepot();
    const check = await depot.check({
      dependencies: {
        '../x': [{ filename: 'a.safetensors', url: url('x.safetensors') }],
        '/abs': [{ filename: 'b.safetensors', url: url('x.safetensors') }],
        'controlnet/\u202eLXDS': [{ filename: 'c.safetensors', url: url('x.safetensors') }],
        ipadapter: [{ filename: 'ok.safetensors', url: url('x.safetensors') }],
      },
    });
    expect(check.items.map((i) => i.targetPath)).toEqual(['ipadapter/ok.safetensors']);
    expect(check.invalid.map((i) => i.message)).toEqual([
      'folder "../x" is not a model folder name',
      'folder "/abs" is not a model folder name',
      'folder "controlnet/?LXDS" is not a model folder name',
    ]);
    const jobs = await depot.install([
      { category: '../x', filename: 'a.safetensors', urls: [url('x.safetensors')], origin: 'dependencies' },
      { category: '/abs', filename: 'b.safetensors', urls: [url('x.safetensors')], origin: 'dependencies' },
      { category: 'ipadapter/\u202eevil', filename: 'c.safetensors', urls: [url('x.safetensors')], origin: 'models' },
    ]);
    const done = await depot.settled(jobs.map((j) => j.id));
    expect(done.map((j) => [j.state, j.error?.code])).toEqual([
      ['failed', 'UNSAFE_PATH'],
      ['failed', 'UNSAFE_PATH'],
      ['failed', 'UNSAFE_PATH'],
    ]);
    expect(hub.bytesServed()).toBe(0);
  });
});
