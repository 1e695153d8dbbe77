import { DepotError, errorCodeOf, isDepotError } from '../../../shared/errors';
import type { HttpAgent } from '../http/create-http-agent';
import { fetchSameOrigin } from './fetch-same-origin';
import {
  createStandaloneHubAgent,
  hubFetchThrough,
  type HubFetch,
  type HubFetchInit,
  type HubFetchResponse,
} from './hub-fetch';
import { redactUrl } from '../../runtime/redact-url';
import { RETRY_STATUSES, retryDelay, type RetryOptions } from '../download/retry-delay';

/** How a hub client (HF file info, tree, repo info; Civitai model version) talks to its host: passed on to hubRequest. */
export interface HubCallOptions {
  /** The depot's HTTP agent (proxies, trusted authorities, timeouts). Default: an agent for this request alone. */
  agent?: HttpAgent;
  /** Replaces the agent's requests (tests). Default: requestBounded through `agent`. */
  fetch?: HubFetch;
  /** Waits between tries; default setTimeout. Tests pass a recorder that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  /** Default: huggingface_hub's policy (5 retries, 1-2-4-8 s, honouring RateLimit and Retry-After). */
  retry?: RetryOptions;
  /** Cancels the request and any wait between tries. */
  signal?: AbortSignal;
}

export interface HubRequestOptions extends HubCallOptions {
  /** Current time in ms (for Retry-After dates); default Date.now. */
  now?: () => number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One metadata request, redirects followed only on the hub's own origin, with retries on 408, 429, 5xx and network errors (honouring `RateLimit: ...;t=N` and
 * `Retry-After`). Returns the first answer that is not worth another try; throws RATE_LIMITED, HTTP_ERROR, NETWORK
 * or TIMEOUT when the tries run out. A name that does not resolve is tried once more at most (the failure says so in
 * `details.maxRetries`). The token may be in `init.headers`: it is never put in a message.
 */
export async function hubRequest(
  url: string,
  init: HubFetchInit,
  options: HubRequestOptions,
): Promise<HubFetchResponse> {
  const given = options.fetch ?? (options.agent === undefined ? undefined : hubFetchThrough(options.agent));
  if (given !== undefined) return requestWithRetries(url, init, options, given);
  const agent = createStandaloneHubAgent();
  try {
    return await requestWithRetries(url, init, options, hubFetchThrough(agent));
  } finally {
    await agent.close();
  }
}

async function requestWithRetries(
  url: string,
  init: HubFetchInit,
  options: HubRequestOptions,
  fetch: HubFetch,
): Promise<HubFetchResponse> {
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  for (let attempt = 1; ; attempt += 1) {
    let response: HubFetchResponse | undefined;
    let failure: unknown;
    try {
      const request = { ...init, signal: options.signal };
      // Callers that read the redirect themselves (hfFileInfo's 302, Civitai's 307) ask for 'manual'.
      response = init.redirect === 'manual' ? await fetch(url, request) : await fetchSameOrigin(fetch, url, request);
    } catch (error) {
      if (options.signal?.aborted === true)
        throw new DepotError('CANCELLED', `Cancelled while asking ${redactUrl(url)}.`, { cause: error });
      // Only a failed connection or a silent host is worth another try; a refused URL or hop is final.
      if (isDepotError(error) && error.code !== 'NETWORK' && error.code !== 'TIMEOUT') throw error;
      failure = error;
    }
    if (response !== undefined && !RETRY_STATUSES.has(response.status)) return response;
    const maxRetries = isDepotError(failure) ? failure.details?.maxRetries : undefined;
    if (typeof maxRetries === 'number' && attempt > maxRetries) throw giveUp(url, response, failure);
    const delay = retryDelay(
      {
        attempt,
        status: response?.status,
        retryAfter: response?.headers.get('retry-after'),
        rateLimit: response?.headers.get('ratelimit'),
        now: now(),
        random: Math.random(),
      },
      options.retry,
    );
    if (delay === null) throw giveUp(url, response, failure);
    if (response !== undefined) await response.text().catch(() => '');
    await sleep(delay);
  }
}

function giveUp(url: string, response: HubFetchResponse | undefined, failure: unknown): DepotError {
  const shown = redactUrl(url);
  if (response === undefined) {
    // The agent's failures name the host and the phase, never the path or query: passed on as they are.
    if (isDepotError(failure)) return failure;
    // Built from the error's code only: an injected fetch's own text may quote the request URL as given, query
    // string (a pasted ?token=) and all. The raw error is not kept as the cause either.
    const code = networkCodeOf(failure);
    return new DepotError(
      'NETWORK',
      `Could not reach ${shown} (${code ?? 'no answer'}${NETWORK_HINTS[code ?? ''] ?? ''}). Check the connection and try again.`,
      {
        details: { url: shown, code },
      },
    );
  }
  const details = {
    url: shown,
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    rateLimit: response.headers.get('ratelimit'),
  };
  if (response.status === 429) {
    return new DepotError(
      'RATE_LIMITED',
      `${shown} is rate limiting requests (HTTP 429) after several tries; wait a few minutes and try again.`,
      { details },
    );
  }
  return new DepotError(
    'HTTP_ERROR',
    `${shown} answered HTTP ${response.status} after several tries; try again later.`,
    { details },
  );
}

/** What a person can make of the usual codes. */
const NETWORK_HINTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: ': nothing listens there',
  ECONNRESET: ': the connection was cut',
  ENOTFOUND: ': the host name does not resolve',
  EAI_AGAIN: ': DNS did not answer',
  ETIMEDOUT: ': no answer in time',
  EHOSTUNREACH: ': the host is unreachable',
  ENETUNREACH: ': the network is unreachable',
  UND_ERR_SOCKET: ': the connection was cut',
};

/**
 * The system error code of a failed injected fetch: a FetchError carries it as `code`, Node's own fetch on its
 * `cause`. Only a code-shaped word is taken, so nothing else of the error reaches the message.
 */
function networkCodeOf(failure: unknown): string | undefined {
  const cause = typeof failure === 'object' && failure !== null && 'cause' in failure ? failure.cause : undefined;
  const code = errorCodeOf(failure) ?? errorCodeOf(cause);
  return code !== undefined && /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? code : undefined;
}
