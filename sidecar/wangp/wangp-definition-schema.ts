import { z } from 'zod';

/**
 * A list of alternative files, or the id of another model whose list of the same property is used. WanGP takes a
 * bare string as such a reference (it never means a single URL there), so both forms are kept apart only later.
 */
export const zWanGpUrlList = z.union([z.string(), z.array(z.string())]);

/** A module file set that has a second transformer of its own (Wan 2.2 high and low noise). */
const zWanGpModulePair = z.object({ URLs: zWanGpUrlList, URLs2: zWanGpUrlList }).passthrough();

/** One entry of `modules`: the id of a model whose `modules` holds exactly one entry, a list of URLs, or a pair. */
export const zWanGpModule = z.union([z.string(), z.array(z.string()), zWanGpModulePair]);

export type WanGpModule = z.infer<typeof zWanGpModule>;

/**
 * The `model` object of a definition file. Every field is optional here because a finetune may override only a few
 * properties of the default of the same name; the merged result is checked for the required ones. Fields WanGP
 * reads that do not matter for downloads (settings, profiles, solver options) pass through unchecked.
 */
export const zWanGpModelFields = z
  .object({
    name: z.string(),
    architecture: z.string(),
    description: z.string(),
    group: z.string(),
    visible: z.boolean(),
    URLs: zWanGpUrlList,
    URLs2: zWanGpUrlList,
    preload_URLs: zWanGpUrlList,
    VAE_URLs: zWanGpUrlList,
    text_encoder_URLs: zWanGpUrlList,
    text_encoder_folder: z.string(),
    modules: z.union([z.string(), z.array(zWanGpModule)]),
    loras: zWanGpUrlList,
    /** "fp16" makes every model of this architecture prefer fp16 files; anything else means bf16. */
    dtype: z.string(),
  })
  .partial()
  .passthrough();

export type WanGpModelFields = z.infer<typeof zWanGpModelFields>;

/** A file of `defaults/` or `finetunes/`: `{ "model": {...}, ...settings }`; the settings are not checked. */
export const zWanGpDefinitionFile = z.object({ model: zWanGpModelFields }).passthrough();

/** WanGP's `transformer_quantization` and `text_encoder_quantization` choices. */
export const zWanGpQuantization = z.enum(['bf16', 'int8', 'fp8']);

export type WanGpQuantization = z.infer<typeof zWanGpQuantization>;

/** The floating-point type WanGP runs a transformer in; it breaks ties between files of one quantization. */
export type WanGpDtype = 'bf16' | 'fp16';
