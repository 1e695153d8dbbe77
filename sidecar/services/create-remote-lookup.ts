import type { Provider } from '../../shared/check-result';
import { isDepotError } from '../../shared/errors';
import { hfFileInfo } from '../remote/hf-file-info';
import type { HubFetch } from '../remote/hub-fetch';
import { parseHubUrl } from '../remote/hub-url';
import type { LookupRemote, RemoteFileFacts } from './check-requirements';

export interface CreateRemoteLookupOptions {
  /** HF_ENDPOINT; real-host URLs are asked there. Default https://huggingface.co. */
  hfEndpoint?: string;
  /** CIVITAI_ENDPOINT. Default https://civitai.com. */
  civitaiEndpoint?: string;
  /** The token a look-up may send (the environment's; a gated file's hash needs one). Default none. */
  tokenFor?: (provider: Provider) => string | undefined;
  /** Default node-fetch 3. */
  fetch?: HubFetch;
}

/**
 * The check's `lookupRemote`: the SHA-256 and size of a hub URL without a hash, so that a ComfyUI template (which
 * carries no hashes) still finds a copy already on disk under another name. Answers are kept for the depot's life
 * (per instance, never module-wide); a failed look-up is not kept, so a retry can succeed.
 */
export function createRemoteLookup(options: CreateRemoteLookupOptions): LookupRemote {
  const endpoints = { hfEndpoint: options.hfEndpoint, civitaiEndpoint: options.civitaiEndpoint };
  const answers = new Map<string, Promise<RemoteFileFacts | null>>();
  const ask = async (url: string): Promise<RemoteFileFacts | null> => {
    const parts = parseHubUrl(url, endpoints);
    if (parts?.provider !== 'huggingface' || parts.kind !== 'file') return null;
    try {
      const info = await hfFileInfo({ url, hubUrl: options.hfEndpoint, token: options.tokenFor?.('huggingface'), fetch: options.fetch });
      if (!info) return null;
      return { size: info.size, ...(info.sha256 === undefined ? {} : { sha256: info.sha256 }) };
    } catch (error) {
      if (isDepotError(error) && (error.code === 'AUTH_REQUIRED' || error.code === 'AUTH_DENIED')) return { needsToken: true };
      throw error;
    }
  };
  return (url) => {
    const known = answers.get(url);
    if (known) return known;
    const answer = ask(url);
    answers.set(url, answer);
    answer.catch(() => answers.delete(url));
    return answer;
  };
}
