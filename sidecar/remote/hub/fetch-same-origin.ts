import { DepotError } from '../../../shared/errors';
import type { HubFetch, HubFetchInit, HubFetchResponse } from './hub-fetch';
import { redactUrl } from '../../runtime/redact-url';

const MAX_HOPS = 5;

/**
 * Follows redirects by hand, and only on the origin of the first URL. The hub's own hops (a renamed repository, an
 * API path) keep working and keep the token; a hop to any other host is refused before anything is sent there, so a
 * metadata call can never be steered to an internal address (a download checks its hops with the host policy).
 */
export async function fetchSameOrigin(fetch: HubFetch, url: string, init: HubFetchInit): Promise<HubFetchResponse> {
  const origin = new URL(url).origin;
  let current = url;
  for (let hop = 0; hop <= MAX_HOPS; hop += 1) {
    const response = await fetch(current, { ...init, redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || response.status === 304 || location === null) return response;
    await response.text().catch(() => '');
    const next = new URL(location, current);
    if (next.origin !== origin) {
      throw new DepotError(
        'HOST_NOT_ALLOWED',
        `${redactUrl(url)} redirected to ${redactUrl(next.href)}, another host; only the hub's own redirects are followed.`,
      );
    }
    current = next.href;
  }
  throw new DepotError('HTTP_ERROR', `${redactUrl(url)}: more than ${MAX_HOPS} redirects.`);
}
