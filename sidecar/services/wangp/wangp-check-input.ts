import { MODELS_ROOT_FOLDER } from '../../../shared/model-folder-path';
import type { RequirementInput } from '../../../shared/requirement';
import { dependenciesSection } from '../../../shared/workflow/dependencies-section';
import type { WanGpModel } from '../../wangp/read-wangp-catalog';

/**
 * What a depot opened on WanGP's ckpts folder checks for these models: one requirement per file, once even when
 * several models share it. A file's folder is its place under ckpts (MODELS_ROOT_FOLDER plus the destination as
 * the name), so WanGP's own subfolders are kept as they are, never renamed to a ComfyUI folder.
 */
export function wanGpCheckInput(models: readonly WanGpModel[]): { dependencies: Record<string, unknown[]> } {
  const byDestination = new Map<string, RequirementInput>();
  for (const model of models) {
    for (const file of model.files) {
      if (byDestination.has(file.destination)) continue;
      byDestination.set(file.destination, {
        category: MODELS_ROOT_FOLDER,
        filename: file.destination,
        urls: [file.url],
        displayName: model.name,
        origin: 'dependencies',
      });
    }
  }
  return dependenciesSection([...byDestination.values()]);
}
