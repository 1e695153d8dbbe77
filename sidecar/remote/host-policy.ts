import { isLoopbackHost } from '../../shared/is-loopback-host';
import { DepotError } from '../../shared/errors';
import type { Provider } from '../../shared/check-result';
import { redactUrl } from '../runtime/redact-url';

export const DEFAULT_HF_ENDPOINT = 'https://huggingface.co';
export const DEFAULT_CIVITAI_ENDPOINT = 'https://civitai.com';

export interface HostPolicyOptions {
  /** HF_ENDPOINT (a mirror, or the fake hub in tests). Default `https://huggingface.co`. */
  hfEndpoint?: string;
  /** CIVITAI_ENDPOINT. Default `https://civitai.com`. */
  civitaiEndpoint?: string;
  /**
   * Allow any loopback host (127.0.0.0/8, ::1, localhost) on any port, over http too. Tests enable it for the fake
   * hub's CDN and storage hosts. Default false: only the configured endpoint hosts themselves may be loopback.
   */
  allowLoopback?: boolean;
}

/** What the policy knows about one URL. */
export interface HostVerdict {
  /** The provider whose endpoint, CDN or storage the host belongs to; undefined for a bare loopback host. */
  provider?: Provider;
  /** True only for the provider's own endpoint host: the one host its token may be sent to. */
  isEndpoint: boolean;
}

/** The hosts a download may reach (HuggingFace, Civitai, localhost), checked for the first URL and every hop. */
export interface HostPolicy {
  /** The verdict for an allowed URL; throws `DepotError('HOST_NOT_ALLOWED')` for anything else. */
  check(url: string | URL): HostVerdict;
  /** Same as `check` without throwing: undefined when not allowed. */
  verdict(url: string | URL): HostVerdict | undefined;
  /** True when `provider`'s token may be attached to a request to `url` (its endpoint host, never a CDN/storage). */
  mayReceiveToken(url: string | URL, provider: Provider): boolean;
  /** The configured endpoint origin of a provider, e.g. `https://huggingface.co`. */
  endpoint(provider: Provider): string;
}

/**
 * Host names of each provider's CDN and storage: HF serves LFS files from
 * `cdn-lfs.huggingface.co`, `cdn-lfs*.hf.co`, `cas-bridge.xethub.hf.co`, `*.aws.cdn.hf.co`; Civitai redirects to
 * presigned `civitai-delivery-worker-*.<account>.r2.cloudflarestorage.com` URLs. R2 is open to anyone, so only
 * buckets named `civitai...` are trusted there.
 */
const PROVIDER_SUFFIXES: ReadonlyArray<{ provider: Provider; matches: (host: string) => boolean }> = [
  { provider: 'huggingface', matches: (h) => isOrUnder(h, 'huggingface.co') || isOrUnder(h, 'hf.co') },
  {
    provider: 'civitai',
    matches: (h) => isOrUnder(h, 'civitai.com') || (h.endsWith('.r2.cloudflarestorage.com') && h.startsWith('civitai')),
  },
];

export function createHostPolicy(options: HostPolicyOptions = {}): HostPolicy {
  const endpoints: Record<Provider, URL> = {
    huggingface: parseEndpoint(options.hfEndpoint ?? DEFAULT_HF_ENDPOINT, 'HF_ENDPOINT'),
    civitai: parseEndpoint(options.civitaiEndpoint ?? DEFAULT_CIVITAI_ENDPOINT, 'CIVITAI_ENDPOINT'),
  };
  const allowLoopback = options.allowLoopback ?? false;

  function verdict(input: string | URL): HostVerdict | undefined {
    const url = toUrl(input);
    if (!url || url.username || url.password) return undefined;
    const host = hostName(url);
    const loopback = isLoopbackHost(host);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return undefined;
    for (const provider of ['huggingface', 'civitai'] as const) {
      // An endpoint is matched by host AND port, so a second loopback server is not mistaken for it.
      if (url.protocol === endpoints[provider].protocol && url.host === endpoints[provider].host) {
        return { provider, isEndpoint: true };
      }
    }
    if (loopback) return allowLoopback ? { isEndpoint: false } : undefined;
    if (url.port !== '') return undefined;
    const known = PROVIDER_SUFFIXES.find((entry) => entry.matches(host));
    return known ? { provider: known.provider, isEndpoint: false } : undefined;
  }

  return {
    verdict,
    check(input) {
      const found = verdict(input);
      if (found) return found;
      const shown = redactUrl(input);
      throw new DepotError(
        'HOST_NOT_ALLOWED',
        `Refusing to fetch ${shown}: only https URLs of HuggingFace, Civitai and their download hosts are allowed ` +
          `(and the hosts of HF_ENDPOINT / CIVITAI_ENDPOINT). Nothing was downloaded.`,
        { details: { url: shown } },
      );
    },
    mayReceiveToken(input, provider) {
      const found = verdict(input);
      return found?.isEndpoint === true && found.provider === provider;
    },
    endpoint(provider) {
      return endpoints[provider].origin;
    },
  };
}

function parseEndpoint(value: string, name: string): URL {
  const url = toUrl(value);
  if (!url || (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(hostName(url))))) {
    throw new DepotError(
      'BAD_CONFIG',
      `${name} must be an https URL (plain http only on loopback), got ${redactUrl(value)}.`,
    );
  }
  return url;
}

function toUrl(input: string | URL): URL | undefined {
  try {
    return new URL(input.toString());
  } catch (error) {
    if (error instanceof TypeError) return undefined;
    throw error;
  }
}

/** Lower-case host without IPv6 brackets or a trailing dot (`HuggingFace.co.` is huggingface.co). */
function hostName(url: URL): string {
  return url.hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
}

function isOrUnder(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}
