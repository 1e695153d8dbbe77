// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMissingModelMarks } from '../../../extension/comfyui/clear-missing-model-marks';
import type { ComfyAppLike } from '../../../extension/comfyui/comfy-app-types';
import {
  createMissingModelsWarning,
  MISSING_MODELS_WARNING_SETTING,
} from '../../../extension/comfyui/missing-models-warning';
import { SETTING_IDS } from '../../../extension/settings';
import { createFakeComfyApp } from '../fake-comfy-app';
import { registerExtension } from '../register-extension';
import { startFakeSidecar, until } from '../fake-sidecar';

const cleanups: (() => unknown)[] = [];
beforeEach(() => localStorage.clear());
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function settingStore(initial: Record<string, unknown> = {}) {
  const values = new Map(Object.entries(initial));
  return { values, get: (id: string) => values.get(id), set: (id: string, value: unknown) => values.set(id, value) };
}

describe('createMissingModelsWarning', () => {
  it("turns ComfyUI's warning off and gives the user's own value back", () => {
    const settings = settingStore({ [MISSING_MODELS_WARNING_SETTING]: true });
    const warning = createMissingModelsWarning({ settings, storage: localStorage });
    warning.suppress();
    expect(settings.get(MISSING_MODELS_WARNING_SETTING)).toBe(false);
    warning.restore();
    expect(settings.get(MISSING_MODELS_WARNING_SETTING)).toBe(true);
    expect(localStorage.getItem('model-depot.missing-models-warning')).toBe('');
  });

  it('leaves a warning the user turned off alone, and restores nothing for them', () => {
    const settings = settingStore({ [MISSING_MODELS_WARNING_SETTING]: false });
    const warning = createMissingModelsWarning({ settings, storage: localStorage });
    warning.suppress();
    warning.restore();
    expect(settings.get(MISSING_MODELS_WARNING_SETTING)).toBe(false);
    expect(localStorage.getItem('model-depot.missing-models-warning')).toBeNull();
  });

  it("a page that ended while the warning was off gives the user's value back at the next start", () => {
    const settings = settingStore();
    createMissingModelsWarning({ settings, storage: localStorage }).suppress();
    // The page is closed here: ComfyUI's server keeps `false`.
    expect(settings.get(MISSING_MODELS_WARNING_SETTING)).toBe(false);
    createMissingModelsWarning({ settings, storage: localStorage });
    expect(settings.get(MISSING_MODELS_WARNING_SETTING)).toBe(true);
  });

  it('keeps a value the user chose while ours was in place', () => {
    const settings = settingStore({ [MISSING_MODELS_WARNING_SETTING]: false });
    const warning = createMissingModelsWarning({ settings, storage: localStorage });
    settings.set(MISSING_MODELS_WARNING_SETTING, true);
    warning.suppress();
    settings.set(MISSING_MODELS_WARNING_SETTING, true);
    warning.restore();
    expect(settings.get(MISSING_MODELS_WARNING_SETTING)).toBe(true);
  });
});

describe('the extension and ComfyUI missing-models warning', () => {
  it('is off while the sidecar answers, back when it is gone and when the extension stops', async () => {
    const sidecar = await startFakeSidecar();
    const comfy = createFakeComfyApp({ [SETTING_IDS.sidecarUrl]: sidecar.url, [MISSING_MODELS_WARNING_SETTING]: true });
    const stop = registerExtension(comfy.app, { storage: localStorage, backoff: { initialMs: 20, maxMs: 50 } });
    cleanups.push(stop);
    const value = () => comfy.settingValues()[MISSING_MODELS_WARNING_SETTING];
    await comfy.setup();
    await until(() => value() === false, 'the warning turned off');
    await sidecar.close();
    await until(() => value() === true, "the user's value back");
    expect(localStorage.getItem('model-depot.missing-models-warning')).toBe('');

    const again = await startFakeSidecar();
    cleanups.push(() => again.close());
    comfy.changeSetting(SETTING_IDS.sidecarUrl, again.url);
    await until(() => value() === false, 'the warning off again');
    stop();
    expect(value()).toBe(true);
  });
});

describe('clearMissingModelMarks', () => {
  function appWith(nodes: object[], lastNodeErrors: Record<string, unknown> | null, extra: Partial<ComfyAppLike> = {}) {
    const app: ComfyAppLike = {
      registerExtension() {},
      graph: { nodes, setDirtyCanvas() {} },
      extensionManager: { lastNodeErrors },
      ...extra,
    };
    return app;
  }
  const notInList = (input: string, value: string) => ({
    type: 'value_not_in_list',
    message: 'Value not in list',
    extra_info: { input_name: input, received_value: value },
  });

  it('drops the errors about arrived files and the mark of a node left without any', async () => {
    const ckpt = { id: 1, has_errors: true, widgets: [{ name: 'ckpt_name', value: 'base.safetensors' }] };
    const clip = {
      id: 2,
      has_errors: true,
      widgets: [
        { name: 'clip_name1', value: 'clip_l.safetensors' },
        { name: 'clip_name2', value: 't5.safetensors' },
      ],
    };
    const errors: Record<string, unknown> = {
      1: { errors: [notInList('ckpt_name', 'base.safetensors')], class_type: 'CheckpointLoaderSimple' },
      2: {
        errors: [notInList('clip_name1', 'clip_l.safetensors'), notInList('clip_name2', 't5.safetensors')],
        class_type: 'DualCLIPLoader',
      },
    };
    const app = appWith([ckpt, clip], errors);
    await clearMissingModelMarks({
      app,
      targetPaths: ['checkpoints/base.safetensors', 'text_encoders/clip_l.safetensors'],
    });
    expect(ckpt.has_errors).toBe(false);
    expect(errors[1]).toBeUndefined();
    // t5 did not arrive: that node keeps its mark and the one error left.
    expect(clip.has_errors).toBe(true);
    expect(errors[2]).toMatchObject({ errors: [{ extra_info: { received_value: 't5.safetensors' } }] });
  });

  it('asks a frontend with its own missing-model scan to run it again, silently', async () => {
    const calls: unknown[] = [];
    const node = { id: 3, has_errors: true, widgets: [{ name: 'lora_name', value: 'sdxl/detail.safetensors' }] };
    const app = appWith([node], null, {
      refreshMissingModels: async (options) => {
        calls.push(options);
        node.has_errors = false;
      },
    });
    await clearMissingModelMarks({ app, targetPaths: ['loras/sdxl/detail.safetensors'] });
    expect(calls).toEqual([{ silent: true }]);
    expect(node.has_errors).toBe(false);
  });

  it('clears the mark of a loader whose file arrived on a frontend without either', async () => {
    const node = { id: 4, has_errors: true, widgets: [{ name: 'vae_name', value: 'vae.safetensors' }] };
    const other = { id: 5, has_errors: true, widgets: [{ name: 'vae_name', value: 'other.safetensors' }] };
    await clearMissingModelMarks({ app: appWith([node, other], null), targetPaths: ['vae/vae.safetensors'] });
    expect([node.has_errors, other.has_errors]).toEqual([false, true]);
  });
});
