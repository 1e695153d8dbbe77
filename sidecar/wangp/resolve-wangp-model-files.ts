import { chooseWanGpFile } from './choose-wangp-file';
import { followWanGpReference, type WanGpPropertyStep } from './follow-wangp-reference';
import type { WanGpDefinition } from './read-wangp-definitions';
import type { WanGpDtype, WanGpModelFields, WanGpModule, WanGpQuantization } from './wangp-definition-schema';
import { wanGpFileTarget, type WanGpFileTarget } from './wangp-file-target';

/**
 * What a file is for: the main transformer, the second one of two-expert models (Wan 2.2 high/low noise), a module
 * loaded into the transformer (VACE, MultiTalk...), the text encoder a definition names, or a file WanGP fetches
 * before loading (`preload_URLs`, `VAE_URLs`).
 */
export type WanGpFileRole = 'transformer' | 'transformer2' | 'module' | 'text_encoder' | 'preload' | 'vae';

export interface WanGpModelFile extends WanGpFileTarget {
  role: WanGpFileRole;
  /** The other entries of the same list (other quantizations of this file); empty when the list has one entry. */
  alternatives: WanGpFileTarget[];
}

export interface ResolveWanGpModelFilesOptions {
  /** Every model WanGP knows, hidden ones included. */
  definitions: ReadonlyMap<string, WanGpDefinition>;
  /** The model whose files are wanted. */
  modelId: string;
  /** WanGP's `transformer_quantization`, for transformers and modules. */
  quantization: WanGpQuantization;
  /** WanGP's `text_encoder_quantization`. */
  textEncoderQuantization: WanGpQuantization;
  /** WanGP's `transformer_dtype_policy`, used for models whose architecture does not set a `dtype`. */
  dtype: WanGpDtype;
}

/** One list a file is picked from, and the entry WanGP picks. */
interface Slot {
  role: WanGpFileRole;
  choices: readonly string[];
  chosen: string;
  folder?: string;
}

type SlotsOrProblem = { slots: Slot[] } | { problem: string };

/**
 * The files WanGP downloads for a model, picked as WanGP picks them, with their alternatives; or one problem
 * sentence when a reference cannot be followed or an entry cannot be downloaded into ckpts. Text encoders and
 * other files that WanGP's Python code adds for an architecture are not in the definitions and not listed.
 */
export function resolveWanGpModelFiles(
  options: ResolveWanGpModelFilesOptions,
): { files: WanGpModelFile[] } | { problem: string } {
  const { definitions, modelId } = options;
  const model = definitions.get(modelId)?.model ?? {};
  const slots: Slot[] = [];
  // In WanGP's download order; modules read the transformer picked before them, hence functions run one by one.
  const parts: Array<() => SlotsOrProblem> = [
    () => transformerSlots(options, 'URLs', 'transformer'),
    () => (model.URLs2 === undefined ? { slots: [] } : transformerSlots(options, 'URLs2', 'transformer2')),
    () => moduleSlots(options, slots.find((slot) => slot.role === 'transformer')?.chosen ?? ''),
    () => textEncoderSlots(options, model),
    () => listSlots(options, 'preload_URLs', 'preload'),
    () => ({ slots: toList(model.VAE_URLs).map((entry) => ({ role: 'vae', choices: [entry], chosen: entry })) }),
  ];
  for (const part of parts) {
    const result = part();
    if ('problem' in result) return result;
    slots.push(...result.slots);
  }
  const files: WanGpModelFile[] = [];
  for (const slot of slots) {
    const file = slotFile(slot);
    if ('problem' in file) return file;
    files.push(file);
  }
  return { files };
}

function transformerSlots(
  options: ResolveWanGpModelFilesOptions,
  property: 'URLs' | 'URLs2',
  role: WanGpFileRole,
): SlotsOrProblem {
  const found = followWanGpReference({ ...options, property, read: (model) => urlListStep(model[property]) });
  if ('problem' in found) return found;
  const choices = found.value ?? [];
  const chosen = chooseWanGpFile({
    choices,
    quantization: options.quantization,
    dtype: dtypeOf(options, found.ownerId),
  });
  return { slots: chosen === undefined ? [] : [{ role, choices, chosen }] };
}

/**
 * Modules are picked with the transformer's quantization; a quantized main file ("quanto" in its name) makes its
 * own dtype the modules' dtype, unless the architecture fixes one.
 */
function moduleSlots(options: ResolveWanGpModelFilesOptions, mainEntry: string): SlotsOrProblem {
  const found = followWanGpReference<WanGpModule[]>({
    ...options,
    property: 'modules',
    read: (model) => (typeof model.modules === 'string' ? { reference: model.modules } : { value: model.modules }),
  });
  if ('problem' in found) return found;
  const dtype = architectureDtype(options, options.modelId) ?? quantizedFileDtype(mainEntry) ?? options.dtype;
  const slots: Slot[] = [];
  for (const module of found.value ?? []) {
    const resolved = typeof module === 'string' ? moduleOf(options, module) : { value: module };
    if ('problem' in resolved) return resolved;
    for (const choices of moduleLists(resolved.value)) {
      const chosen = chooseWanGpFile({ choices, quantization: options.quantization, dtype });
      if (chosen !== undefined) slots.push({ role: 'module', choices, chosen });
    }
  }
  return { slots };
}

/** A module is one list of alternatives, or two (its own high and low noise files). */
function moduleLists(module: Exclude<WanGpModule, string> | undefined): string[][] {
  if (module === undefined) return [];
  return Array.isArray(module) ? [module] : [toList(module.URLs), toList(module.URLs2)];
}

/** A module named by id is that model's only `modules` entry, itself possibly another id. */
function moduleOf(
  options: ResolveWanGpModelFilesOptions,
  moduleId: string,
): { value: Exclude<WanGpModule, string> | undefined } | { problem: string } {
  const found = followWanGpReference<Exclude<WanGpModule, string>>({
    definitions: options.definitions,
    modelId: moduleId,
    property: `module "${moduleId}"`,
    read: (model, id): WanGpPropertyStep<Exclude<WanGpModule, string>> => {
      if (model.modules === undefined) return { value: undefined };
      if (!Array.isArray(model.modules) || model.modules.length !== 1) {
        return { problem: `module "${moduleId}" needs model "${id}" to list exactly one entry in its modules.` };
      }
      const [only] = model.modules;
      return typeof only === 'string' ? { reference: only } : { value: only };
    },
  });
  return 'problem' in found ? found : { value: found.value };
}

function textEncoderSlots(options: ResolveWanGpModelFilesOptions, model: WanGpModelFields): SlotsOrProblem {
  const found = followWanGpReference({
    ...options,
    property: 'text_encoder_URLs',
    read: (fields) => urlListStep(fields.text_encoder_URLs),
  });
  if ('problem' in found) return found;
  const choices = found.value ?? [];
  const dtype = dtypeOf(options, options.modelId);
  const chosen = chooseWanGpFile({ choices, quantization: options.textEncoderQuantization, dtype });
  if (chosen === undefined) return { slots: [] };
  return { slots: [{ role: 'text_encoder', choices, chosen, folder: model.text_encoder_folder }] };
}

/** Every entry of the list is a file of its own. */
function listSlots(
  options: ResolveWanGpModelFilesOptions,
  property: 'preload_URLs',
  role: WanGpFileRole,
): SlotsOrProblem {
  const found = followWanGpReference({ ...options, property, read: (model) => urlListStep(model[property]) });
  if ('problem' in found) return found;
  return { slots: (found.value ?? []).map((entry) => ({ role, choices: [entry], chosen: entry })) };
}

function slotFile({ role, choices, chosen, folder }: Slot): WanGpModelFile | { problem: string } {
  const target = wanGpFileTarget({ entry: chosen, folder });
  if ('problem' in target) return { problem: `${role} file ${target.problem}` };
  const alternatives: WanGpFileTarget[] = [];
  for (const entry of choices.filter((choice) => choice !== chosen)) {
    const alternative = wanGpFileTarget({ entry, folder });
    if ('problem' in alternative) return { problem: `${role} alternative ${alternative.problem}` };
    alternatives.push(alternative);
  }
  return { ...target, role, alternatives };
}

/** In a URL list property a bare string is a model id, never a single URL. */
function urlListStep(value: string | string[] | undefined): WanGpPropertyStep<string[]> {
  return typeof value === 'string' ? { reference: value } : { value };
}

/** Outside reference properties (VAE_URLs, a module pair's lists) WanGP takes a bare string as one URL. */
function toList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}

function dtypeOf(options: ResolveWanGpModelFilesOptions, modelId: string): WanGpDtype {
  return architectureDtype(options, modelId) ?? options.dtype;
}

/** The `dtype` of the model named by this model's architecture: WanGP lets an architecture force fp16 or bf16. */
function architectureDtype({ definitions }: ResolveWanGpModelFilesOptions, modelId: string): WanGpDtype | undefined {
  const architecture = definitions.get(modelId)?.model.architecture;
  const dtype = architecture === undefined ? undefined : definitions.get(architecture)?.model.dtype;
  if (dtype === undefined) return undefined;
  return dtype === 'fp16' ? 'fp16' : 'bf16';
}

/** WanGP runs a pre-quantized transformer in the type its name says; fp16 wins when both appear. */
function quantizedFileDtype(entry: string): WanGpDtype | undefined {
  if (!entry.includes('quanto')) return undefined;
  if (entry.includes('fp16') || entry.includes('FP16')) return 'fp16';
  if (entry.includes('bf16') || entry.includes('BF16')) return 'bf16';
  return undefined;
}
