import type { CompareResult, LocalFile, LocalScanStats, RemoteFile, RepoType } from './compare-schema';
import { DepotError, isDepotError } from '../../../shared/errors';
import { compareCollections } from './compare-collections';
import type { CompareFilter } from './compare-filter';
import { hfResolveUrl } from '../../remote/hub/hub-url';
import { hfListTree } from '../../remote/hub/hf-list-tree';

/** One entry of the tree listing: `lfs.oid` is the SHA-256 of LFS files. */
export interface RemoteTreeEntry {
  type: string;
  path: string;
  size: number;
  lfs?: { oid: string; size: number } | null;
}

/** How the repository is listed (hfListTree follows the Link pages and honours rate limits). */
export type ListTree = (options: {
  repoId: string;
  repoType: RepoType;
  revision: string;
  path?: string;
  hubUrl: string;
  token?: string;
}) => AsyncIterable<RemoteTreeEntry>;

export interface CompareRepositoryOptions {
  repoId: string;
  repoType: RepoType;
  /** Branch, tag or commit. */
  revision: string;
  /** Folder inside the repository to compare, or null for all of it. */
  path: string | null;
  /** One file to compare (a `/blob/` URL), or null. */
  file: string | null;
  /** HF_ENDPOINT, else https://huggingface.co: listed from, and the host of every resolve URL in the result. */
  hubUrl: string;
  /** HF token for private and gated repositories; sent to the hub only, never stored or printed. */
  token?: string;
  /** Lists the repository's files, page by page. Default hfListTree. */
  listTree?: ListTree;
  /** The local folder (absolute), reported in the result. */
  localDir: string;
  /** Reads the local side (metadata JSON or hashed files); runs while the repository is listed. */
  readLocal: () => Promise<{ files: LocalFile[]; stats: LocalScanStats }>;
  filter: CompareFilter;
  /** Echoed in the result. */
  pattern: string | null;
  safetensorsOnly: boolean;
}

/** Lists the repository and reads the local folder at the same time, then sorts both into the groups. */
export async function compareRepository(options: CompareRepositoryOptions): Promise<CompareResult> {
  const [remoteAll, local] = await Promise.all([listRemoteFiles(options), options.readLocal()]);
  const remote = remoteAll.filter((file) => options.filter.remote(file.relativePath));
  const localFiles = [...local.files].sort((a, b) => a.name.localeCompare(b.name) || a.source.localeCompare(b.source));
  // Every local file takes part in matching (a renamed copy still matches by SHA-256); the filters only narrow
  // the list of local files the repository lacks, so it stays comparable with the filtered repository.
  const all = compareCollections({ remote, local: localFiles });
  const groups = {
    ...all,
    localOnly: all.localOnly.filter((file) => options.filter.local(file.name, file.hasExtension)),
  };
  const sum = (files: readonly RemoteFile[]) => files.reduce((total, file) => total + file.size, 0);
  return {
    repo: { id: options.repoId, type: options.repoType, revision: options.revision, path: options.path },
    localDir: options.localDir,
    filter: options.pattern,
    safetensorsOnly: options.safetensorsOnly,
    summary: {
      remoteFiles: remote.length,
      remoteBytes: sum(remote),
      localFiles: localFiles.length,
      matched: groups.matched.length,
      nameOnly: groups.nameOnly.length,
      mismatched: groups.mismatched.length,
      missing: groups.missing.length,
      missingBytes: sum(groups.missing),
      localOnly: groups.localOnly.length,
    },
    groups,
    local: local.stats,
  };
}

async function listRemoteFiles(options: CompareRepositoryOptions): Promise<RemoteFile[]> {
  const { repoId, repoType, revision, path, hubUrl, token, file } = options;
  const files: RemoteFile[] = [];
  const prefix = path ? `${path}/` : '';
  const entries = (options.listTree ?? hfListTree)({
    repoId,
    repoType,
    revision,
    hubUrl,
    ...(path ? { path } : {}),
    ...(token ? { token } : {}),
  });
  try {
    for await (const entry of entries) {
      if (entry.type !== 'file') continue;
      if (file !== null && entry.path !== file) continue;
      files.push({
        path: entry.path,
        relativePath: entry.path.startsWith(prefix) ? entry.path.slice(prefix.length) : entry.path,
        size: entry.lfs?.size ?? entry.size,
        sha256: entry.lfs?.oid.toLowerCase() ?? null,
        url: hfResolveUrl({ hubUrl, repoType, repoId, revision, path: entry.path }),
      });
    }
  } catch (error) {
    throw explainListingError(error, options);
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * The Hub answers a missing repository and a private one without access alike: a bare 401 without a token, 404
 * RepoNotFound with one. So the message names both and what to do about each; a 401 to a
 * request with a token means the token itself was refused. The lister's own error stays as the cause.
 */
function explainListingError(
  error: unknown,
  { repoId, repoType, revision, path, token }: CompareRepositoryOptions,
): unknown {
  if (!isDepotError(error)) return error;
  const what = `${repoType === 'model' ? 'model' : repoType} repository ${repoId}`;
  const details = { ...error.details, repoId, repoType };
  switch (error.code) {
    case 'AUTH_REQUIRED':
      return new DepotError(
        'AUTH_REQUIRED',
        token
          ? `The hub did not accept the token for the ${what} (invalid or expired): check HF_TOKEN (or --token).`
          : `The ${what} was not found, or it is private and no token was given: set HF_TOKEN (or pass --token) with read access to it, and check the id and --repo-type.`,
        { details, cause: error },
      );
    case 'AUTH_DENIED':
      return new DepotError(
        'AUTH_DENIED',
        `The token has no access to the ${what}: request access on its page, or use a token of an account that has it.`,
        { details, cause: error },
      );
    case 'NOT_FOUND':
      if (error.details?.errorCode === 'RepoNotFound') {
        return new DepotError(
          'NOT_FOUND',
          `The ${what} was not found: it does not exist, or it is private and the token has no access to it. Check the id and --repo-type, or use a token (HF_TOKEN or --token) of an account that can see it.`,
          { details, cause: error },
        );
      }
      return new DepotError(
        'NOT_FOUND',
        `The ${what} has no revision "${revision}"${path ? ` or no folder "${path}"` : ''}: check --branch and the URL. (${error.message})`,
        { details, cause: error },
      );
    default:
      return error;
  }
}
