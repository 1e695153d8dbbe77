import { DepotError } from '../../shared/errors';
import type { RepoType } from '../../shared/compare-schema';

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
  /** HF_ENDPOINT, when set: its host is accepted besides huggingface.co and hf.co (mirrors, the fake hub). */
  hfEndpoint?: string;
}

const HF_HOSTS = new Set(['huggingface.co', 'www.huggingface.co', 'hf.co']);
const TYPE_PREFIXES: Readonly<Record<string, RepoType>> = { datasets: 'dataset', spaces: 'space' };
const REPO_PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Reads a HuggingFace web URL; a URL of another host or of no repository is `DepotError('BAD_INPUT')`. */
export function parseHfUrl({ url, hfEndpoint }: ParseHfUrlOptions): HfRepoLocation {
  const parsed = parseLoosely(url);
  const allowed = new Set(HF_HOSTS);
  if (hfEndpoint) allowed.add(parseLoosely(hfEndpoint).host.toLowerCase());
  if (!allowed.has(parsed.host.toLowerCase())) {
    throw new DepotError(
      'BAD_INPUT',
      `--hf-url: ${parsed.host} is not a HuggingFace host (expected huggingface.co${hfEndpoint ? ' or HF_ENDPOINT' : ''}).`,
    );
  }
  // Segments are decoded one by one, so an encoded revision such as refs%2Fpr%2F1 stays one segment.
  const segments = parsed.pathname.split('/').filter((s) => s !== '').map(decodeSegment);
  let repoType: RepoType = 'model';
  const typed = segments[0] === undefined ? undefined : TYPE_PREFIXES[segments[0]];
  if (typed) {
    repoType = typed;
    segments.shift();
  }
  const actionAt = segments.findIndex((s, i) => i >= 1 && i <= 2 && (s === 'tree' || s === 'blob' || s === 'resolve'));
  const repoParts = actionAt === -1 ? segments.slice(0, 2) : segments.slice(0, actionAt);
  if (repoParts.length === 0 || !repoParts.every((part) => REPO_PART.test(part))) {
    throw new DepotError('BAD_INPUT', `--hf-url: ${url} names no repository (expected https://huggingface.co/user/repo).`);
  }
  const repoId = repoParts.join('/');
  if (actionAt === -1) {
    if (segments.length > 2) {
      throw new DepotError('BAD_INPUT', `--hf-url: ${url} is not a repository URL (expected .../user/repo/tree/main/...).`);
    }
    return { repoId, repoType, revision: null, path: null, file: null };
  }
  const action = segments[actionAt];
  const revision = segments[actionAt + 1] ?? null;
  const rest = segments.slice(actionAt + 2);
  if (action === 'tree') return { repoId, repoType, revision, path: rest.length ? rest.join('/') : null, file: null };
  if (rest.length === 0) {
    throw new DepotError('BAD_INPUT', `--hf-url: ${url} names no file after /${action}/<revision>/.`);
  }
  return {
    repoId,
    repoType,
    revision,
    path: rest.length > 1 ? rest.slice(0, -1).join('/') : null,
    file: rest.join('/'),
  };
}

/** `--hf-repo` as typed: `user/repo` (or a legacy one-part id such as `gpt2`). */
export function parseRepoId(repoId: string): string {
  const parts = repoId.trim().replace(/^\/+|\/+$/g, '').split('/');
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

function parseLoosely(url: string): URL {
  const trimmed = url.trim();
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  } catch (error) {
    throw new DepotError('BAD_INPUT', `"${url}" is not a URL.`, { cause: error });
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    throw new DepotError('BAD_INPUT', `--hf-url: the segment "${segment}" is badly percent-encoded.`, { cause: error });
  }
}
