import { modelFolderPath } from '../../../shared/model-folder-path';
import type { Requirement } from '../../../shared/requirement';
import type { Catalog } from '../catalog/catalog-schema';

/** One catalog entry offered for a requirement that several entries match. */
export interface CatalogCandidate {
  url: string;
  /** The catalog's name. */
  catalog: string;
  /** Folder + file name the catalog gives it. */
  path: string;
  sha256?: string;
  name?: string;
}

/** A requirement after the catalogs were asked for a URL it lacks. */
export interface CatalogAnswer {
  requirement: Requirement;
  /** `workflow` for URLs the workflow gave, `catalog:<name>` or `pick` for one found here. */
  urlSource?: string;
  /** Several entries match and none was picked: nothing is chosen silently. */
  candidates?: CatalogCandidate[];
}

export interface CatalogUrlOptions {
  catalogs: readonly Catalog[];
  /**
   * `--pick` choices, keyed by file name (`x.safetensors`) or folder + file name (`loras/x.safetensors`): a URL, or
   * the 1-based index of a candidate. Default none.
   */
  picks?: ReadonlyMap<string, string>;
}

/**
 * A URL for a requirement the workflow names without one, from catalogs of known models. The exact file name in
 * the same folder is tried first, then the file name alone in any folder; one distinct URL is taken, several are
 * offered as candidates (chosen with a pick), none leaves the requirement as it was.
 */
export function catalogUrl(requirement: Requirement, options: CatalogUrlOptions): CatalogAnswer {
  const picked = pickFor(requirement, options.picks);
  if (requirement.urls.length > 0 && picked === undefined) return { requirement, urlSource: 'workflow' };
  if (options.catalogs.length === 0 && picked === undefined) return { requirement };
  const candidates = matches(requirement, options.catalogs);
  if (picked !== undefined) {
    const index = /^\d+$/.test(picked) ? Number(picked) : undefined;
    const chosen = index === undefined ? undefined : candidates[index - 1];
    if (chosen !== undefined) return withUrl(requirement, chosen.url, `catalog:${chosen.catalog}`, chosen.sha256);
    if (index === undefined) return withUrl(requirement, picked, 'pick', undefined);
  }
  if (requirement.urls.length > 0) return { requirement, urlSource: 'workflow' };
  const [only] = candidates;
  if (only === undefined) return { requirement };
  if (candidates.length === 1) return withUrl(requirement, only.url, `catalog:${only.catalog}`, only.sha256);
  return { requirement, candidates };
}

function withUrl(requirement: Requirement, url: string, urlSource: string, sha256: string | undefined): CatalogAnswer {
  return {
    requirement: {
      ...requirement,
      urls: [url],
      // A hash the catalog knows verifies the download; the workflow's own wins.
      ...(requirement.sha256 === undefined && sha256 !== undefined && { sha256 }),
    },
    urlSource,
  };
}

function pickFor(requirement: Requirement, picks: ReadonlyMap<string, string> | undefined): string | undefined {
  if (picks === undefined) return undefined;
  const base = requirement.filename.slice(requirement.filename.lastIndexOf('/') + 1);
  return (
    picks.get(`${requirement.category}/${requirement.filename}`) ?? picks.get(requirement.filename) ?? picks.get(base)
  );
}

function matches(requirement: Requirement, catalogs: readonly Catalog[]): CatalogCandidate[] {
  const base = requirement.filename.slice(requirement.filename.lastIndexOf('/') + 1);
  const sameFolder: CatalogCandidate[] = [];
  const anyFolder: CatalogCandidate[] = [];
  for (const catalog of catalogs) {
    for (const entry of catalog.entries) {
      const entryBase = entry.filename.slice(entry.filename.lastIndexOf('/') + 1);
      if (entryBase !== base) continue;
      const folder = modelFolderPath(entry.folder);
      if ('problem' in folder) continue;
      const path = [folder.category, ...folder.subfolders, entry.filename].join('/');
      const candidate: CatalogCandidate = {
        url: entry.url,
        catalog: catalog.name,
        path,
        ...(entry.sha256 !== undefined && { sha256: entry.sha256 }),
        ...(entry.name !== undefined && { name: entry.name }),
      };
      if (path === `${requirement.category}/${requirement.filename}`) sameFolder.push(candidate);
      anyFolder.push(candidate);
    }
  }
  return distinctUrls(sameFolder.length > 0 ? sameFolder : anyFolder);
}

/** The same model listed twice (two catalogs, or twice in one) is one candidate. */
function distinctUrls(candidates: CatalogCandidate[]): CatalogCandidate[] {
  const seen = new Set<string>();
  return candidates.filter((c) => !seen.has(c.url) && seen.add(c.url) !== undefined);
}
