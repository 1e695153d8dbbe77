import { DepotError } from '../../../shared/errors';
import { readWanGpCatalog, type WanGpCatalog } from '../../wangp/read-wangp-catalog';
import type { WanGpProblem } from '../../wangp/read-wangp-definitions';
import { zWanGpQuantization } from '../../wangp/wangp-definition-schema';

export type { WanGpCatalog, WanGpModel } from '../../wangp/read-wangp-catalog';
export type { WanGpProblem } from '../../wangp/read-wangp-definitions';

export interface ReadWanGpModelsOptions {
  /** WanGP's folder (with `defaults/` and `finetunes/`) or its `ckpts/` folder. */
  directory: string;
  /** bf16, int8 or fp8, as a person typed it: the quantization of transformers and modules. Default int8. */
  quantization?: string;
}

/**
 * The models a WanGP install shows, each with the files WanGP downloads for it in the chosen quantization, and the
 * definition files that were left out and why. Throws DepotError('BAD_INPUT') for an unknown quantization and
 * DepotError('NOT_FOUND') when the folder is not a WanGP install.
 */
export async function readWanGpModels({
  directory,
  quantization = 'int8',
}: ReadWanGpModelsOptions): Promise<{ catalog: WanGpCatalog; problems: WanGpProblem[] }> {
  const parsed = zWanGpQuantization.safeParse(quantization.trim().toLowerCase());
  if (!parsed.success) {
    throw new DepotError(
      'BAD_INPUT',
      `--quantization is bf16, int8 or fp8; got "${quantization}". WanGP's default, int8, is used when it is left out.`,
    );
  }
  return readWanGpCatalog({ directory, quantization: parsed.data });
}
