import { isDepotError } from '../../shared/errors';
import type { RemoteFacts } from '../../shared/hub-schemas';
import { civitaiModelVersion } from '../remote/civitai-model-version';
import { hfFileInfo } from '../remote/hf-file-info';
import type { HubFetch } from '../remote/hub-fetch';
import { parseHubUrl, type CivitaiUrlParts } from '../remote/hub-url';
import type { MetadataCache } from '../remote/metadata-cache';
import type { LookupRemote, RemoteFileFacts } from './check-remote-facts';

export interface CreateRemoteLookupOptions {
  /** HF_ENDPOINT; default https://huggingface.co. Workflow URLs keep their real host and are rebased onto it. */
  hfEndpoint?: string;
  /** CIVITAI_ENDPOINT; default https://civitai.com. */
  civitaiEndpoint?: string;
  /** C's persisted metadata cache: a second check of a workflow asks the hosts nothing. Default: none. */
  cache?: MetadataCache;
  /** Tokens (from the environment), so gated files can be looked up too. Default: none. */
  tokens?: { huggingface?: string; civitai?: string };
  /** Default node-fetch 3 (C's default). */
  fetch?: HubFetch;
  /** Longest wait for one look-up, retries included, in ms. Default 10000: a check must answer promptly. */
  timeoutMs?: number;
}

/**
 * The `lookupRemote` of `checkRequirements`, on C's clients: a HEAD on an HF resolve URL (`X-Linked-Etag`, size) or
 * Civitai's model-version API, behind the metadata cache. A 401/403 answer means a token is needed (not cached: it
 * depends on the token). Other failures are thrown and the check treats them as "unknown".
 */
export function createRemoteLookup(options: CreateRemoteLookupOptions = {}): LookupRemote {
  const endpoints = { hfEndpoint: options.hfEndpoint, civitaiEndpoint: options.civitaiEndpoint };
  // One quick retry: a check waits on these, and the download retries properly later.
  const retry = { limit: 1, baseMs: 300, serverLimitMs: 2000 };
  const timeoutMs = options.timeoutMs ?? 10_000;

  return async (url: string): Promise<RemoteFileFacts | null> => {
    const parts = parseHubUrl(url, endpoints);
    if (parts === null || (parts.provider === 'huggingface' && parts.kind !== 'file')) return null;
    const signal = AbortSignal.timeout(timeoutMs);
    const ask = async (): Promise<RemoteFacts | null> => {
      if (parts.provider === 'civitai') return askCivitai(parts, { ...options, retry, signal });
      const info = await hfFileInfo({
        url,
        hubUrl: options.hfEndpoint,
        token: options.tokens?.huggingface,
        fetch: options.fetch,
        retry,
        signal,
      });
      return info === null ? null : { ...(info.sha256 && { sha256: info.sha256 }), size: info.size, etag: info.etag, ...(info.commit && { commit: info.commit }) };
    };
    try {
      const facts = options.cache ? await options.cache.lookup(url, ask) : await ask();
      return facts === null ? null : { ...(facts.sha256 && { sha256: facts.sha256 }), ...(facts.size !== undefined && { size: facts.size }) };
    } catch (error) {
      if (isDepotError(error) && (error.code === 'AUTH_REQUIRED' || error.code === 'AUTH_DENIED')) return { needsToken: true };
      throw error;
    }
  };
}

async function askCivitai(
  parts: CivitaiUrlParts,
  options: CreateRemoteLookupOptions & { retry: { limit: number }; signal: AbortSignal },
): Promise<RemoteFacts | null> {
  const version = await civitaiModelVersion({
    versionId: parts.versionId,
    civitaiUrl: options.civitaiEndpoint,
    token: options.tokens?.civitai,
    fetch: options.fetch,
    retry: options.retry,
    signal: options.signal,
  });
  if (version === null) return null;
  // The download URL's selectors pick the file the way Civitai's download endpoint does; else the primary file.
  const { fileId, type, format } = parts.query;
  const file =
    version.files.find((f) => fileId !== undefined && String(f.id) === fileId) ??
    version.files.find((f) => (type === undefined || f.type === type) && (format === undefined || f.metadata?.format === format) && (type !== undefined || format !== undefined)) ??
    version.files.find((f) => f.primary === true) ??
    version.files[0];
  // sizeKB is bytes/1024 as a float: not exact, so no size is given (the download learns it).
  return file === undefined ? null : { ...(file.sha256 && { sha256: file.sha256 }), filename: file.name };
}
