import type { RepoType } from './compare-schema';
import { isDepotError } from '../../../shared/errors';
import type { HubFetch } from '../../remote/hub/hub-fetch';
import { hfRepoInfo } from '../../remote/hub/hf-repo-info';

export interface CompareRepoAccessOptions {
  hubUrl: string;
  repoType: RepoType;
  repoId: string;
  /** Sent when given, so a private repository answers. */
  token?: string;
  /** Replaces the agent's requests (tests). Default requestBounded through an agent of its own. */
  fetch?: HubFetch;
}

/**
 * Whether a repository is gated ('auto' | 'manual') or not (false). A gated repository's tree is public, so the
 * comparison works without a token, but its files do not download without one: the caller warns before anyone runs
 * the exported URLs or `--download`. null when the hub does not say (a mirror without the API, an answer we cannot
 * read): an absence, not an error, since the listing already worked.
 */
export async function compareRepoAccess(options: CompareRepoAccessOptions): Promise<false | 'auto' | 'manual' | null> {
  try {
    const info = await hfRepoInfo({ ...options, blobs: false, retry: { limit: 1 } });
    return info.gated ?? false;
  } catch (error) {
    if (
      isDepotError(error) &&
      (error.code === 'NOT_FOUND' || error.code === 'HTTP_ERROR' || error.code === 'AUTH_REQUIRED')
    )
      return null;
    throw error;
  }
}
