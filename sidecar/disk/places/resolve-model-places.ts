import { join, resolve, sep } from 'node:path';
import { modelFolderPath } from '../../../shared/model-folder-path';
import type { ExtraModelDir } from './read-extra-model-paths';
import { normalizedRelative, resolveModelPath, type ResolveModelPathOptions } from '../safe-path';

export interface ResolveModelPlacesOptions extends ResolveModelPathOptions {
  /** The folders a ComfyUI install adds (`readExtraModelPaths`), is_default ones first. Default none. */
  extraDirs?: readonly ExtraModelDir[];
}

export interface ModelPlaces {
  /** Where the model is written or linked: the folder's is_default extra root, else the models root. */
  target: string;
  /** The folder `target` must stay inside (`assertStillInside`): that extra root, else the models root. */
  root: string;
  /** `<category>/<filename>` under the models root: the name ComfyUI shows, wherever the file lives. */
  targetPath: string;
  /** Where else ComfyUI finds the model by name (the models root's copy, the other extra roots), in its order. */
  elsewhere: string[];
}

/**
 * Where a model goes and where else ComfyUI would find it, as ComfyUI's folder_paths does with
 * extra_model_paths.yaml: a folder's is_default root comes first in its search list, so new files go there, and a
 * file of that name in any other root of the folder counts as the model. Names are judged by `resolveModelPath`
 * (UNSAFE_PATH), so an extra root only changes which folder a safe name lands in.
 */
export function resolveModelPlaces(options: ResolveModelPlacesOptions): ModelPlaces {
  const { category, extraDirs = [] } = options;
  const modelsRoot = resolve(options.modelsRoot);
  const inModels = resolveModelPath(options);
  const targetPath = normalizedRelative(modelsRoot, inModels).split(sep).join('/');
  const folder = modelFolderPath(category);
  // resolveModelPath accepted the category, so it is a folder path; the check keeps TypeScript informed.
  if ('problem' in folder) return { target: inModels, root: modelsRoot, targetPath, elsewhere: [] };
  const inFolder = normalizedRelative(join(modelsRoot, folder.category), inModels);
  const roots = extraDirs.filter((extra) => extra.category === folder.category);
  const defaultRoot = roots.find((extra) => extra.isDefault)?.dir;
  const target = defaultRoot === undefined ? inModels : join(defaultRoot, inFolder);
  const candidates = [inModels, ...roots.map((extra) => join(extra.dir, inFolder))];
  const elsewhere = [...new Set(candidates)].filter((place) => place !== target);
  return { target, root: defaultRoot ?? modelsRoot, targetPath, elsewhere };
}
