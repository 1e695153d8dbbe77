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
    return {
      kind: 'url',
      location: url.href,
      name,
      // A tag of the URL in the name: two catalogs both called model-list.json do not overwrite each other.
      cacheFile: path.join(options.modelsRoot, '.cache', 'catalogs', `${name}-${urlTag(url.href)}.json`),
    };
  }
  const location = path.resolve(options.cwd, given);
  return { kind: 'file', location, name: baseName(path.basename(location)) };
}

/**
 * FNV-1a (32 bits) of the URL in hexadecimal: a short, stable tag for a file name, not a security measure. Not SHA-256:
 * every `check` names the stored catalogs, and loading node:crypto would be 3 ms of its start.
 */
function urlTag(href: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < href.length; i++) hash = Math.imul(hash ^ href.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

function baseName(file: string): string {
  return file.replace(/\.json$/i, '') || 'catalog';
}
