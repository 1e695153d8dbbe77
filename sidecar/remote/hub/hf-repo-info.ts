import { zHfRepoInfo, type HfRepoInfo, type HfRepoType } from './hub-schemas';
import { hfApiJson } from './hf-api-json';
import type { HubCallOptions } from './hub-request';

export interface HfRepoInfoOptions extends HubCallOptions {
  repoId: string;
  /** Default 'model'. */
  repoType?: HfRepoType;
  /** Default: the default branch (no `/revision/` segment). */
  revision?: string;
  /** Ask for sizes and `lfs.sha256` of every sibling; default true. */
  blobs?: boolean;
  /** HF_ENDPOINT; default https://huggingface.co. */
  hubUrl?: string;
  token?: string;
}

/**
 * `GET /api/{type}s/{repo}[/revision/{rev}]?blobs=true`: the commit, `private`, `gated` and every file with its size
 * and SHA-256 (LFS) in one request; the tree listing is the paginated alternative for very large repositories.
 * @throws DepotError AUTH_REQUIRED (private or missing, no token: the Hub answers 401 for both) / NOT_FOUND (private
 *   without access or missing, with a token: 404 RepoNotFound; or a missing revision) / ...
 */
export async function hfRepoInfo(options: HfRepoInfoOptions): Promise<HfRepoInfo> {
  const hubUrl = (options.hubUrl ?? 'https://huggingface.co').replace(/\/+$/, '');
  const repoType = options.repoType ?? 'model';
  const revision = options.revision === undefined ? '' : `/revision/${encodeURIComponent(options.revision)}`;
  const url = `${hubUrl}/api/${repoType}s/${options.repoId}${revision}${options.blobs === false ? '' : '?blobs=true'}`;
  const info = await hfApiJson(
    {
      url,
      hubUrl,
      repoType,
      repoId: options.repoId,
      token: options.token,
      what: options.repoId,
      schema: zHfRepoInfo,
      answer: 'repository info',
    },
    options,
  );
  return info.data;
}
