import { locateWanGpInstall } from './locate-wangp-install';
import { readWanGpDefinitions, type WanGpDefinition, type WanGpProblem } from './read-wangp-definitions';
import { resolveWanGpModelFiles, type WanGpModelFile } from './resolve-wangp-model-files';
import type { WanGpDtype, WanGpQuantization } from './wangp-definition-schema';

export interface ReadWanGpCatalogOptions {
  /** WanGP's folder (with `defaults/` and `finetunes/`) or its `ckpts/` folder. */
  directory: string;
  /** Which quantization of transformers and modules to pick, like WanGP's `transformer_quantization`. Default int8. */
  quantization?: WanGpQuantization;
  /** Which quantization of text encoders to pick, like WanGP's `text_encoder_quantization`. Default int8. */
  textEncoderQuantization?: WanGpQuantization;
  /** WanGP's `transformer_dtype_policy` for architectures that set no `dtype`. Default bf16, as WanGP on GPUs that support it. */
  dtype?: WanGpDtype;
}

/** A model WanGP shows in its model list. */
export interface WanGpModel {
  /** The definition file's name without `.json`; WanGP's model type. */
  id: string;
  /** The name WanGP shows. */
  name: string;
  /** The model family WanGP's code runs it with (`t2v`, `i2v_2_2`, `flux`...). */
  architecture: string;
  /** WanGP's description; empty when the definition has none. */
  description: string;
  /** The group WanGP files it under in its model list, when the definition sets one. */
  group?: string;
  /** The definition files it comes from, relative to WanGP's folder (a default, then its finetune override). */
  definitionFiles: string[];
  /** The files WanGP downloads into ckpts for it, picked for the catalog's quantization. */
  files: WanGpModelFile[];
}

export interface WanGpCatalog {
  /** WanGP's folder, absolute. */
  root: string;
  /** WanGP's ckpts folder, absolute; every file destination is relative to it. */
  ckptsDirectory: string;
  /** The quantization files were picked for. */
  quantization: WanGpQuantization;
  /** The quantization text encoders were picked for. */
  textEncoderQuantization: WanGpQuantization;
  /** The visible models, by id. */
  models: WanGpModel[];
}

/**
 * Reads a WanGP install into the list of models it shows and the files each needs. Definition files that are
 * malformed, and models whose files cannot be worked out, are left out and reported in `problems`, so one bad
 * finetune never hides the rest. Throws DepotError('NOT_FOUND') when the folder is not a WanGP install, and
 * DepotError('IO') when its definition folders cannot be listed.
 */
export async function readWanGpCatalog({
  directory,
  quantization = 'int8',
  textEncoderQuantization = 'int8',
  dtype = 'bf16',
}: ReadWanGpCatalogOptions): Promise<{ catalog: WanGpCatalog; problems: WanGpProblem[] }> {
  const { root, ckptsDirectory } = await locateWanGpInstall({ directory });
  const { definitions, problems } = await readWanGpDefinitions({ root });
  const models: WanGpModel[] = [];
  for (const definition of [...definitions.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (definition.model.visible === false) continue;
    const file = definition.files[definition.files.length - 1] ?? `${definition.id}.json`;
    const model = catalogModel(definition, { definitions, quantization, textEncoderQuantization, dtype });
    if ('problem' in model)
      problems.push({ file, message: `${file}: model "${definition.id}" is left out: ${model.problem}` });
    else models.push(model);
  }
  return { catalog: { root, ckptsDirectory, quantization, textEncoderQuantization, models }, problems };
}

function catalogModel(
  { id, files: definitionFiles, model }: WanGpDefinition,
  options: {
    definitions: ReadonlyMap<string, WanGpDefinition>;
    quantization: WanGpQuantization;
    textEncoderQuantization: WanGpQuantization;
    dtype: WanGpDtype;
  },
): WanGpModel | { problem: string } {
  const { name, architecture } = model;
  if (name === undefined) return { problem: 'it has no "name"; add one to its "model" object.' };
  if (architecture === undefined) return { problem: 'it has no "architecture"; add one to its "model" object.' };
  const resolved = resolveWanGpModelFiles({ ...options, modelId: id });
  if ('problem' in resolved) return resolved;
  const group = model.group === undefined ? {} : { group: model.group };
  return {
    id,
    name,
    architecture,
    description: model.description ?? '',
    ...group,
    definitionFiles,
    files: resolved.files,
  };
}
