import { DepotError } from '../../../shared/errors';
import type { RepoType } from './compare-schema';
import { parseHubUrl } from '../../remote/hub/hub-url';

/** A repository (and maybe a folder or one file in it) as named by a HuggingFace web URL. */
export interface HfRepoLocation {
  repoId: string;
  repoType: RepoType;
  /** The branch, tag or commit in the URL, or null when the URL names none (the caller defaults to main). */
  revision: string | null;
  /** The folder inside the repository (`/tree/main/loras/wan` gives `loras/wan`), or null for the whole repository. */
  path: string | null;
  /** For `/blob/` and `/resolve/` URLs: the one file named (its folder is `path`). */
  file: string | null;
}

export interface ParseHfUrlOptions {
  /** What the user typed: `https://huggingface.co/user/repo/tree/main/sub`, `/datasets/x/y`, `/spaces/x/y`, ... */
  url: string;
  /** HF_ENDPOINT, when set: URLs on it are accepted besides huggingface.co and hf.co (mirrors, the fake hub). */
  hfEndpoint?: string;
}

const REPO_PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * `--hf-url`, read by parseHubUrl (repository, `/tree/`, `/blob/`, `/resolve/`, type prefixes, encoded
 * revisions, HF_ENDPOINT mirrors under a path prefix); this adds what a person typing a URL needs: the scheme may be
 * left out, and a URL that names no repository gets a `BAD_INPUT` message that says why.
 */
export function parseHfUrl({ url, hfEndpoint }: ParseHfUrlOptions): HfRepoLocation {
  const trimmed = url.trim();
  const full = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  if (!URL.canParse(full)) throw new DepotError('BAD_INPUT', `--hf-url: "${url}" is not a URL.`);
  const parts = parseHubUrl(full, hfEndpoint ? { hfEndpoint } : {});
  if (parts === null || parts.provider !== 'huggingface') {
    const host = new URL(full).host;
    const known =
      ['huggingface.co', 'www.huggingface.co', 'hf.co'].includes(host.toLowerCase()) ||
      (hfEndpoint !== undefined && URL.canParse(hfEndpoint) && new URL(hfEndpoint).host === host);
    throw new DepotError(
      'BAD_INPUT',
      known
        ? `--hf-url: ${url} names no repository (expected https://huggingface.co/user/repo, optionally /tree/<branch>/<folder>).`
        : `--hf-url: ${host} is not a HuggingFace host (expected huggingface.co${hfEndpoint ? ' or the HF_ENDPOINT host' : ''}).`,
    );
  }
  const base = { repoId: parts.repoId, repoType: parts.repoType };
  if (parts.kind === 'repo') return { ...base, revision: null, path: null, file: null };
  if (parts.kind === 'folder') return { ...base, revision: parts.revision, path: parts.path || null, file: null };
  const slash = parts.path.lastIndexOf('/');
  return { ...base, revision: parts.revision, path: slash > 0 ? parts.path.slice(0, slash) : null, file: parts.path };
}

/** `--hf-repo` as typed: `user/repo` (or a legacy one-part id such as `gpt2`). */
export function parseRepoId(repoId: string): string {
  const parts = repoId
    .trim()
    .replace(/^\/+|\/+$/g, '')
    .split('/');
  if (parts.length > 2 || !parts.every((part) => REPO_PART.test(part))) {
    throw new DepotError('BAD_INPUT', `--hf-repo: "${repoId}" is not a repository id (expected user/repo-name).`);
  }
  return parts.join('/');
}

/** `--repo-type` as typed; the plural spellings of the URLs are accepted too. */
export function parseRepoType(value: string): RepoType {
  const lower = value.trim().toLowerCase().replace(/s$/, '');
  if (lower === 'model' || lower === 'dataset' || lower === 'space') return lower;
  throw new DepotError('BAD_INPUT', `--repo-type: "${value}" is not one of model, dataset, space.`);
}
