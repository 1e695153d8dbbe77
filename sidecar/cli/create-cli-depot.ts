import { DepotError } from '../../shared/errors';
import type { Logger } from '../runtime/logger';
import type { Catalog } from '../services/catalog/catalog-schema';
import type { Depot } from '../services/depot/depot-types';
import { type DepotReader, openDepot } from '../services/depot/open-depot';
import type { CliContext } from './cli-context';
import { isLoopbackEndpoint } from './is-loopback-endpoint';

export interface CreateCliDepotOptions {
  /** KB/s, or null for no cap (already resolved from `--limit`/`--no-limit` and the config). */
  limitKbps: number | null;
  /** Default: the depot's own (quiet) logger. */
  logger?: Logger;
  /** `serve` indexes hub folders in the background to answer at once; one-shot commands wait. Default false. */
  indexInBackground?: boolean;
  /** `--connections` as typed (a whole number from 1 to 16). Default: the config's `connections_per_file`. */
  connections?: string;
  /** Catalogs for checks that bring none (the extension's): the sidecar's own. Default none. */
  catalogs?: readonly Catalog[];
}

/** The depot of a command that changes things (`serve`, `install`, `tui`), from the flags, config and environment. */
export function createCliDepot(ctx: CliContext, options: CreateCliDepotOptions): Promise<Depot> {
  return openDepot({
    ...depotOptions(ctx),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    limitKbps: options.limitKbps,
    indexInBackground: options.indexInBackground ?? false,
    connectionsPerFile: connectionsPerFile(ctx, options.connections),
    ...(options.catalogs && { catalogs: options.catalogs }),
  });
}

function connectionsPerFile(ctx: CliContext, flag: string | undefined): number {
  if (flag === undefined) return ctx.config.connections_per_file;
  const connections = Number(flag);
  if (!/^\d+$/.test(flag.trim()) || connections < 1 || connections > 16) {
    throw new DepotError(
      'BAD_INPUT',
      `--connections takes a whole number from 1 to 16 (got ${JSON.stringify(flag)}); 1 fetches each file over one connection.`,
    );
  }
  return connections;
}

/** The depot of a command that only reads (`check`, `stats`, `list`): no lock, so it works beside a sidecar. */
export function openCliDepotReader(ctx: CliContext): Promise<DepotReader> {
  return openDepot({ ...depotOptions(ctx), readOnly: true });
}

/** The config's download timeout, unless HF_HUB_DOWNLOAD_TIMEOUT is set: the environment is the narrower setting. */
function downloadTimeout(ctx: CliContext): { downloadTimeoutMs?: number } {
  const seconds = ctx.config.download_timeout_seconds;
  if (seconds === null || (ctx.env.httpEnv?.HF_HUB_DOWNLOAD_TIMEOUT ?? '').trim() !== '') return {};
  return { downloadTimeoutMs: seconds * 1000 };
}

function depotOptions(ctx: CliContext) {
  return {
    modelsRoot: ctx.modelsRoot,
    hubDirs: ctx.hubDirs,
    // ComfyUI's extra_model_paths.yaml, with the `$VARS` ComfyUI itself would expand.
    comfyuiDir: ctx.comfyuiDir,
    comfyuiEnv: process.env,
    hfCacheDir: ctx.env.hfCacheDir,
    hfEndpoint: ctx.env.hfEndpoint,
    civitaiEndpoint: ctx.env.civitaiEndpoint,
    parallel: ctx.config.parallel_downloads,
    // The context keeps tokens non-enumerable, so they are handed over by name.
    envTokens: { huggingface: ctx.env.hfToken, civitai: ctx.env.civitaiToken },
    env: ctx.env.httpEnv,
    ...(ctx.config.proxy ? { proxy: ctx.config.proxy } : {}),
    ...downloadTimeout(ctx),
    offline: ctx.offline,
    // A local mirror (or the tests' fake hub) on loopback redirects to other loopback hosts (its CDN).
    allowLoopbackHosts: isLoopbackEndpoint(ctx.env.hfEndpoint) || isLoopbackEndpoint(ctx.env.civitaiEndpoint),
  };
}
