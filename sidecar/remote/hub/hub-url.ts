import type { HfRepoType } from './hub-schemas';

/** A HuggingFace file (or folder, or repository) named by a URL. */
export interface HfUrlParts {
  provider: 'huggingface';
  /** 'file' for /resolve/ and /blob/ URLs, 'folder' for /tree/, 'repo' for the repository page. */
  kind: 'file' | 'folder' | 'repo';
  repoType: HfRepoType;
  repoId: string;
  /** Decoded (`refs/pr/1`); 'main' when the URL names none. */
  revision: string;
  /** Decoded path inside the repository; '' for a repository. */
  path: string;
}

/** A Civitai model version named by a download URL (`/api/download/models/{id}`) or a model page (`?modelVersionId=`). */
export interface CivitaiUrlParts {
  provider: 'civitai';
  versionId: number;
  /** The file selectors (type, format, size, fp, fileId); never a `token`. */
  query: Record<string, string>;
}

export type HubUrlParts = HfUrlParts | CivitaiUrlParts;

export interface HubEndpoints {
  /** HF_ENDPOINT; default https://huggingface.co. */
  hfEndpoint?: string;
  /** CIVITAI_ENDPOINT; default https://civitai.com. */
  civitaiEndpoint?: string;
}

const HF_HOSTS = ['huggingface.co', 'hf.co'];
const CIVITAI_HOSTS = ['civitai.com'];
const ACTIONS = new Set(['resolve', 'blob', 'tree']);
const CIVITAI_SELECTORS = ['type', 'format', 'size', 'fp', 'fileId'];

function hostIn(host: string, domains: string[]): boolean {
  const clean = host.toLowerCase().replace(/\.$/, '');
  return domains.some((domain) => clean === domain || clean === `www.${domain}`);
}

/** The path of `url` below `endpoint` (a mirror may live under a path prefix), or undefined when not under it. */
function pathBelow(url: URL, endpoint: string | undefined): string | undefined {
  if (endpoint === undefined || !URL.canParse(endpoint)) return undefined;
  const base = new URL(endpoint);
  if (base.origin !== url.origin) return undefined;
  const prefix = base.pathname.replace(/\/+$/, '');
  return url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : undefined;
}

/**
 * What a model URL names: a HuggingFace file/folder/repository or a Civitai version, on the real hosts or on the
 * configured endpoints. Null for anything else (no network).
 */
export function parseHubUrl(url: string, endpoints: HubEndpoints = {}): HubUrlParts | null {
  if (!URL.canParse(url)) return null;
  const parsed = new URL(url);
  const hfPath = hostIn(parsed.hostname, HF_HOSTS) ? parsed.pathname : pathBelow(parsed, endpoints.hfEndpoint);
  if (hfPath !== undefined) {
    const hf = parseHfPath(hfPath);
    if (hf !== null) return hf;
  }
  const civitaiPath = hostIn(parsed.hostname, CIVITAI_HOSTS)
    ? parsed.pathname
    : pathBelow(parsed, endpoints.civitaiEndpoint);
  if (civitaiPath !== undefined) return parseCivitai(civitaiPath, parsed.searchParams);
  return null;
}

function parseHfPath(pathname: string): HfUrlParts | null {
  const segments = pathname.split('/').filter((s) => s !== '');
  let repoType: HfRepoType = 'model';
  if (segments[0] === 'datasets' || segments[0] === 'spaces') {
    repoType = segments[0] === 'datasets' ? 'dataset' : 'space';
    segments.shift();
  }
  if (segments[0] === 'api' || segments.length === 0) return null;
  const decode = (parts: string[]): string => parts.map((s) => decodeURIComponent(s)).join('/');
  // Legacy repositories have a one-segment id (`gpt2/resolve/main/...`).
  const idLength = ACTIONS.has(segments[1] ?? '') && segments.length >= 4 ? 1 : 2;
  if (segments.length < idLength) return null;
  const repoId = decode(segments.slice(0, idLength));
  const action = segments[idLength];
  const revision = segments[idLength + 1];
  if (action === undefined)
    return { provider: 'huggingface', kind: 'repo', repoType, repoId, revision: 'main', path: '' };
  if (revision === undefined) return null;
  const path = decode(segments.slice(idLength + 2));
  if ((action === 'resolve' || action === 'blob') && path !== '') {
    return { provider: 'huggingface', kind: 'file', repoType, repoId, revision: decode([revision]), path };
  }
  if (action === 'tree')
    return { provider: 'huggingface', kind: 'folder', repoType, repoId, revision: decode([revision]), path };
  return null;
}

function parseCivitai(pathname: string, search: URLSearchParams): CivitaiUrlParts | null {
  const query: Record<string, string> = {};
  for (const name of CIVITAI_SELECTORS) {
    const value = search.get(name);
    if (value !== null) query[name] = value;
  }
  const download = /^\/api\/download\/models\/(\d+)\/?$/.exec(pathname);
  if (download !== null) return { provider: 'civitai', versionId: Number(download[1]), query };
  const page = /^\/models\/\d+(\/[^/]*)?\/?$/.exec(pathname);
  const versionId = search.get('modelVersionId');
  if (page !== null && versionId !== null && /^\d+$/.test(versionId))
    return { provider: 'civitai', versionId: Number(versionId), query };
  return null;
}

/**
 * The URL to fetch: a real HuggingFace or Civitai URL rebased onto HF_ENDPOINT / CIVITAI_ENDPOINT (workflows keep the
 * real hosts; mirrors and tests replace them). Other URLs are returned unchanged.
 */
export function toFetchUrl(url: string, endpoints: HubEndpoints): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  const endpoint = hostIn(parsed.hostname, HF_HOSTS)
    ? endpoints.hfEndpoint
    : hostIn(parsed.hostname, CIVITAI_HOSTS)
      ? endpoints.civitaiEndpoint
      : undefined;
  if (endpoint === undefined || !URL.canParse(endpoint)) return url;
  const base = endpoint.replace(/\/+$/, '');
  return `${base}${parsed.pathname}${parsed.search}`;
}

export interface HfResolveUrlOptions {
  /** HF_ENDPOINT; default https://huggingface.co. */
  hubUrl?: string;
  /** Default 'model'. */
  repoType?: HfRepoType;
  repoId: string;
  /** Default 'main'; percent-encoded as a whole (`refs/pr/1` -> `refs%2Fpr%2F1`). */
  revision?: string;
  /** Path in the repository; its slashes are kept. */
  path: string;
}

/** `{hub}/{datasets/|spaces/}{repo}/resolve/{revision}/{path}`, encoded as huggingface_hub does. */
export function hfResolveUrl(options: HfResolveUrlOptions): string {
  const base = (options.hubUrl ?? 'https://huggingface.co').replace(/\/+$/, '');
  const prefix = { model: '', dataset: 'datasets/', space: 'spaces/' }[options.repoType ?? 'model'];
  const path = options.path.split('/').map(encodeURIComponent).join('/');
  return `${base}/${prefix}${options.repoId}/resolve/${encodeURIComponent(options.revision ?? 'main')}/${path}`;
}
