import { DepotError } from '../../../shared/errors';
import type { WanGpModel } from '../../wangp/read-wangp-catalog';

export interface SelectWanGpModelsOptions {
  models: readonly WanGpModel[];
  /** Each a model id (the definition file's name without `.json`) or the name WanGP shows, in any case. */
  names: readonly string[];
}

/**
 * The models the names stand for, in the order given, each once. Throws DepotError('NOT_FOUND') naming every name
 * that matches no visible model, with a few of the ids to choose from.
 */
export function selectWanGpModels({ models, names }: SelectWanGpModelsOptions): WanGpModel[] {
  const chosen = new Map<string, WanGpModel>();
  const unknown: string[] = [];
  for (const name of names) {
    const wanted = name.trim().toLowerCase();
    const model =
      models.find((candidate) => candidate.id === name.trim()) ??
      models.find((candidate) => candidate.id.toLowerCase() === wanted || candidate.name.toLowerCase() === wanted);
    if (model === undefined) unknown.push(name);
    else chosen.set(model.id, model);
  }
  if (unknown.length > 0) {
    const some = models.slice(0, 8).map((model) => model.id);
    throw new DepotError(
      'NOT_FOUND',
      `No visible WanGP model is called ${unknown.map((name) => `"${name}"`).join(', ')}. ` +
        `Give a model id or its name as \`model-depot wangp list\` shows them` +
        (some.length > 0 ? ` (such as ${some.join(', ')}).` : '.'),
    );
  }
  return [...chosen.values()];
}
