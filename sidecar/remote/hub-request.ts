import { DepotError } from '../../shared/errors';
import { fetchSameOrigin } from './fetch-same-origin';
import type { HubFetch, HubFetchInit, HubFetchResponse } from './hub-fetch';
import { redactUrl } from './redact-url';
import { RETRY_STATUSES, retryDelay, type RetryOptions } from './retry-delay';

/** How a hub client (HF file info, tree, repo info; Civitai model version) talks to its host: passed on to hubRequest. */
export interface HubCallOptions {
  /** Default node-fetch 3. */
  fetch?: HubFetch;
  /** Waits between tries; default setTimeout. Tests pass a recorder that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  /** Default: huggingface_hub's policy (5 retries, 1-2-4-8 s, honouring RateLimit and Retry-After). */
  retry?: RetryOptions;
  /** Cancels the request and any wait between tries. */
  signal?: AbortSignal;
}

export interface HubRequestOptions extends HubCallOptions {
  fetch: HubFetch;
  /** Current time in ms (for Retry-After dates); default Date.now. */
  now?: () => number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One metadata request, redirects followed only on the hub's own origin, with retries on 408, 429, 5xx and network errors (honouring `RateLimit: ...;t=N` and
 * `Retry-After`). Returns the first answer that is not worth another try; throws RATE_LIMITED, HTTP_ERROR or NETWORK
 * when the tries run out. The token may be in `init.headers`: it is never put in a message.
 */
export async function hubRequest(url: string, init: HubFetchInit, options: HubRequestOptions): Promise<HubFetchResponse> {
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  for (let attempt = 1; ; attempt += 1) {
    let response: HubFetchResponse | undefined;
    let failure: unknown;
    try {
      const request = { ...init, signal: options.signal };
      // Callers that read the redirect themselves (hfFileInfo's 302, Civitai's 307) ask for 'manual'.
      response = init.redirect === 'manual' ? await options.fetch(url, request) : await fetchSameOrigin(options.fetch, url, request);
    } catch (error) {
      if (error instanceof DepotError) throw error;
      if (options.signal?.aborted === true) throw new DepotError('CANCELLED', `Cancelled while asking ${redactUrl(url)}.`, { cause: error });
      failure = error;
    }
    if (response !== undefined && !RETRY_STATUSES.has(response.status)) return response;
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
    return new DepotError('NETWORK', `Could not reach ${shown}: ${failure instanceof Error ? failure.message : String(failure)}. Check the connection and try again.`, {
      cause: failure,
      details: { url: shown },
    });
  }
  const details = { url: shown, status: response.status, retryAfter: response.headers.get('retry-after'), rateLimit: response.headers.get('ratelimit') };
  if (response.status === 429) {
    return new DepotError('RATE_LIMITED', `${shown} is rate limiting requests (HTTP 429) after several tries; wait a few minutes and try again.`, { details });
  }
  return new DepotError('HTTP_ERROR', `${shown} answered HTTP ${response.status} after several tries; try again later.`, { details });
}
