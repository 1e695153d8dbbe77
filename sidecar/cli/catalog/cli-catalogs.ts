import type { Command } from 'commander';
import { DEFAULT_CATALOGS, zGlobalCliOptions } from '../../config/config-schema';
import { type CatalogSource, catalogSource } from '../../services/catalog/catalog-source';
import { type LoadedCatalogs, loadCatalogs } from '../../services/catalog/load-catalogs';
import type { CliContext } from '../cli-context';

/**
 * The catalogs of a command: the config's `catalogs` (relative files from the config file's folder), then each
 * `--catalog` (relative to the working directory). The same file or URL given twice is read once.
 */
export function cliCatalogSources(ctx: CliContext, command: Command, cwd = process.cwd()): CatalogSource[] {
  const flags = zGlobalCliOptions.parse(command.optsWithGlobals());
  const configDir = ctx.configFile.slice(0, Math.max(ctx.configFile.lastIndexOf('/'), 0)) || cwd;
  const sources = [
    ...ctx.config.catalogs.map((given) => catalogSource(given, { cwd: configDir, modelsRoot: ctx.modelsRoot })),
    ...flags.catalog.map((given) => catalogSource(given, { cwd, modelsRoot: ctx.modelsRoot })),
  ];
  const seen = new Set<string>();
  return sources.filter((s) => !seen.has(s.location) && seen.add(s.location) !== undefined);
}

/**
 * The command's catalogs, read; a URL catalog not fetched yet is named on stderr with what to run, except the default
 * one, which stays silent until `model-depot catalog update` fetches it (the README says so).
 */
export async function loadCliCatalogs(ctx: CliContext, command: Command): Promise<LoadedCatalogs> {
  const loaded = await loadCatalogs(cliCatalogSources(ctx, command));
  for (const source of loaded.notFetched) {
    if (!ctx.quiet && !DEFAULT_CATALOGS.includes(source.location)) {
      process.stderr.write(
        `catalog ${source.name} (${source.location}) is not fetched yet: run \`model-depot catalog update\`.\n`,
      );
    }
  }
  return loaded;
}
