import type { HttpAgent, HttpTimeouts } from '../http/create-http-agent';
import { createUndiciDownloadFetch } from '../http/undici-download-fetch';
import type { FetchLike } from '../fetch-like';
import { createSocketFetch } from '../socket-http/socket-fetch';

export interface CreateDownloadFetchOptions {
  /** The depot's agent: decides which hops go through a proxy, and carries them. */
  agent: HttpAgent;
  /** Connect, first-byte and idle timeouts of a download hop, in ms. Default the agent's. */
  timeouts?: Partial<HttpTimeouts>;
  /** The fetch of direct hops. Default socketFetch with the connect timeout above. */
  direct?: FetchLike;
}

/**
 * The downloader's fetch, hop by hop: a URL the agent sends through a proxy (HTTP_PROXY / HTTPS_PROXY, minus NO_PROXY)
 * goes over undici through the agent; a direct one over the hand-written client, which reads bodies into the ring at
 * close to curl's speed (see socket-http/README.md). The same decision as the metadata requests', per hop: a hub on
 * the proxy list may redirect to a CDN that NO_PROXY names.
 */
export function createDownloadFetch(options: CreateDownloadFetchOptions): FetchLike {
  const { agent, timeouts } = options;
  const proxied = createUndiciDownloadFetch({ agent, timeouts });
  const direct =
    options.direct ?? createSocketFetch({ connectTimeoutMs: timeouts?.connectMs ?? agent.timeouts.connectMs });
  return (url, init) => (agent.proxyFor(url) === undefined ? direct(url, init) : proxied(url, init));
}
