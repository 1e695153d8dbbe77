import { DepotError } from '../../../shared/errors';
import type { Provider } from '../../../shared/check-result';
import { VERSION } from '../../version';
import { discardBody, type FetchLike, type FetchResponse } from '../fetch-like';
import type { HostPolicy } from '../host-policy';
import { redactUrl } from '../../runtime/redact-url';

export interface FetchFollowingRedirectsOptions {
  url: string;
  fetch: FetchLike;
  hostPolicy: HostPolicy;
  /** Sent as `Authorization: Bearer` only to the endpoint host of `provider`, never to a CDN or storage hop. */
  token?: string;
  /** Whose token it is; required for the token to be sent at all. */
  provider?: Provider;
  /** Extra headers for every hop (Range, If-Range). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Redirects followed at most. Default 10. */
  maxHops?: number;
  /** An injected fetch's body buffer size, where it has one. Default 256 KiB. */
  highWaterMark?: number;
}

export interface FollowedResponse {
  response: FetchResponse;
  /** The URL that answered (may carry a signature: print it only through redactUrl, never store it). */
  finalUrl: string;
  /** Every URL visited, first to last. */
  hops: string[];
  /** Whether the token went to the host that gave the final answer (tells a 401 "no token" from a bad one). */
  sentToken: boolean;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * GET with redirects followed by hand (`redirect: 'manual'`): every hop's host is checked against the policy before
 * anything is sent to it, relative Locations are resolved, and the token only reaches its provider's endpoint.
 * Never sends a browser User-Agent: Civitai answers browsers with login-page redirects.
 */
export async function fetchFollowingRedirects(options: FetchFollowingRedirectsOptions): Promise<FollowedResponse> {
  const maxHops = options.maxHops ?? 10;
  const hops: string[] = [];
  let url = options.url;
  for (;;) {
    options.hostPolicy.check(url);
    hops.push(url);
    const sentToken =
      options.token !== undefined &&
      options.provider !== undefined &&
      options.hostPolicy.mayReceiveToken(url, options.provider);
    const headers: Record<string, string> = {
      'User-Agent': `model-depot/${VERSION}`,
      Accept: '*/*',
      'Accept-Encoding': 'identity',
      ...options.headers,
    };
    if (sentToken) headers.Authorization = `Bearer ${options.token}`;
    const response = await options.fetch(url, {
      method: 'GET',
      headers,
      redirect: 'manual',
      signal: options.signal,
      compress: false,
      highWaterMark: options.highWaterMark ?? 256 * 1024,
    });
    const location = response.headers.get('location');
    if (!REDIRECTS.has(response.status) || location === null) {
      return { response, finalUrl: url, hops, sentToken };
    }
    discardBody(response);
    if (hops.length > maxHops) {
      throw new DepotError('HTTP_ERROR', `Too many redirects (more than ${maxHops}) from ${redactUrl(options.url)}.`, {
        details: { hops: hops.map((hop) => redactUrl(hop)) },
      });
    }
    url = resolveLocation(location, url);
  }
}

function resolveLocation(location: string, base: string): string {
  try {
    return new URL(location, base).toString();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new DepotError('HTTP_ERROR', `The server at ${redactUrl(base)} redirected to an unreadable location.`, {
      cause: error,
    });
  }
}
