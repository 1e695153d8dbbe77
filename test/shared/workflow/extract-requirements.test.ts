import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractRequirements } from '../../../shared/workflow/extract-requirements';
import { DepotError } from '../../../shared/errors';
import { MAX_MODEL_ENTRIES } from '../../../shared/workflow/requirement-collector';
import { zRequirement } from '../../../shared/requirement';

const SDXL_SHA = '31e35c80fc4829d14f90153f4c74cd59c90b779f6afe05a74cd6120b893f7e5b';
const SDXL_URL =
  'https://huggingface.co/stabilityai/stable-diffusion-xl-base-1.0/resolve/main/sd_xl_base_1.0.safetensors';
const OTHER_SHA = 'ab'.repeat(32);

function fixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../fixtures/workflows/${name}`, import.meta.url)), 'utf8');
}

function badInput(input: unknown): DepotError {
  try {
    extractRequirements(input);
  } catch (error) {
    if (error instanceof DepotError) return error;
    throw error;
  }
  throw new Error('expected extractRequirements to throw');
}

const sdxlEntry = {
  filename: 'sd_xl_base_1.0.safetensors',
  sha256: SDXL_SHA,
  size: 6938078334,
  urls: [SDXL_URL],
  display_name: 'Stable Diffusion XL Base 1.0',
  required: true,
  requires_auth: false,
};

describe('extractRequirements', () => {
  describe('the dependencies section', () => {
    const expected = {
      category: 'checkpoints',
      filename: 'sd_xl_base_1.0.safetensors',
      sha256: SDXL_SHA,
      size: 6938078334,
      urls: [SDXL_URL],
      displayName: 'Stable Diffusion XL Base 1.0',
      required: true,
      requiresAuth: false,
      origin: 'dependencies',
    };

    it.each([
      ['at the top level', 'dependencies-top-level.json'],
      ['under workflow', 'dependencies-under-workflow.json'],
      ['under extra (what survives re-serialization)', 'dependencies-under-extra.json'],
    ])('reads the section %s', (_where, file) => {
      const { requirements, invalid } = extractRequirements(fixture(file));
      expect(invalid).toEqual([]);
      expect(requirements.map((r) => `${r.category}/${r.filename}`)).toEqual([
        'checkpoints/sd_xl_base_1.0.safetensors',
        'loras/detail-tweaker-xl.safetensors',
        'vae/sdxl_vae.safetensors',
      ]);
      expect(requirements[0]).toEqual(expected);
      expect(requirements[1]).toMatchObject({
        requiresAuth: true,
        urls: ['https://civitai.com/api/download/models/135867'],
      });
    });

    it('accepts any folder name, and canonicalizes legacy ones (unet, clip)', () => {
      const { requirements } = extractRequirements({
        dependencies: {
          unet: [{ filename: 'flux1-dev.safetensors' }],
          clip: [{ filename: 't5xxl_fp16.safetensors' }],
          ipadapter: [{ filename: 'ip-adapter_sdxl.safetensors' }],
        },
      });
      expect(requirements.map((r) => r.category)).toEqual(['diffusion_models', 'text_encoders', 'ipadapter']);
    });

    it('defaults required to true, tolerates nulls, unknown keys, a single url and a sha256: prefix', () => {
      const { requirements, invalid } = extractRequirements({
        dependencies: {
          checkpoints: [
            {
              filename: 'a.safetensors',
              sha256: `sha256:${SDXL_SHA.toUpperCase()}`,
              size: null,
              url: SDXL_URL,
              note: 'x',
            },
          ],
          _comment: 'written by hand',
          vae: null,
        },
      });
      expect(invalid).toEqual([]);
      expect(requirements).toEqual([
        {
          category: 'checkpoints',
          filename: 'a.safetensors',
          sha256: SDXL_SHA,
          urls: [SDXL_URL],
          required: true,
          origin: 'dependencies',
        },
      ]);
    });

    it('reads a flat list whose entries name their category', () => {
      const { requirements, invalid } = extractRequirements({
        dependencies: [{ filename: 'x.safetensors', category: 'loras' }, { filename: 'y.safetensors' }],
      });
      expect(requirements).toMatchObject([{ category: 'loras', filename: 'x.safetensors' }]);
      expect(invalid).toEqual([{ path: 'dependencies[1]', message: expect.stringMatching(/category is required/) }]);
    });

    it('takes { workflow, dependencies } as the WebSocket check message carries them', () => {
      const { requirements } = extractRequirements({
        workflow: JSON.parse(fixture('comfyui-template-properties-models-no-hash.json')),
        dependencies: { checkpoints: [sdxlEntry] },
      });
      expect(requirements[0]).toMatchObject({ filename: 'sd_xl_base_1.0.safetensors', origin: 'dependencies' });
      expect(requirements).toHaveLength(5);
    });
  });

  describe('ComfyUI models', () => {
    it('reads a template: properties.models with URLs and no hash, merged with the top-level models', () => {
      const { requirements, invalid } = extractRequirements(fixture('comfyui-template-properties-models-no-hash.json'));
      expect(invalid).toEqual([]);
      expect(requirements).toEqual([
        {
          category: 'diffusion_models',
          filename: 'flux1-dev.safetensors',
          urls: ['https://huggingface.co/Comfy-Org/flux1-dev/resolve/main/flux1-dev.safetensors'],
          required: true,
          origin: 'models',
        },
        expect.objectContaining({ category: 'vae', filename: 'ae.safetensors' }),
        expect.objectContaining({ category: 'text_encoders', filename: 'clip_l.safetensors' }),
        expect.objectContaining({ category: 'text_encoders', filename: 't5xxl_fp16.safetensors' }),
      ]);
      for (const r of requirements) expect(r.sha256).toBeUndefined();
    });

    it('takes hash as the SHA-256 only when hash_type says sha256', () => {
      const { requirements } = extractRequirements({
        models: [
          { name: 'a.safetensors', url: SDXL_URL, hash: SDXL_SHA, hash_type: 'SHA256', directory: 'checkpoints' },
          { name: 'b.safetensors', url: SDXL_URL, hash: OTHER_SHA, hash_type: 'blake3', directory: 'checkpoints' },
          { name: 'c.safetensors', url: SDXL_URL, hash: OTHER_SHA, directory: 'checkpoints' },
        ],
      });
      expect(requirements.map((r) => r.sha256)).toEqual([SDXL_SHA, undefined, undefined]);
    });

    it('reads models inside subgraphs, nested ones too, and skips subgraphs used only by bypassed nodes', () => {
      const { requirements, invalid } = extractRequirements(fixture('subgraphs-with-loaders.json'));
      expect(invalid).toEqual([]);
      expect(requirements).toEqual([
        {
          category: 'checkpoints',
          filename: 'sd_xl_base_1.0.safetensors',
          sha256: SDXL_SHA,
          urls: [SDXL_URL],
          required: true,
          origin: 'models',
        },
        expect.objectContaining({ category: 'upscale_models', filename: '4x-UltraSharp.pth', origin: 'models' }),
      ]);
    });

    it('keeps a subgraph definition that no node uses rather than dropping it silently', () => {
      const { requirements } = extractRequirements({
        nodes: [],
        definitions: {
          subgraphs: [{ id: 'orphan', nodes: [{ id: 1, type: 'VAELoader', widgets_values: ['v.safetensors'] }] }],
        },
      });
      expect(requirements).toMatchObject([{ category: 'vae', filename: 'v.safetensors' }]);
    });

    it('skips properties.models entries the node no longer has selected (stale metadata)', () => {
      const { requirements } = extractRequirements({
        nodes: [
          {
            id: 1,
            type: 'CheckpointLoaderSimple',
            mode: 0,
            properties: {
              models: [
                { name: 'old.safetensors', url: SDXL_URL, directory: 'checkpoints' },
                { name: 'new.safetensors', url: SDXL_URL, directory: 'checkpoints' },
              ],
            },
            widgets_values: ['new.safetensors'],
          },
        ],
      });
      expect(requirements.map((r) => r.filename)).toEqual(['new.safetensors']);
      expect(requirements[0]).toMatchObject({ origin: 'models', urls: [SDXL_URL] });
    });

    it('reads nothing from muted (mode 2) and bypassed (mode 4) nodes', () => {
      const models = [{ name: 'x.safetensors', url: SDXL_URL, directory: 'loras' }];
      const { requirements } = extractRequirements({
        nodes: [
          { id: 1, type: 'LoraLoader', mode: 2, properties: { models }, widgets_values: ['x.safetensors', 1, 1] },
          { id: 2, type: 'LoraLoader', mode: 4, properties: { models }, widgets_values: ['x.safetensors', 1, 1] },
        ],
      });
      expect(requirements).toEqual([]);
    });
  });

  describe('loader widgets', () => {
    it('reads the selected files of loader nodes into their folders, with no URL', () => {
      const { requirements, invalid } = extractRequirements(fixture('loader-widgets.json'));
      expect(invalid).toEqual([]);
      expect(requirements.map((r) => `${r.category}/${r.filename}`)).toEqual([
        'checkpoints/SDXL/juggernautXL_v9.safetensors',
        'checkpoints/v1-5-pruned-emaonly.ckpt',
        'loras/flux_realism_lora.safetensors',
        'diffusion_models/wan2.1_t2v_1.3B_fp16.safetensors',
        'text_encoders/umt5_xxl_fp8_e4m3fn_scaled.safetensors',
        'text_encoders/clip_g.safetensors',
        'text_encoders/clip_l.safetensors',
        'text_encoders/t5xxl_fp8_e4m3fn.safetensors',
        'clip_vision/clip_vision_h.safetensors',
        'controlnet/control_v11p_sd15_openpose.pth',
        'upscale_models/RealESRGAN_x4plus.pth',
        'style_models/flux1-redux-dev.safetensors',
        'diffusion_models/flux1-dev-Q4_K_S.gguf',
      ]);
      for (const r of requirements) expect(r).toMatchObject({ urls: [], required: true, origin: 'widget' });
    });

    it('reads widget values keyed by name, and the API (prompt) format', () => {
      const named = extractRequirements({
        nodes: [
          { id: 1, type: 'MyLoader', widgets_values: { ckpt_name: 'a.safetensors', clip_name: 'c.safetensors' } },
        ],
      });
      expect(named.requirements).toMatchObject([{ category: 'checkpoints', filename: 'a.safetensors' }]);
      const prompt = extractRequirements({
        '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'b.safetensors' } },
        '5': {
          class_type: 'DualCLIPLoader',
          inputs: { clip_name1: 'l.safetensors', clip_name2: 't5.safetensors', type: 'flux' },
        },
        '6': { class_type: 'KSampler', inputs: { seed: 1, model: ['4', 0] } },
      });
      expect(prompt.requirements.map((r) => `${r.category}/${r.filename}`)).toEqual([
        'checkpoints/b.safetensors',
        'text_encoders/l.safetensors',
        'text_encoders/t5.safetensors',
      ]);
    });
  });

  describe('merging', () => {
    it('merges the same category + file name from all three sources; the richest entry wins', () => {
      const { requirements, invalid } = extractRequirements({
        dependencies: { checkpoints: [{ ...sdxlEntry, urls: [SDXL_URL], required: false, requires_auth: false }] },
        models: [
          {
            name: 'sd_xl_base_1.0.safetensors',
            url: 'https://huggingface.co/mirror/x/resolve/main/sd_xl_base_1.0.safetensors',
            directory: 'checkpoints',
          },
        ],
        nodes: [{ id: 4, type: 'CheckpointLoaderSimple', mode: 0, widgets_values: ['sd_xl_base_1.0.safetensors'] }],
      });
      expect(invalid).toEqual([]);
      expect(requirements).toEqual([
        {
          category: 'checkpoints',
          filename: 'sd_xl_base_1.0.safetensors',
          sha256: SDXL_SHA,
          size: 6938078334,
          urls: [SDXL_URL, 'https://huggingface.co/mirror/x/resolve/main/sd_xl_base_1.0.safetensors'],
          displayName: 'Stable Diffusion XL Base 1.0',
          required: true,
          requiresAuth: false,
          origin: 'dependencies',
        },
      ]);
    });

    it('gives a widget mention the URL and hash of a later models entry', () => {
      const { requirements } = extractRequirements({
        nodes: [
          { id: 1, type: 'VAELoader', widgets_values: ['ae.safetensors'] },
          {
            id: 2,
            type: 'Note',
            properties: {
              models: [
                { name: 'ae.safetensors', url: SDXL_URL, hash: SDXL_SHA, hash_type: 'sha256', directory: 'vae' },
              ],
            },
          },
        ],
      });
      expect(requirements).toEqual([
        {
          category: 'vae',
          filename: 'ae.safetensors',
          sha256: SDXL_SHA,
          urls: [SDXL_URL],
          required: true,
          origin: 'models',
        },
      ]);
    });

    it('merges unet/diffusion_models and clip/text_encoders as the same folder', () => {
      const { requirements } = extractRequirements({
        models: [
          { name: 'f.safetensors', url: SDXL_URL, directory: 'unet' },
          { name: 'f.safetensors', url: SDXL_URL, directory: 'diffusion_models' },
        ],
      });
      expect(requirements).toHaveLength(1);
      expect(requirements[0]?.category).toBe('diffusion_models');
    });

    it('keeps the first SHA-256 when two mentions disagree, and says so', () => {
      const { requirements, invalid } = extractRequirements({
        dependencies: { vae: [{ filename: 'v.safetensors', sha256: SDXL_SHA }] },
        models: [{ name: 'v.safetensors', url: SDXL_URL, hash: OTHER_SHA, hash_type: 'sha256', directory: 'vae' }],
      });
      expect(requirements[0]?.sha256).toBe(SDXL_SHA);
      expect(invalid).toEqual([
        { path: 'models[0]', message: expect.stringMatching(/^vae\/v\.safetensors has SHA-256 abababababab… here/) },
      ]);
    });

    it('produces requirements that the shared zRequirement schema accepts', () => {
      for (const file of [
        'dependencies-top-level.json',
        'comfyui-template-properties-models-no-hash.json',
        'loader-widgets.json',
      ]) {
        for (const r of extractRequirements(fixture(file)).requirements) expect(zRequirement.parse(r)).toEqual(r);
      }
    });
  });

  describe('invalid entries', () => {
    it('reports each invalid entry with its path and keeps the valid ones (a bad URL only costs the URL)', () => {
      const { requirements, invalid } = extractRequirements({
        dependencies: {
          checkpoints: [sdxlEntry, { filename: 'b.safetensors', sha256: 'nope' }, { sha256: SDXL_SHA }, 'junk'],
          loras: 'not a list',
        },
        nodes: [
          7,
          {
            id: 3,
            type: 'UNETLoader',
            properties: {
              models: [
                { name: 'u.safetensors', url: 'not a url', directory: 'diffusion_models' },
                {
                  name: 'w.safetensors',
                  url: 'https://huggingface.co/o/r/resolve/main/w.safetensors',
                  directory: 'diffusion_models',
                },
                { name: 'j.safetensors', url: 'javascript:alert(1)', directory: 'vae' },
              ],
            },
          },
        ],
      });
      expect(requirements.map((r) => [r.filename, r.urls.length])).toEqual([
        ['sd_xl_base_1.0.safetensors', 1],
        ['u.safetensors', 0],
        ['w.safetensors', 1],
        ['j.safetensors', 0],
      ]);
      expect(invalid).toEqual([
        { path: 'dependencies.checkpoints[1]', message: 'sha256 must be a SHA-256 (64 hexadecimal characters)' },
        { path: 'dependencies.checkpoints[2]', message: 'filename is required' },
        { path: 'dependencies.checkpoints[3]', message: 'must be an object, not string' },
        { path: 'dependencies.loras', message: expect.stringMatching(/^must be a list of model entries/) },
        { path: 'nodes[0]', message: 'must be an object, not number' },
        { path: 'nodes[1].properties.models[0]', message: 'url must be a URL (http or https)' },
        { path: 'nodes[1].properties.models[2]', message: 'url must be a URL (http or https)' },
      ]);
    });

    it('drops credentials from URLs (user info, ?token=), since workflows are shared and saved', () => {
      const { requirements } = extractRequirements({
        models: [
          {
            name: 'a.safetensors',
            url: 'https://u:p@civitai.com/api/download/models/1?type=Model&token=abc',
            directory: 'loras',
          },
        ],
      });
      expect(requirements[0]?.urls).toEqual(['https://civitai.com/api/download/models/1?type=Model']);
    });

    it('ignores an extra or definitions of the wrong type and reads the rest', () => {
      const { requirements } = extractRequirements({
        extra: 'x',
        definitions: 7,
        nodes: [{ id: 1, type: 'VAELoader', widgets_values: ['v.safetensors'] }],
      });
      expect(requirements).toMatchObject([{ filename: 'v.safetensors' }]);
    });

    it('reads a node with odd field types rather than hiding its models', () => {
      const { requirements, invalid } = extractRequirements({
        nodes: [
          { id: 'x', type: 'VAELoader', mode: '0', properties: 'none', widgets_values: ['v.safetensors'] },
          { id: 2, type: 5, widgets_values: 'nope' },
        ],
      });
      expect(invalid).toEqual([]);
      expect(requirements).toMatchObject([{ category: 'vae', filename: 'v.safetensors' }]);
    });

    it('reports wrong field types with their names', () => {
      const { invalid } = extractRequirements({
        dependencies: { vae: [{ filename: 5, size: -1, urls: 'x', required: 'yes' }] },
        models: [{ name: 'a.safetensors', url: SDXL_URL }],
      });
      expect(invalid).toEqual([
        {
          path: 'dependencies.vae[0]',
          message:
            'filename must be a string; size must not be negative; urls must be a list of URLs; required must be true or false',
        },
        { path: 'models[0]', message: 'directory is required' },
      ]);
    });
  });

  describe('hostile input', () => {
    it.each([
      ['not JSON', '{"nodes": [', /^The input is not valid JSON/],
      ['a JSON list', '[1,2,3]', /^The input is a list, not a workflow object/],
      ['a number', 42, /^The input is a number, not a workflow object/],
      ['null', null, /^The input is null/],
      [
        'an object without a workflow in it',
        { hello: 'world' },
        /^Not a workflow: it has no nodes, models or dependencies/,
      ],
      ['nodes of the wrong type', { nodes: 'abc' }, /^Not a workflow: nodes must be a list of nodes/],
      ['models of the wrong type', { models: { a: 1 } }, /^Not a workflow: models must be a list of model files/],
      ['dependencies of the wrong type', { dependencies: 'x' }, /^dependencies must be an object of model folders/],
      ['a workflow wrapper of the wrong type', { workflow: 5 }, /^workflow is a number/],
      [
        'a wrapped workflow with a bad container',
        { workflow: { nodes: 1 } },
        /^Not a workflow: workflow\.nodes must be a list/,
      ],
    ])('refuses %s with BAD_INPUT and says what a workflow looks like', (_what, input, message) => {
      const error = badInput(input);
      expect(error.code).toBe('BAD_INPUT');
      expect(error.message).toMatch(message);
      expect(error.message).toMatch(/Expected a ComfyUI workflow JSON object|must be an object of model folders/);
    });

    it('refuses 10 MB of junk quickly', () => {
      const junk = Array.from({ length: 10 * 1024 }, (_, i) => `${i}\u0000<>{[`.repeat(170)).join('');
      expect(junk.length).toBeGreaterThan(10_000_000);
      const started = performance.now();
      expect(badInput(junk).code).toBe('BAD_INPUT');
      const bigObject = JSON.stringify({ blob: 'x'.repeat(10_000_000), nested: { deeper: [1, 2, 3] } });
      expect(badInput(bigObject).message).toMatch(/no nodes, models or dependencies/);
      expect(performance.now() - started).toBeLessThan(2000);
    });

    it(`refuses more than ${MAX_MODEL_ENTRIES} model entries whole`, () => {
      const entries = Array.from({ length: 10_000 }, (_, i) => ({ filename: `m${i}.safetensors`, sha256: SDXL_SHA }));
      const error = badInput({ dependencies: { checkpoints: entries } });
      expect(error.message).toMatch(/more than 1000 models/);
      const nodes = Array.from({ length: 10_000 }, (_, i) => ({
        id: i,
        type: 'LoraLoader',
        widgets_values: [`l${i}.safetensors`],
      }));
      expect(badInput({ nodes }).code).toBe('BAD_INPUT');
    });

    it('accepts a real-sized workflow with many nodes but few models', () => {
      const nodes = Array.from({ length: 5_000 }, (_, i) => ({
        id: i,
        type: 'KSampler',
        widgets_values: [i, 'fixed', 20],
      }));
      nodes.push({ id: 9999, type: 'VAELoader', widgets_values: ['ae.safetensors'] });
      expect(extractRequirements({ nodes }).requirements).toHaveLength(1);
    });

    it('survives deep nesting and subgraph cycles', () => {
      let deep: unknown = { nodes: [] };
      for (let i = 0; i < 5_000; i++) deep = { extra: deep, nodes: [deep] };
      expect(() => extractRequirements(deep)).not.toThrow();
      const text = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      expect(badInput(text).code).toBe('BAD_INPUT');
      const cyclic = {
        nodes: [{ id: 1, type: 'a' }],
        definitions: {
          subgraphs: [
            {
              id: 'a',
              nodes: [
                { id: 1, type: 'b' },
                { id: 2, type: 'VAELoader', widgets_values: ['v.safetensors'] },
              ],
            },
            { id: 'b', nodes: [{ id: 1, type: 'a' }] },
          ],
        },
      };
      expect(extractRequirements(cyclic).requirements).toHaveLength(1);
    });

    it('treats __proto__ and constructor keys as data, without touching prototypes', () => {
      const text =
        '{"dependencies": {"__proto__": [{"filename": "p.safetensors"}], "constructor": [{"filename": "c.safetensors"}],' +
        ' "checkpoints": [{"filename": "ok.safetensors", "__proto__": {"polluted": true}}]},' +
        ' "nodes": [{"id": 1, "type": "MyLoader", "widgets_values": {"__proto__": "x.safetensors", "ckpt_name": "n.safetensors"}}]}';
      const { requirements, invalid } = extractRequirements(text);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(requirements.map((r) => `${r.category}/${r.filename}`)).toEqual([
        'constructor/c.safetensors',
        'checkpoints/ok.safetensors',
        'checkpoints/n.safetensors',
      ]);
      expect(invalid).toEqual([
        { path: 'dependencies.__proto__[0]', message: 'folder "__proto__" is not a model folder name' },
      ]);
    });

    it('reports hostile file and folder names beside the good entries, keeping the name as data', () => {
      const { requirements, invalid } = extractRequirements({
        dependencies: {
          checkpoints: [
            { filename: '../../../etc/passwd' },
            { filename: '/etc/shadow.safetensors' },
            { filename: 'C:\\Windows\\evil.safetensors' },
            { filename: 'sub\\..\\..\\up.safetensors' },
            { filename: 'nul\u0000byte.safetensors' },
            { filename: 'dir/a:stream.safetensors' },
            { filename: 'fine/sub folder/ok.safetensors' },
          ],
          '../escape': [{ filename: 'x.safetensors' }],
        },
      });
      expect(requirements.map((r) => r.filename)).toEqual(['fine/sub folder/ok.safetensors']);
      expect(invalid.map((i) => i.message)).toEqual([
        'file name "../../../etc/passwd" has a ".." segment; it must stay inside its folder',
        'file name "/etc/shadow.safetensors" is an absolute path; give a name inside its folder',
        'file name "C:/Windows/evil.safetensors" is an absolute path; give a name inside its folder',
        'file name "sub/../../up.safetensors" has a ".." segment; it must stay inside its folder',
        'file name "nul?byte.safetensors" contains control characters',
        'file name "dir/a:stream.safetensors" contains a character not allowed in file names (: * ? " < > |)',
        'folder "../escape" is not a model folder name',
      ]);
    });
  });
});
