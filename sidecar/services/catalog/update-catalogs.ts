import { DepotError } from '../../../shared/errors';
import { writeFileAtomic } from '../../disk/write-file-atomic';
import { MAX_CATALOG_CHARS } from './catalog-schema';
import type { CatalogSource } from './catalog-source';
import { parseCatalog } from './parse-catalog';

export interface UpdateCatalogsOptions {
  sources: readonly CatalogSource[];
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Aborts the fetches. Default: none. */
  signal?: AbortSignal;
}

export interface CatalogUpdate {
  source: CatalogSource;
  /** How many usable entries the fetched catalog holds; absent when it failed. */
  entries?: number;
  /** Why it was not updated (the cached copy, if any, is kept). */
  error?: string;
}

/**
 * Fetches every URL catalog and keeps it in its cache file, checked first: a copy that is not a catalog never
 * replaces a good one. One failure does not stop the others. File catalogs are read where they are.
 */
export async function updateCatalogs(options: UpdateCatalogsOptions): Promise<CatalogUpdate[]> {
  const doFetch = options.fetch ?? fetch;
  const updates: CatalogUpdate[] = [];
  for (const source of options.sources) {
    if (source.kind !== 'url' || source.cacheFile === undefined) continue;
    try {
      const response = await doFetch(source.location, { signal: options.signal, redirect: 'follow' });
      if (!response.ok) throw new DepotError('NETWORK', `${source.location} answered HTTP ${response.status}.`);
      const text = await response.text();
      if (text.length > MAX_CATALOG_CHARS) throw new DepotError('BAD_INPUT', `${source.location} is too big.`);
      const catalog = parseCatalog(text, source.name, source.location);
      await writeFileAtomic(source.cacheFile, text);
      updates.push({ source, entries: catalog.entries.length });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      updates.push({ source, error: message });
    }
  }
  return updates;
}
