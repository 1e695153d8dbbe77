import type { CheckItem, CheckResult, CheckStatus } from '../../../shared/check-result';
import type { WanGpModel } from '../../wangp/read-wangp-catalog';
import type { WanGpFileRole } from '../../wangp/resolve-wangp-model-files';
import { wanGpCheckInput } from './wangp-check-input';

/** One file of a model as it stands in ckpts. */
export interface WanGpFileStatus {
  role: WanGpFileRole;
  url: string;
  filename: string;
  /** Relative to WanGP's ckpts folder, `/`-separated. */
  destination: string;
  /** Bytes, from the host's answer (or the file on disk); undefined when nobody could say. */
  size?: number;
  /** The check's verdict; `unavailable` also for a file the depot does not download (not a model file name). */
  status: CheckStatus;
  /** Why it is a conflict or unavailable. */
  reason?: string;
}

/** A model with the state of each of its files. */
export interface WanGpModelStatus {
  id: string;
  name: string;
  /** The definition file WanGP reads last for it, relative to WanGP's folder (`finetunes/my_model.json`). */
  config: string;
  architecture: string;
  description: string;
  /** The worst state of its files: conflict, unavailable, missing, linkable, then present. */
  status: CheckStatus;
  /** The sum of its files' sizes, when every size is known. */
  size?: number;
  files: WanGpFileStatus[];
}

export interface CheckWanGpModelsOptions {
  models: readonly WanGpModel[];
  /** The check of a depot whose models root is WanGP's ckpts folder (`depot.check`). */
  check: (input: unknown) => Promise<CheckResult>;
}

/** Worst first: a model is as ready as its least ready file. */
const STATUS_ORDER: readonly CheckStatus[] = ['conflict', 'unavailable', 'missing', 'linkable', 'present'];

/**
 * Checks every file of the models at once (present, linkable from a hub folder, missing, with sizes from the
 * host) and reports them model by model.
 */
export async function checkWanGpModels({
  models,
  check,
}: CheckWanGpModelsOptions): Promise<{ models: WanGpModelStatus[]; result: CheckResult }> {
  const result = await check(wanGpCheckInput(models));
  const byTarget = new Map(result.items.map((item) => [item.targetPath, item]));
  return { models: models.map((model) => modelStatus(model, byTarget)), result };
}

function modelStatus(model: WanGpModel, byTarget: ReadonlyMap<string, CheckItem>): WanGpModelStatus {
  const files = model.files.map(({ role, url, filename, destination }): WanGpFileStatus => {
    const item = byTarget.get(destination);
    if (item === undefined) {
      return {
        role,
        url,
        filename,
        destination,
        status: 'unavailable',
        reason: `${destination} is not a model file name the depot downloads; WanGP fetches it itself.`,
      };
    }
    const size = item.size ?? item.requirement.size;
    return {
      role,
      url,
      filename,
      destination,
      ...(size === undefined ? {} : { size }),
      status: item.status,
      ...(item.reason === undefined ? {} : { reason: item.reason }),
    };
  });
  const status = STATUS_ORDER.find((candidate) => files.some((file) => file.status === candidate)) ?? 'present';
  const sizes = files.map((file) => file.size);
  const size = sizes.every((each) => each !== undefined) ? sizes.reduce((sum, each) => sum + each, 0) : undefined;
  return {
    id: model.id,
    name: model.name,
    config: model.definitionFiles[model.definitionFiles.length - 1] ?? `${model.id}.json`,
    architecture: model.architecture,
    description: model.description,
    status,
    ...(size === undefined ? {} : { size }),
    files,
  };
}
