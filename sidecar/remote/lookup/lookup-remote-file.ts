import { isDepotError } from '../../../shared/errors';
import type { CivitaiModelVersion, RemoteFacts } from '../hub/hub-schemas';
import { civitaiModelVersion } from '../hub/civitai-model-version';
import { hfFileInfo } from '../hub/hf-file-info';
import type { HttpAgent } from '../http/create-http-agent';
import type { HubFetch } from '../hub/hub-fetch';
import { parseHubUrl, type CivitaiUrlParts } from '../hub/hub-url';
import type { MetadataCache } from './metadata-cache';
import type { RetryOptions } from '../download/retry-delay';

export interface CreateRemoteLookupOptions {
  /** HF_ENDPOINT; default https://huggingface.co. */
  hfEndpoint?: string;
  /** CIVITAI_ENDPOINT; default https://civitai.com. */
  civitaiEndpoint?: string;
  /** Answers kept across runs; default none (every look-up asks the host). */
  cache?: MetadataCache;
  /** HF token for gated/private repositories (env HF_TOKEN); never stored. */
  hfToken?: string;
  /** Civitai API key (env CIVITAI_API_TOKEN); never stored. */
  civitaiToken?: string;
  /** The depot's HTTP agent. Default: an agent per request (no proxy). */
  agent?: HttpAgent;
  /** Replaces the agent's requests (tests). Default requestBounded through `agent`. */
  fetch?: HubFetch;
  /** Waits between retries; default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  retry?: RetryOptions;
}

/** What a look-up tells the check: the facts, and whether the host wants a token first. */
export interface RemoteLookupAnswer extends RemoteFacts {
  /** The host answered 401/403: a token (or access) is needed. Such answers are not cached. */
  needsToken?: boolean;
  /**
   * HF answered 404 `RepoNotFound`: the repository does not exist, or it is private and the token sent cannot see it
   * (the Hub says the same for both; without a token it answers 401, which is `needsToken`). Not cached either.
   */
  repositoryNotFound?: boolean;
}

/**
 * The `lookupRemote` of the check service: for a model URL without a SHA-256, asks HuggingFace (HEAD on the resolve
 * URL: X-Linked-Etag) or Civitai (the model-version API) and caches the answer.
 * Resolves null when the URL is not a hub file or the host has no such file in an existing repository.
 */
export function createRemoteLookup(
  options: CreateRemoteLookupOptions,
): (url: string) => Promise<RemoteLookupAnswer | null> {
  const endpoints = { hfEndpoint: options.hfEndpoint, civitaiEndpoint: options.civitaiEndpoint };
  const common = { agent: options.agent, fetch: options.fetch, sleep: options.sleep, retry: options.retry };
  const ask = async (url: string): Promise<RemoteFacts | null> => {
    const parts = parseHubUrl(url, endpoints);
    if (parts === null) return null;
    if (parts.provider === 'huggingface') {
      if (parts.kind !== 'file') return null;
      const info = await hfFileInfo({ ...common, ...parts, hubUrl: options.hfEndpoint, token: options.hfToken });
      return info === null ? null : { sha256: info.sha256, size: info.size, commit: info.commit, etag: info.etag };
    }
    const version = await civitaiModelVersion({
      ...common,
      versionId: parts.versionId,
      civitaiUrl: options.civitaiEndpoint,
      token: options.civitaiToken,
    });
    const file = version === null ? undefined : pickCivitaiFile(version, parts);
    // sizeKB is bytes/1024 rounded: never passed on as a size.
    return file === undefined ? null : { sha256: file.sha256, filename: file.name };
  };
  return async (url) => {
    try {
      return options.cache === undefined ? await ask(url) : await options.cache.lookup(url, () => ask(url));
    } catch (error) {
      if (isDepotError(error) && (error.code === 'AUTH_REQUIRED' || error.code === 'AUTH_DENIED'))
        return { needsToken: true };
      if (isDepotError(error) && error.code === 'NOT_FOUND' && error.details?.errorCode === 'RepoNotFound')
        return { repositoryNotFound: true };
      throw error;
    }
  };
}

/** The file a download URL selects, as Civitai does: `fileId`, else type/format/size/fp filters, primary first. */
export function pickCivitaiFile(
  version: CivitaiModelVersion,
  parts: CivitaiUrlParts,
): CivitaiModelVersion['files'][number] | undefined {
  const { query } = parts;
  if (query.fileId !== undefined) return version.files.find((file) => String(file.id) === query.fileId);
  const candidates = version.files.filter(
    (file) =>
      (query.type === undefined || file.type === query.type) &&
      (query.format === undefined || file.metadata?.format === query.format) &&
      (query.size === undefined || file.metadata?.size === query.size) &&
      (query.fp === undefined || file.metadata?.fp === query.fp),
  );
  return candidates.find((file) => file.primary === true) ?? candidates[0];
}
