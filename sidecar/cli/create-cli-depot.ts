import type { Logger } from '../runtime/logger';
import { createDepot } from '../services/depot/create-depot';
import type { Depot } from '../services/depot/depot-types';
import type { CliContext } from './cli-context';
import { isLoopbackEndpoint } from './is-loopback-endpoint';

export interface CreateCliDepotOptions {
  /** KB/s, or null for no cap (already resolved from `--limit`/`--no-limit` and the config). */
  limitKbps: number | null;
  /** Default: the depot's own (quiet) logger. */
  logger?: Logger;
  /** `serve` indexes hub folders in the background to answer at once; one-shot commands wait. Default false. */
  indexInBackground?: boolean;
}

/** The depot of a command (`serve`, `install`, `tui`), from the resolved flags, config and environment. */
export function createCliDepot(ctx: CliContext, options: CreateCliDepotOptions): Promise<Depot> {
  return createDepot({
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    modelsRoot: ctx.modelsRoot,
    hubDirs: ctx.hubDirs,
    hfCacheDir: ctx.env.hfCacheDir,
    hfEndpoint: ctx.env.hfEndpoint,
    civitaiEndpoint: ctx.env.civitaiEndpoint,
    limitKbps: options.limitKbps,
    parallel: ctx.config.parallel_downloads,
    // The context keeps tokens non-enumerable, so they are handed over by name.
    envTokens: { huggingface: ctx.env.hfToken, civitai: ctx.env.civitaiToken },
    // A local mirror (or the tests' fake hub) on loopback redirects to other loopback hosts (its CDN).
    allowLoopbackHosts: isLoopbackEndpoint(ctx.env.hfEndpoint) || isLoopbackEndpoint(ctx.env.civitaiEndpoint),
    indexInBackground: options.indexInBackground ?? false,
  });
}
