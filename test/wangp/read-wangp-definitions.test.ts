import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { readWanGpDefinitions } from '../../sidecar/wangp/read-wangp-definitions';
import { test } from '../disk/temp-dir-test';
import { depotErrorOf } from '../shared/depot-error-of';
import { definition, hfUrl, writeWanGpInstall } from './wangp-install-fixture';

const dragon = definition(
  { name: 'Dragon 14B', architecture: 'dragon', description: 'Makes dragons.', URLs: [hfUrl('dragon.safetensors')] },
  { prompt: 'a dragon', num_inference_steps: 30 },
);

describe('readWanGpDefinitions', () => {
  test('reads every default, keeping settings and unknown model properties out of the way', async ({ dir }) => {
    await writeWanGpInstall(dir, {
      defaults: {
        dragon,
        wyrm: definition({ name: 'Wyrm', architecture: 'dragon', URLs: 'dragon', some_future_flag: { a: 1 } }),
      },
    });
    const { definitions, problems } = await readWanGpDefinitions({ root: dir });
    expect(problems).toEqual([]);
    expect([...definitions.keys()].sort()).toEqual(['dragon', 'wyrm']);
    expect(definitions.get('wyrm')).toEqual({
      id: 'wyrm',
      files: ['defaults/wyrm.json'],
      model: { name: 'Wyrm', architecture: 'dragon', URLs: 'dragon', some_future_flag: { a: 1 } },
    });
  });

  test('merges a finetune of the same name into the default property by property', async ({ dir }) => {
    await writeWanGpInstall(dir, {
      defaults: { dragon },
      finetunes: { dragon: definition({ name: 'My Dragon', URLs: [hfUrl('my_dragon.safetensors')] }) },
    });
    const { definitions } = await readWanGpDefinitions({ root: dir });
    expect(definitions.get('dragon')).toEqual({
      id: 'dragon',
      files: ['defaults/dragon.json', 'finetunes/dragon.json'],
      model: {
        name: 'My Dragon',
        architecture: 'dragon',
        description: 'Makes dragons.',
        URLs: [hfUrl('my_dragon.safetensors')],
      },
    });
  });

  test('skips malformed files by name and keeps reading the others', async ({ dir }) => {
    await writeWanGpInstall(dir, {
      defaults: { dragon, broken: '{ "model": { "name": "Broken", } ', list: '[1, 2]', nomodel: { prompt: 'x' } },
      finetunes: {
        typed: definition({ name: 7, architecture: 'dragon', URLs: [hfUrl('a.safetensors')] }),
        urls: definition({ name: 'Urls', architecture: 'dragon', URLs: [hfUrl('a.safetensors'), 3] }),
        hidden: definition({ name: 'Hidden', architecture: 'dragon', visible: 'no' }),
        modules: definition({ name: 'Modules', architecture: 'dragon', modules: [42] }),
      },
    });
    const { definitions, problems } = await readWanGpDefinitions({ root: dir });
    expect([...definitions.keys()]).toEqual(['dragon']);
    const byFile = Object.fromEntries(problems.map((problem) => [problem.file, problem.message]));
    expect(Object.keys(byFile).sort()).toEqual([
      'defaults/broken.json',
      'defaults/list.json',
      'defaults/nomodel.json',
      'finetunes/hidden.json',
      'finetunes/modules.json',
      'finetunes/typed.json',
      'finetunes/urls.json',
    ]);
    expect(byFile['defaults/broken.json']).toMatch(
      /^defaults\/broken\.json is skipped: it is not valid JSON \(.+\)\. Fix/,
    );
    expect(byFile['defaults/list.json']).toMatch(/the file must hold a JSON object/);
    expect(byFile['defaults/nomodel.json']).toMatch(/"model" must be an object/);
    expect(byFile['finetunes/typed.json']).toMatch(/model\.name: Expected string, received number/);
    expect(byFile['finetunes/urls.json']).toMatch(/model\.URLs must be a list of URLs or the id of another model/);
    expect(byFile['finetunes/hidden.json']).toMatch(/model\.visible: Expected boolean, received string/);
    expect(byFile['finetunes/modules.json']).toMatch(/model\.modules must be a list of modules/);
  });

  test('keeps the default when its finetune is malformed', async ({ dir }) => {
    await writeWanGpInstall(dir, { defaults: { dragon }, finetunes: { dragon: '{ nope' } });
    const { definitions, problems } = await readWanGpDefinitions({ root: dir });
    expect(definitions.get('dragon')?.model.name).toBe('Dragon 14B');
    expect(definitions.get('dragon')?.files).toEqual(['defaults/dragon.json']);
    expect(problems.map((problem) => problem.file)).toEqual(['finetunes/dragon.json']);
  });

  test('reads only *.json files that are not hidden, and reports a folder named like one', async ({ dir }) => {
    await writeWanGpInstall(dir, { defaults: { dragon } });
    await writeFile(path.join(dir, 'defaults', 'ReadMe.txt'), 'not a definition');
    await writeFile(path.join(dir, 'defaults', '.draft.json'), '{ broken');
    await mkdir(path.join(dir, 'defaults', 'folder.json'));
    const { definitions, problems } = await readWanGpDefinitions({ root: dir });
    expect([...definitions.keys()]).toEqual(['dragon']);
    expect(problems).toEqual([
      { file: 'defaults/folder.json', message: expect.stringMatching(/could not be read \(EISDIR\)/) },
    ]);
  });

  test('reads an install without a finetunes folder', async ({ dir }) => {
    await writeWanGpInstall(dir, { defaults: { dragon } });
    expect((await readWanGpDefinitions({ root: dir })).definitions.size).toBe(1);
  });

  test('throws IO when a definitions folder cannot be listed', async ({ dir }) => {
    await writeWanGpInstall(dir, { defaults: { dragon } });
    await writeFile(path.join(dir, 'finetunes'), 'a file where the folder should be');
    const error = await depotErrorOf(readWanGpDefinitions({ root: dir }));
    expect(error.code).toBe('IO');
    expect(error.message).toContain(path.join(dir, 'finetunes'));
  });
});
