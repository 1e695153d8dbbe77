import path from 'node:path';
import { describe, expect } from 'vitest';
import { readWanGpCatalog } from '../../sidecar/wangp/read-wangp-catalog';
import type { WanGpModel } from '../../sidecar/wangp/read-wangp-catalog';
import { test } from '../disk/temp-dir-test';
import { depotErrorOf } from '../shared/depot-error-of';
import { definition, hfUrl, writeWanGpInstall, type WanGpInstallLayout } from './wangp-install-fixture';

const DRAGON = {
  bf16: hfUrl('dragon_14B_mbf16.safetensors'),
  int8: hfUrl('dragon_14B_quanto_mbf16_int8.safetensors'),
  int8Fp16: hfUrl('dragon_14B_quanto_mfp16_int8.safetensors'),
  fp8: hfUrl('dragon_14B_mbf16_fp8_e4m3fn.safetensors'),
};

/** A model listed in three quantizations (and an fp16-made int8), the way WanGP's own definitions list them. */
const dragon = definition(
  {
    name: 'Dragon 14B',
    architecture: 'dragon',
    description: 'Turns a prompt into a video of dragons.',
    URLs: [DRAGON.bf16, DRAGON.int8, DRAGON.int8Fp16, DRAGON.fp8],
  },
  { prompt: 'a dragon over a lake', video_length: 81, num_inference_steps: 30 },
);

/** Two transformers, high and low noise, each in two quantizations. */
const twin = definition({
  name: 'Twin 14B',
  architecture: 'twin',
  description: 'Two experts.',
  group: 'twin_family',
  URLs: [hfUrl('twin_high_mbf16.safetensors'), hfUrl('twin_high_quanto_mbf16_int8.safetensors')],
  URLs2: [hfUrl('twin_low_mbf16.safetensors'), hfUrl('twin_low_quanto_mbf16_int8.safetensors')],
});

function modelNamed(models: WanGpModel[], id: string): WanGpModel {
  const model = models.find((candidate) => candidate.id === id);
  if (model === undefined) throw new Error(`model ${id} is not in the catalog (${models.map((m) => m.id).join(', ')})`);
  return model;
}

/** Role and destination of every file, the shape most assertions need. */
function destinations(model: WanGpModel): Array<[string, string]> {
  return model.files.map((file) => [file.role, file.destination]);
}

async function catalogOf(
  dir: string,
  layout: WanGpInstallLayout,
  options: Parameters<typeof readWanGpCatalog>[0] | object = {},
) {
  const root = await writeWanGpInstall(path.join(dir, 'Wan2GP'), layout);
  return readWanGpCatalog({ directory: path.join(root, 'ckpts'), ...options });
}

describe('readWanGpCatalog', () => {
  test('lists a model with its int8 file by default, the other quantizations as alternatives', async ({ dir }) => {
    const { catalog, problems } = await catalogOf(dir, { defaults: { dragon } });
    expect(problems).toEqual([]);
    const root = path.join(dir, 'Wan2GP');
    expect(catalog).toMatchObject({ root, ckptsDirectory: path.join(root, 'ckpts'), quantization: 'int8' });
    expect(catalog.models).toEqual([
      {
        id: 'dragon',
        name: 'Dragon 14B',
        architecture: 'dragon',
        description: 'Turns a prompt into a video of dragons.',
        definitionFiles: ['defaults/dragon.json'],
        files: [
          {
            role: 'transformer',
            url: DRAGON.int8,
            filename: 'dragon_14B_quanto_mbf16_int8.safetensors',
            destination: 'dragon_14B_quanto_mbf16_int8.safetensors',
            alternatives: [DRAGON.bf16, DRAGON.int8Fp16, DRAGON.fp8].map((url) => ({
              url,
              filename: url.slice(url.lastIndexOf('/') + 1),
              destination: url.slice(url.lastIndexOf('/') + 1),
            })),
          },
        ],
      },
    ]);
  });

  test.for([
    ['bf16', 'bf16', DRAGON.bf16],
    ['int8', 'bf16', DRAGON.int8],
    ['int8', 'fp16', DRAGON.int8Fp16],
    ['fp8', 'bf16', DRAGON.fp8],
  ] as const)('picks the %s file when running in %s', async ([quantization, dtype, expected], { dir }) => {
    const { catalog } = await catalogOf(dir, { defaults: { dragon } }, { quantization, dtype });
    const [transformer] = modelNamed(catalog.models, 'dragon').files;
    expect(transformer?.url).toBe(expected);
    expect(transformer?.alternatives.map((file) => file.url)).not.toContain(expected);
    expect(transformer?.alternatives).toHaveLength(3);
  });

  test('picks fp16-made files for every model of an architecture whose definition sets dtype fp16', async ({ dir }) => {
    const dragonFp16 = definition({ ...modelOf(dragon), dtype: 'fp16' });
    const young = definition({ name: 'Young Dragon', architecture: 'dragon', URLs: 'dragon' });
    const { catalog } = await catalogOf(dir, { defaults: { dragon: dragonFp16, young } });
    expect(modelNamed(catalog.models, 'dragon').files[0]?.url).toBe(DRAGON.int8Fp16);
    expect(modelNamed(catalog.models, 'young').files[0]?.url).toBe(DRAGON.int8Fp16);
  });

  test('lists both transformers of a two-expert model, each picked for the quantization', async ({ dir }) => {
    const { catalog } = await catalogOf(dir, { defaults: { twin } });
    const model = modelNamed(catalog.models, 'twin');
    expect(model.group).toBe('twin_family');
    expect(destinations(model)).toEqual([
      ['transformer', 'twin_high_quanto_mbf16_int8.safetensors'],
      ['transformer2', 'twin_low_quanto_mbf16_int8.safetensors'],
    ]);
    expect(model.files.map((file) => file.alternatives.map((alternative) => alternative.filename))).toEqual([
      ['twin_high_mbf16.safetensors'],
      ['twin_low_mbf16.safetensors'],
    ]);
    const { catalog: full } = await readWanGpCatalog({ directory: catalog.root, quantization: 'bf16' });
    expect(destinations(modelNamed(full.models, 'twin'))).toEqual([
      ['transformer', 'twin_high_mbf16.safetensors'],
      ['transformer2', 'twin_low_mbf16.safetensors'],
    ]);
  });

  test('uses the files of the model a string names, through a chain of references', async ({ dir }) => {
    const { catalog, problems } = await catalogOf(dir, {
      defaults: {
        twin,
        twin_fast: definition({ name: 'Twin Fast', architecture: 'twin', URLs: 'twin', URLs2: 'twin' }),
        twin_faster: definition({ name: 'Twin Faster', architecture: 'twin', URLs: 'twin_fast', URLs2: 'twin_fast' }),
      },
    });
    expect(problems).toEqual([]);
    const expected = destinations(modelNamed(catalog.models, 'twin'));
    expect(destinations(modelNamed(catalog.models, 'twin_fast'))).toEqual(expected);
    expect(destinations(modelNamed(catalog.models, 'twin_faster'))).toEqual(expected);
  });

  test('follows eleven references as WanGP does, and reports a twelfth', async ({ dir }) => {
    const chain = (length: number, prefix: string): Record<string, object> =>
      Object.fromEntries(
        Array.from({ length }, (_, index) => [
          `${prefix}${index}`,
          definition({
            name: `${prefix} ${index}`,
            architecture: 'dragon',
            URLs: index === length - 1 ? 'dragon' : `${prefix}${index + 1}`,
            visible: index === 0,
          }),
        ]),
      );
    const { catalog, problems } = await catalogOf(dir, {
      defaults: { dragon, ...chain(11, 'ok'), ...chain(12, 'long') },
    });
    expect(modelNamed(catalog.models, 'ok0').files[0]?.url).toBe(DRAGON.int8);
    expect(catalog.models.map((model) => model.id)).toEqual(['dragon', 'ok0']);
    expect(problems).toEqual([
      {
        file: 'defaults/long0.json',
        message: expect.stringMatching(
          /^defaults\/long0\.json: model "long0" is left out: URLs goes through more than 11 references \(long0 -> long1 -> .* -> long11 -> \.\.\.\)/,
        ),
      },
    ]);
  });

  test('reports a reference loop by the models in it and still lists the other models', async ({ dir }) => {
    const { catalog, problems } = await catalogOf(dir, {
      defaults: {
        dragon,
        ouro: definition({ name: 'Ouro', architecture: 'dragon', URLs: 'boros' }),
        boros: definition({ name: 'Boros', architecture: 'dragon', URLs: 'ouro' }),
        selfish: definition({ name: 'Selfish', architecture: 'dragon', URLs: [DRAGON.bf16], URLs2: 'selfish' }),
      },
    });
    expect(catalog.models.map((model) => model.id)).toEqual(['dragon']);
    expect(problems.map((problem) => problem.message)).toEqual([
      'defaults/boros.json: model "boros" is left out: URLs references form a loop (boros -> ouro -> boros). ' +
        'Make one of these models list its files instead of naming another model.',
      'defaults/ouro.json: model "ouro" is left out: URLs references form a loop (ouro -> boros -> ouro). ' +
        'Make one of these models list its files instead of naming another model.',
      'defaults/selfish.json: model "selfish" is left out: URLs2 references form a loop (selfish -> selfish). ' +
        'Make one of these models list its files instead of naming another model.',
    ]);
  });

  test('reports a reference to a model no file defines', async ({ dir }) => {
    const { catalog, problems } = await catalogOf(dir, {
      defaults: { orphan: definition({ name: 'Orphan', architecture: 'dragon', URLs: 'dragon' }) },
    });
    expect(catalog.models).toEqual([]);
    expect(problems).toEqual([
      {
        file: 'defaults/orphan.json',
        message:
          'defaults/orphan.json: model "orphan" is left out: URLs refers to model "dragon" (orphan -> dragon), which ' +
          'no readable file in defaults/ or finetunes/ defines. Fix the reference, or add dragon.json.',
      },
    ]);
  });

  test('applies a finetune over the default of the same name, property by property', async ({ dir }) => {
    const { catalog } = await catalogOf(dir, {
      defaults: { dragon },
      finetunes: {
        dragon: definition(
          { name: 'Dragon 14B (tuned)', URLs: [hfUrl('tuned_dragon_mbf16.safetensors')] },
          { guidance_scale: 5 },
        ),
      },
    });
    const model = modelNamed(catalog.models, 'dragon');
    expect(model).toMatchObject({
      name: 'Dragon 14B (tuned)',
      architecture: 'dragon',
      description: 'Turns a prompt into a video of dragons.',
      definitionFiles: ['defaults/dragon.json', 'finetunes/dragon.json'],
    });
    expect(destinations(model)).toEqual([['transformer', 'tuned_dragon_mbf16.safetensors']]);
  });

  test("lists a finetune that has no default, and one that reuses a default's files", async ({ dir }) => {
    const { catalog } = await catalogOf(dir, {
      defaults: { dragon },
      finetunes: {
        dragon_anime: definition({
          name: 'Anime Dragon',
          architecture: 'dragon',
          description: 'Drawn.',
          URLs: 'dragon',
        }),
      },
    });
    expect(catalog.models.map((model) => [model.id, model.definitionFiles])).toEqual([
      ['dragon', ['defaults/dragon.json']],
      ['dragon_anime', ['finetunes/dragon_anime.json']],
    ]);
    expect(modelNamed(catalog.models, 'dragon_anime').files[0]?.url).toBe(DRAGON.int8);
  });

  test('hides a default that a finetune marks visible: false, which other models can still name', async ({ dir }) => {
    const { catalog, problems } = await catalogOf(dir, {
      defaults: { dragon, young: definition({ name: 'Young Dragon', architecture: 'dragon', URLs: 'dragon' }) },
      finetunes: { dragon: definition({ visible: false }) },
    });
    expect(problems).toEqual([]);
    expect(catalog.models.map((model) => model.id)).toEqual(['young']);
    expect(modelNamed(catalog.models, 'young').files[0]?.url).toBe(DRAGON.int8);
  });

  test('lists the good models beside malformed and mistyped definition files', async ({ dir }) => {
    const { catalog, problems } = await catalogOf(dir, {
      defaults: { dragon, twin },
      finetunes: {
        cut: '{ "model": { "name": "Cut", "architecture": "dragon", "URLs": [',
        mistyped: definition({ name: 'Mistyped', architecture: 'dragon', URLs: 12 }),
        twin: definition({ URLs2: { high: 'x' } }),
        nameless: definition({ architecture: 'dragon', URLs: 'dragon' }),
      },
    });
    expect(catalog.models.map((model) => model.id)).toEqual(['dragon', 'twin']);
    expect(modelNamed(catalog.models, 'twin').definitionFiles).toEqual(['defaults/twin.json']);
    expect(problems.map((problem) => problem.file)).toEqual([
      'finetunes/cut.json',
      'finetunes/mistyped.json',
      'finetunes/twin.json',
      'finetunes/nameless.json',
    ]);
    expect(problems[0]?.message).toMatch(/^finetunes\/cut\.json is skipped: it is not valid JSON/);
    expect(problems[1]?.message).toMatch(/model\.URLs must be a list of URLs or the id of another model/);
    expect(problems[2]?.message).toMatch(/model\.URLs2 must be a list of URLs or the id of another model/);
    expect(problems[3]?.message).toBe(
      'finetunes/nameless.json: model "nameless" is left out: it has no "name"; add one to its "model" object.',
    );
  });

  test('lists modules: URL lists, ids of module models, pairs, and a whole list taken from another model', async ({
    dir,
  }) => {
    const { catalog, problems } = await catalogOf(dir, {
      defaults: {
        dragon,
        twin,
        wings: definition({
          name: 'Wings',
          architecture: 'wings',
          URLs: 'dragon',
          modules: [[hfUrl('wings_module_mbf16.safetensors'), hfUrl('wings_module_quanto_mbf16_int8.safetensors')]],
        }),
        winged_dragon: definition({
          name: 'Winged Dragon',
          architecture: 'wings',
          URLs: 'dragon',
          modules: ['wings', [hfUrl('tail_bf16.safetensors')]],
        }),
        winged_twin: definition({
          name: 'Winged Twin',
          architecture: 'twin',
          URLs: 'twin',
          URLs2: 'twin',
          modules: [{ URLs: [hfUrl('fin_high_bf16.safetensors')], URLs2: hfUrl('fin_low_bf16.safetensors') }],
        }),
        copycat: definition({ name: 'Copycat', architecture: 'wings', URLs: 'dragon', modules: 'winged_dragon' }),
      },
    });
    expect(problems).toEqual([]);
    expect(destinations(modelNamed(catalog.models, 'wings'))).toEqual([
      ['transformer', 'dragon_14B_quanto_mbf16_int8.safetensors'],
      ['module', 'wings_module_quanto_mbf16_int8.safetensors'],
    ]);
    const winged = [
      ['transformer', 'dragon_14B_quanto_mbf16_int8.safetensors'],
      ['module', 'wings_module_quanto_mbf16_int8.safetensors'],
      ['module', 'tail_bf16.safetensors'],
    ];
    expect(destinations(modelNamed(catalog.models, 'winged_dragon'))).toEqual(winged);
    expect(destinations(modelNamed(catalog.models, 'copycat'))).toEqual(winged);
    expect(destinations(modelNamed(catalog.models, 'winged_twin'))).toEqual([
      ['transformer', 'twin_high_quanto_mbf16_int8.safetensors'],
      ['transformer2', 'twin_low_quanto_mbf16_int8.safetensors'],
      ['module', 'fin_high_bf16.safetensors'],
      ['module', 'fin_low_bf16.safetensors'],
    ]);
  });

  test('picks modules made from the dtype of a pre-quantized main file', async ({ dir }) => {
    const module = [hfUrl('scales_quanto_mbf16_int8.safetensors'), hfUrl('scales_quanto_mfp16_int8.safetensors')];
    const { catalog } = await catalogOf(dir, {
      defaults: {
        fp16_only: definition({
          name: 'Fp16 only',
          architecture: 'fp16_only',
          URLs: [hfUrl('old_quanto_mfp16_int8.safetensors')],
          modules: [module],
        }),
        plain: definition({
          name: 'Plain',
          architecture: 'plain',
          URLs: [hfUrl('plain_fp16.safetensors')],
          modules: [module],
        }),
      },
    });
    expect(modelNamed(catalog.models, 'fp16_only').files[1]?.filename).toBe('scales_quanto_mfp16_int8.safetensors');
    expect(modelNamed(catalog.models, 'plain').files[1]?.filename).toBe('scales_quanto_mbf16_int8.safetensors');
  });

  test('reports a module id whose model does not hold exactly one module', async ({ dir }) => {
    const { problems } = await catalogOf(dir, {
      defaults: {
        dragon,
        two: definition({
          name: 'Two',
          architecture: 'dragon',
          URLs: 'dragon',
          modules: [[hfUrl('a.safetensors')], [hfUrl('b.safetensors')]],
        }),
        user: definition({ name: 'User', architecture: 'dragon', URLs: 'dragon', modules: ['two'] }),
      },
    });
    expect(problems.map((problem) => problem.message)).toEqual([
      'defaults/user.json: model "user" is left out: module "two" needs model "two" to list exactly one entry in its modules.',
    ]);
  });

  test('puts the text encoder in its folder, picked for the text encoder quantization', async ({ dir }) => {
    const singer = definition({
      name: 'Singer',
      architecture: 'singer',
      URLs: [hfUrl('singer_bf16.safetensors'), hfUrl('singer_quanto_bf16_int8.safetensors')],
      text_encoder_URLs: [hfUrl('lm-2B/lm_bf16.safetensors'), hfUrl('lm-2B/lm_quanto_bf16_int8.safetensors')],
      text_encoder_folder: 'lm-2B',
    });
    const layout = {
      defaults: {
        singer,
        singer_turbo: definition({
          name: 'Singer Turbo',
          architecture: 'singer',
          URLs: 'singer',
          text_encoder_URLs: 'singer',
        }),
      },
    };
    const { catalog } = await catalogOf(dir, layout, { quantization: 'bf16' });
    expect(destinations(modelNamed(catalog.models, 'singer'))).toEqual([
      ['transformer', 'singer_bf16.safetensors'],
      ['text_encoder', 'lm-2B/lm_quanto_bf16_int8.safetensors'],
    ]);
    expect(catalog.textEncoderQuantization).toBe('int8');
    expect(modelNamed(catalog.models, 'singer').files[1]?.alternatives).toEqual([
      {
        url: hfUrl('lm-2B/lm_bf16.safetensors'),
        filename: 'lm_bf16.safetensors',
        destination: 'lm-2B/lm_bf16.safetensors',
      },
    ]);
    // The folder is the model's own: the referring model sets none, so its encoder lands at the top of ckpts.
    expect(destinations(modelNamed(catalog.models, 'singer_turbo'))[1]).toEqual([
      'text_encoder',
      'lm_quanto_bf16_int8.safetensors',
    ]);
    const { catalog: full } = await readWanGpCatalog({ directory: catalog.root, textEncoderQuantization: 'bf16' });
    expect(modelNamed(full.models, 'singer').files[1]?.destination).toBe('lm-2B/lm_bf16.safetensors');
  });

  test('lists every preload and VAE file, following a preload reference', async ({ dir }) => {
    const glass = definition({
      name: 'Glass',
      architecture: 'dragon',
      URLs: 'dragon',
      preload_URLs: [hfUrl('glass_vae_rgb.safetensors'), hfUrl('glass_vae_alpha.safetensors')],
      VAE_URLs: hfUrl('glass_vae_decoder.safetensors'),
    });
    const glassFast = definition({ name: 'Glass Fast', architecture: 'dragon', URLs: 'dragon', preload_URLs: 'glass' });
    const { catalog } = await catalogOf(dir, { defaults: { dragon, glass, glass_fast: glassFast } });
    expect(destinations(modelNamed(catalog.models, 'glass'))).toEqual([
      ['transformer', 'dragon_14B_quanto_mbf16_int8.safetensors'],
      ['preload', 'glass_vae_rgb.safetensors'],
      ['preload', 'glass_vae_alpha.safetensors'],
      ['vae', 'glass_vae_decoder.safetensors'],
    ]);
    expect(destinations(modelNamed(catalog.models, 'glass_fast'))).toEqual([
      ['transformer', 'dragon_14B_quanto_mbf16_int8.safetensors'],
      ['preload', 'glass_vae_rgb.safetensors'],
      ['preload', 'glass_vae_alpha.safetensors'],
    ]);
  });

  test('puts a "|subfolder" file in that subfolder of ckpts', async ({ dir }) => {
    const voice = definition({
      name: 'Voice',
      architecture: 'voice',
      URLs: [`${hfUrl('voice_v2.safetensors')}|voice`],
    });
    const { catalog } = await catalogOf(dir, { defaults: { voice } });
    expect(modelNamed(catalog.models, 'voice').files[0]).toMatchObject({
      url: hfUrl('voice_v2.safetensors'),
      filename: 'voice_v2.safetensors',
      destination: 'voice/voice_v2.safetensors',
    });
  });

  test('leaves out a model with a file that would land outside ckpts or is not a URL', async ({ dir }) => {
    const { catalog, problems } = await catalogOf(dir, {
      defaults: { dragon },
      finetunes: {
        escape: definition({
          name: 'Escape',
          architecture: 'dragon',
          URLs: 'dragon',
          preload_URLs: [`${hfUrl('x.safetensors')}|../..`],
        }),
        local: definition({ name: 'Local', architecture: 'dragon', URLs: ['my_own_dragon.safetensors'] }),
        te: definition({
          name: 'Te',
          architecture: 'dragon',
          URLs: 'dragon',
          text_encoder_URLs: [hfUrl('t.safetensors')],
          text_encoder_folder: '/opt/te',
        }),
      },
    });
    expect(catalog.models.map((model) => model.id)).toEqual(['dragon']);
    expect(problems.map((problem) => problem.message)).toEqual([
      `finetunes/escape.json: model "escape" is left out: preload file "${hfUrl('x.safetensors')}|../.." cannot be saved: ` +
        'the subfolder after "|" "../.." contains ".."; give a folder inside ckpts.',
      'finetunes/local.json: model "local" is left out: transformer file "my_own_dragon.safetensors" is not an http(s) URL, ' +
        'so there is nothing to download.',
      `finetunes/te.json: model "te" is left out: text_encoder file "${hfUrl('t.safetensors')}" cannot be saved: ` +
        'the folder "/opt/te" is an absolute path; give a folder inside ckpts.',
    ]);
  });

  test('lists a model without URLs with no files', async ({ dir }) => {
    const { catalog } = await catalogOf(dir, {
      defaults: { empty: definition({ name: 'Empty', architecture: 'empty' }) },
    });
    expect(catalog.models).toEqual([
      {
        id: 'empty',
        name: 'Empty',
        architecture: 'empty',
        description: '',
        definitionFiles: ['defaults/empty.json'],
        files: [],
      },
    ]);
  });

  test('throws NOT_FOUND for a folder that is not a WanGP install', async ({ dir }) => {
    const error = await depotErrorOf(readWanGpCatalog({ directory: dir }));
    expect(error.code).toBe('NOT_FOUND');
  });
});

function modelOf(file: object): Record<string, unknown> {
  if (!('model' in file) || typeof file.model !== 'object' || file.model === null) throw new Error('not a definition');
  return { ...file.model };
}
