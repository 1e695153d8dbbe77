import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { hasErrorCode } from '../../../shared/errors';
import { loadCatalogs } from '../../services/catalog/load-catalogs';
import { updateCatalogs } from '../../services/catalog/update-catalogs';
import { cliCatalogSources } from './cli-catalogs';
import { resolveCliContext } from '../cli-context';
import { runAction } from '../run-action';

/**
 * `model-depot catalog update`: fetches the URL catalogs (config `catalogs` and `--catalog`) into
 * `<models>/.cache/catalogs/`, where checks read them, offline too. `model-depot catalog list`: what is configured
 * and how many models each knows.
 */
export function registerCatalogCommand(program: Command): void {
  const catalog = program.command('catalog').description('catalogs of known models, used to find URLs by file name');
  catalog
    .command('update')
    .description('fetch the URL catalogs into the models folder, for offline use')
    .action(
      runAction(async (_options: unknown, command: Command) => {
        const ctx = await resolveCliContext(command);
        const updates = await updateCatalogs({ sources: cliCatalogSources(ctx, command) });
        if (ctx.json) process.stdout.write(`${JSON.stringify(updates, null, 2)}\n`);
        else if (!ctx.quiet) {
          if (updates.length === 0)
            process.stdout.write('No URL catalogs: add one with --catalog URL or in the config.\n');
          for (const u of updates) {
            process.stdout.write(
              u.error === undefined
                ? `updated ${u.source.name}: ${u.entries} models (${u.source.location})\n`
                : `FAILED ${u.source.name}: ${u.error} The copy kept before, if any, is still used.\n`,
            );
          }
        }
        return updates.some((u) => u.error !== undefined) ? 1 : 0;
      }),
    );
  catalog
    .command('list')
    .description('the configured catalogs and how many models each knows')
    .action(
      runAction(async (_options: unknown, command: Command) => {
        const ctx = await resolveCliContext(command);
        const sources = cliCatalogSources(ctx, command);
        const { catalogs, notFetched } = await loadCatalogs(sources);
        const rows = await Promise.all(
          sources.map(async (source) => {
            const loaded = catalogs.find((c) => c.source === source.location);
            const file = source.kind === 'url' ? source.cacheFile : source.location;
            const fetchedAt = file === undefined ? undefined : await modifiedAt(file);
            return {
              name: source.name,
              kind: source.kind,
              location: source.location,
              models: loaded?.entries.length,
              ...(source.kind === 'url' && { fetched: notFetched.includes(source) ? null : fetchedAt }),
            };
          }),
        );
        if (ctx.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        else if (rows.length === 0) process.stdout.write('No catalogs: add one with --catalog or in the config.\n');
        else {
          for (const row of rows) {
            const state =
              row.models === undefined ? 'not fetched: run `model-depot catalog update`' : `${row.models} models`;
            process.stdout.write(`${row.name}  ${row.kind}  ${state}  ${row.location}\n`);
          }
        }
        return 0;
      }),
    );
}

async function modifiedAt(file: string): Promise<string | undefined> {
  try {
    return (await stat(file)).mtime.toISOString();
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}
