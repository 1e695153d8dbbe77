import { createHttpAgent, type HttpAgent } from '../http/create-http-agent';
import { requestBounded } from '../http/request-bounded';

/** The request options the metadata clients use. */
export interface HubFetchInit {
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** 'manual' where each hop must be looked at (X-Linked-* live on the 302 itself). Hops are never followed here. */
  redirect?: 'manual' | 'follow';
  signal?: AbortSignal;
}

/** The part of a response the metadata clients read. */
export interface HubFetchResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** A fetch function: the depot's agent by default (hubFetchThrough), injectable in tests. */
export type HubFetch = (url: string, init?: HubFetchInit) => Promise<HubFetchResponse>;

/**
 * Metadata timeouts, as huggingface_hub's HF_HUB_ETAG_TIMEOUT: a person waits on a check, and a host that says
 * nothing for 10 s is better reported than waited for.
 */
export const METADATA_TIMEOUT_MS = 10_000;

/**
 * A HubFetch over the depot's agent: its proxies, trusted authorities and phase timeouts, and a capped body
 * (requestBounded), so a silent host times out and an endless answer stops. Redirects are returned, never followed.
 */
export function hubFetchThrough(agent: HttpAgent): HubFetch {
  return async (url, init = {}) => {
    const answer = await requestBounded({
      url,
      agent,
      method: init.method ?? 'GET',
      headers: init.headers,
      signal: init.signal,
    });
    return { status: answer.status, headers: answer.headers, text: async () => answer.text() };
  };
}

/**
 * An agent of its own for a call given neither a fetch nor an agent (a test, a one-off script): no proxy, the metadata
 * timeouts. The caller closes it.
 */
export function createStandaloneHubAgent(): HttpAgent {
  return createHttpAgent({
    connectTimeoutMs: METADATA_TIMEOUT_MS,
    headersTimeoutMs: METADATA_TIMEOUT_MS,
    bodyTimeoutMs: METADATA_TIMEOUT_MS,
  });
}
