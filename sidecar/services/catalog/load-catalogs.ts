import { readFile } from 'node:fs/promises';
import { DepotError, hasErrorCode } from '../../../shared/errors';
import type { Catalog } from './catalog-schema';
import type { CatalogSource } from './catalog-source';
import { parseCatalog } from './parse-catalog';

export interface LoadedCatalogs {
  catalogs: Catalog[];
  /** URL catalogs never fetched: `model-depot catalog update` fetches them. */
  notFetched: CatalogSource[];
}

/**
 * Reads the configured catalogs: files as they are, URL catalogs from their cached copy (never from the network,
 * so a check works offline). A file that is missing or not a catalog is BAD_INPUT saying which.
 */
export async function loadCatalogs(sources: readonly CatalogSource[]): Promise<LoadedCatalogs> {
  const catalogs: Catalog[] = [];
  const notFetched: CatalogSource[] = [];
  for (const source of sources) {
    const file = source.kind === 'url' ? source.cacheFile : source.location;
    if (file === undefined) continue;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (!hasErrorCode(error, 'ENOENT')) throw error;
      if (source.kind === 'url') {
        notFetched.push(source);
        continue;
      }
      throw new DepotError('BAD_INPUT', `The catalog ${source.location} does not exist; fix --catalog or the config.`, {
        cause: error,
      });
    }
    catalogs.push(parseCatalog(text, source.name, source.location));
  }
  return { catalogs, notFetched };
}
