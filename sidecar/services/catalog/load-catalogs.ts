import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
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
        const stored = await earlierStoredCopy(source);
        if (stored === undefined) notFetched.push(source);
        else catalogs.push(parseCatalog(await readFile(stored, 'utf8'), source.name, source.location));
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

/**
 * A URL catalog stored under the name earlier versions gave it, `<name>-<first 12 hex of the URL's SHA-256>.json`,
 * read until `model-depot catalog update` stores it under today's name: an offline user keeps the catalog through an
 * upgrade. node:crypto is loaded only when a file of that shape is there.
 */
async function earlierStoredCopy(source: CatalogSource): Promise<string | undefined> {
  if (source.cacheFile === undefined) return undefined;
  const dir = path.dirname(source.cacheFile);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  const tagged = (name: string) =>
    name.startsWith(`${source.name}-`) && /^[0-9a-f]{12}\.json$/.test(name.slice(source.name.length + 1));
  if (!names.some(tagged)) return undefined;
  const { createHash } = await import('node:crypto');
  const earlier = `${source.name}-${createHash('sha256').update(source.location).digest('hex').slice(0, 12)}.json`;
  return names.includes(earlier) ? path.join(dir, earlier) : undefined;
}
