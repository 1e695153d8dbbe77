import { isLoopbackHost } from '../../shared/is-loopback-host';

/**
 * Whether HF_ENDPOINT / CIVITAI_ENDPOINT points at this machine (a local mirror, the fake hub). Such an endpoint may
 * redirect to other loopback hosts (its CDN), so the host policy then allows loopback hops.
 */
export function isLoopbackEndpoint(endpoint: string): boolean {
  return isLoopbackHost(new URL(endpoint).hostname);
}
