import { zRepoAccessInfo, type RepoType } from '../../shared/compare-schema';
import { DepotError } from '../../shared/errors';

export interface CompareRepoAccessOptions {
  hubUrl: string;
  repoType: RepoType;
  repoId: string;
  /** Sent when given, so a private repository answers. */
  token?: string;
  /** Default: global fetch. */
  fetch?: typeof fetch;
}

/**
 * Whether a repository is gated ('auto' | 'manual') or not (false). A gated repository's tree is public, so the
 * comparison works without a token, but its files do not download without one: the caller warns before anyone runs
 * the exported URLs or `--download`. null when the hub does not say (a mirror without the API): an absence, not an
 * error, since the listing already worked.
 */
export async function compareRepoAccess(options: CompareRepoAccessOptions): Promise<false | 'auto' | 'manual' | null> {
  const doFetch = options.fetch ?? fetch;
  const api = `${options.hubUrl.replace(/\/+$/, '')}/api/${options.repoType}s/${options.repoId}`;
  let answer: Response;
  try {
    answer = await doFetch(api, { headers: options.token ? { authorization: `Bearer ${options.token}` } : {} });
  } catch (error) {
    throw new DepotError('NETWORK', `Could not ask ${new URL(api).host} about ${options.repoId}; check the connection.`, { cause: error });
  }
  if (!answer.ok) {
    await answer.body?.cancel();
    return null;
  }
  const parsed = zRepoAccessInfo.safeParse(await answer.json());
  return parsed.success ? (parsed.data.gated ?? false) : null;
}
