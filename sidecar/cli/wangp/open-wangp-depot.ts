import { DepotError } from '../../../shared/errors';
import type { Depot } from '../../services/depot/depot-types';
import { readWanGpModels, type WanGpCatalog, type WanGpProblem } from '../../services/wangp/read-wangp-models';
import type { CliContext } from '../cli-context';
import { createCliDepot } from '../create-cli-depot';

export interface OpenWanGpDepotOptions {
  /** `--quantization`, as typed; default int8. */
  quantization?: string;
  /** KB/s, or null for no cap (already resolved from `--limit`/`--no-limit` and the config). */
  limitKbps: number | null;
}

/**
 * The WanGP install the context names (`--wan2gp` or the config's `wan2gp_directory`), read into its catalog, and a
 * depot whose models root is its ckpts folder, hub folders indexed. Throws BAD_INPUT when no WanGP folder is set.
 */
export async function openWanGpDepot(
  ctx: CliContext,
  options: OpenWanGpDepotOptions,
): Promise<{ catalog: WanGpCatalog; problems: WanGpProblem[]; depot: Depot }> {
  if (ctx.wan2gpDir === undefined) {
    throw new DepotError(
      'BAD_INPUT',
      'No WanGP folder is set: pass --wan2gp DIR (WanGP or its ckpts folder), or set wan2gp_directory in the ' +
        `config file ${ctx.configFile}.`,
    );
  }
  const { catalog, problems } = await readWanGpModels({
    directory: ctx.wan2gpDir,
    ...(options.quantization === undefined ? {} : { quantization: options.quantization }),
  });
  const depot = await createCliDepot({ ...ctx, modelsRoot: catalog.ckptsDirectory }, { limitKbps: options.limitKbps });
  try {
    await depot.indexed;
  } catch (error) {
    await depot.close();
    throw error;
  }
  return { catalog, problems, depot };
}
