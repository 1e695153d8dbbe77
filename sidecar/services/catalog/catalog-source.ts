import { createHash } from 'node:crypto';
import path from 'node:path';

/** A configured catalog: a file, or a URL kept in the models root's cache for offline use. */
export interface CatalogSource {
  kind: 'file' | 'url';
  /** The absolute file path, or the URL. */
  location: string;
  /** Short name shown as `catalog:<name>`: the file's name without `.json`. */
  name: string;
  /** Where the fetched copy of a URL catalog is kept: `<models>/.cache/catalogs/<name>-<hash>.json`. */
  cacheFile?: string;
}

/** What `--catalog` or the config's `catalogs` gave (`model-list.json`, `https://.../model-list.json`), resolved. */
export function catalogSource(given: string, options: { cwd: string; modelsRoot: string }): CatalogSource {
  if (/^https?:\/\//i.test(given)) {
    const url = new URL(given);
    const name = baseName(url.pathname.split('/').filter(Boolean).pop() ?? url.hostname);
    // The URL's hash in the name: two catalogs both called model-list.json do not overwrite each other.
    const digest = createHash('sha256').update(url.href).digest('hex').slice(0, 12);
    return {
      kind: 'url',
      location: url.href,
      name,
      cacheFile: path.join(options.modelsRoot, '.cache', 'catalogs', `${name}-${digest}.json`),
    };
  }
  const location = path.resolve(options.cwd, given);
  return { kind: 'file', location, name: baseName(path.basename(location)) };
}

function baseName(file: string): string {
  return file.replace(/\.json$/i, '') || 'catalog';
}
