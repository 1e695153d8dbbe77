import type { RepoType } from '../../shared/compare-schema';

export interface HfResolveUrlOptions {
  /** `https://huggingface.co`, or HF_ENDPOINT when set. Never a URL with credentials. */
  host: string;
  repoType: RepoType;
  repoId: string;
  revision: string;
  /** Path inside the repository; its slashes are kept. */
  path: string;
}

/**
 * `{host}/{datasets/|spaces/}{repo}/resolve/{revision}/{path}` (reference section 1): the revision is fully
 * percent-encoded (`refs/pr/1` -> `refs%2Fpr%2F1`), each path segment encoded on its own.
 */
export function hfResolveUrl({ host, repoType, repoId, revision, path }: HfResolveUrlOptions): string {
  const prefix = repoType === 'dataset' ? 'datasets/' : repoType === 'space' ? 'spaces/' : '';
  const encodedPath = path.split('/').map(encodeURIComponent).join('/');
  return `${host.replace(/\/+$/, '')}/${prefix}${repoId}/resolve/${encodeURIComponent(revision)}/${encodedPath}`;
}
