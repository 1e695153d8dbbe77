import { DepotError } from '../../../shared/errors';
import { redactUrl } from '../../runtime/redact-url';

/** A proxy to send requests through, and where it was configured (for messages). */
export interface ProxyChoice {
  url: URL;
  /** `HTTPS_PROXY`, `http_proxy`, ... or `the proxy setting`: what a person must change when the proxy fails. */
  from: string;
}

/** Which proxy each kind of URL goes through: HTTP_PROXY, HTTPS_PROXY and NO_PROXY, read once. */
export interface ProxySettings {
  /** For http URLs; undefined goes direct. */
  http?: ProxyChoice;
  /** For https URLs: HTTPS_PROXY, else the http proxy (undici's EnvHttpProxyAgent does the same). */
  https?: ProxyChoice;
  /** NO_PROXY's hosts: lower-case names (subdomains match too) with a port, 0 for any port. */
  noProxy: ReadonlyArray<{ host: string; port: number }>;
  /** NO_PROXY is `*`: nothing goes through a proxy. */
  noProxyAll: boolean;
}

export interface ProxySettingsOptions {
  /** The environment to read HTTP_PROXY, HTTPS_PROXY, NO_PROXY from (lower case wins, as in undici and curl). */
  env: Readonly<Record<string, string | undefined>>;
  /** The configured proxy: used for http and https alike, over the environment's. Default none. */
  proxy?: string;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/** Reads the proxy variables once; throws BAD_CONFIG for a proxy value that is not an http(s) URL. */
export function proxySettings(options: ProxySettingsOptions): ProxySettings {
  const { env } = options;
  const configured = nonEmpty(options.proxy);
  const pick = (lower: string, upper: string): ProxyChoice | undefined => {
    if (configured !== undefined)
      return { url: parseProxy(configured, 'the proxy setting'), from: 'the proxy setting' };
    const from = nonEmpty(env[lower]) !== undefined ? lower : nonEmpty(env[upper]) !== undefined ? upper : undefined;
    return from === undefined ? undefined : { url: parseProxy(nonEmpty(env[from]) ?? '', from), from };
  };
  const http = pick('http_proxy', 'HTTP_PROXY');
  const https = pick('https_proxy', 'HTTPS_PROXY') ?? http;
  const noProxyValue = (env.no_proxy ?? env.NO_PROXY ?? '').trim();
  return { http, https, noProxy: parseNoProxy(noProxyValue), noProxyAll: noProxyValue === '*' };
}

/**
 * The proxy a request to `url` goes through, or undefined for a direct connection. NO_PROXY entries follow undici's
 * EnvHttpProxyAgent: `host`, `.host` and `*.host` match the host and its subdomains, `host:port` only that port.
 */
export function proxyForUrl(url: string | URL, settings: ProxySettings): ProxyChoice | undefined {
  const target = new URL(url);
  const choice =
    target.protocol === 'https:' ? settings.https : target.protocol === 'http:' ? settings.http : undefined;
  if (choice === undefined || settings.noProxyAll) return undefined;
  const host = target.hostname.toLowerCase().replace(/\.$/, '');
  const port = Number(target.port) || DEFAULT_PORTS[target.protocol] || 0;
  const bypass = settings.noProxy.some(
    (entry) => (entry.port === 0 || entry.port === port) && (host === entry.host || host.endsWith(`.${entry.host}`)),
  );
  return bypass ? undefined : choice;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** A proxy value as curl reads it: `host:port` without a scheme means http. */
function parseProxy(value: string, from: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new DepotError(
      'BAD_CONFIG',
      `${from} is not a proxy URL (${redactUrl(withScheme)}); set it to http://host:port or remove it.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DepotError(
      'BAD_CONFIG',
      `${from} names a ${url.protocol.slice(0, -1)} proxy (${redactUrl(url)}); only http:// and https:// proxies are supported.`,
    );
  }
  return url;
}

function parseNoProxy(value: string): Array<{ host: string; port: number }> {
  const entries: Array<{ host: string; port: number }> = [];
  for (const entry of value.split(/[,\s]+/)) {
    if (entry === '' || entry === '*') continue;
    // `[::1]:8080`, `[::1]`, `::1` (a bare IPv6 address has no port), `host:443`, `host`.
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    const withPort = bracketed ?? (entry.split(':').length === 2 ? /^(.+):(\d+)$/.exec(entry) : null);
    const host = (withPort?.[1] ?? entry)
      .replace(/^\*?\./, '')
      .replace(/\.$/, '')
      .toLowerCase();
    const hostName = bracketed ? `[${host}]` : host.includes(':') ? `[${host}]` : host;
    entries.push({ host: hostName, port: withPort?.[2] === undefined ? 0 : Number(withPort[2]) });
  }
  return entries;
}
