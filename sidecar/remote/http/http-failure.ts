import { DepotError, errorCodeOf } from '../../../shared/errors';
import type { ProxyChoice } from './proxy-for-url';
import type { HttpTimeouts } from './create-http-agent';

export interface HttpFailureContext {
  /** The request's URL; only its host is ever put in a message (the path or query may carry a signature). */
  url: string | URL;
  /** The proxy the request went through, if any. */
  proxy: ProxyChoice | undefined;
  /** The timeouts in force for the request, named in timeout messages. */
  timeouts: HttpTimeouts;
  /** The caller's signal: once aborted, its reason (or CANCELLED) is the failure. */
  signal?: AbortSignal;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);
const CUT_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'ECONNABORTED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const UNREACHABLE_HINTS: Readonly<Record<string, string>> = {
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ETIMEDOUT: 'no answer in time',
};

/**
 * What a failed request means to a person, as a DepotError: the host (never the path or query), the phase or the
 * cause, and what to do. `details.maxRetries` tells a retry loop when trying again cannot help much: 1 for a name
 * that does not resolve (a second try rides out a DNS hiccup), 0 for an untrusted certificate or a proxy asking for
 * credentials. The cause is kept: undici's and Node's errors name hosts and addresses, never a header or a path.
 */
export function httpFailure(error: unknown, context: HttpFailureContext): DepotError {
  if (context.signal?.aborted === true) {
    const reason: unknown = context.signal.reason;
    if (reason instanceof DepotError) return reason;
    return new DepotError('CANCELLED', `Cancelled while talking to ${hostOf(context.url)}.`, { cause: error });
  }
  if (error instanceof DepotError) return error;
  const host = hostOf(context.url);
  const code = errorCodeOf(error);
  const proxy = context.proxy;
  const via = proxy === undefined ? '' : ` through the proxy ${proxy.url.host} (from ${proxy.from})`;
  const base = { host, code, ...(proxy === undefined ? {} : { proxy: proxy.url.host }) };
  const fail = (
    failureCode: 'NETWORK' | 'TIMEOUT' | 'HTTP_ERROR' | 'BAD_INPUT',
    message: string,
    details: Record<string, unknown> = {},
  ) => new DepotError(failureCode, message, { details: { ...base, ...details }, cause: error });

  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    const ms = context.timeouts.connectMs;
    return fail(
      'TIMEOUT',
      `Could not connect to ${host}${via} within ${seconds(ms)} (connect timeout); check the network connection${proxy ? ' and the proxy' : ''}, then try again.`,
      { phase: 'connect', ms },
    );
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    const ms = context.timeouts.firstByteMs;
    // Not retried: a host that never answered for a whole timeout would make every wait a multiple of it.
    return fail('TIMEOUT', `${host} did not answer within ${seconds(ms)} (first-byte timeout); try again later.`, {
      phase: 'first-byte',
      ms,
      maxRetries: 0,
    });
  }
  if (code === 'UND_ERR_BODY_TIMEOUT') {
    const ms = context.timeouts.idleMs;
    return fail(
      'TIMEOUT',
      `${host} sent nothing for ${seconds(ms)} in the middle of its answer (idle timeout, set by HF_HUB_DOWNLOAD_TIMEOUT); try again.`,
      { phase: 'idle', ms },
    );
  }
  if (code !== undefined && DNS_CODES.has(code)) {
    const name = hostnameOf(error);
    if (proxy !== undefined && name !== undefined && name === proxy.url.hostname) {
      return fail(
        'NETWORK',
        `The proxy host ${proxy.url.hostname} (from ${proxy.from}) does not resolve (${code}); check ${proxy.from}.`,
        {
          phase: 'dns',
          maxRetries: 1,
        },
      );
    }
    return fail(
      'NETWORK',
      `Cannot resolve ${hostnameOf(error) ?? new URL(context.url).hostname} (${code}); check the network connection, the proxy settings ` +
        `(HTTPS_PROXY, HTTP_PROXY, NO_PROXY) or HF_ENDPOINT / CIVITAI_ENDPOINT.`,
      { phase: 'dns', maxRetries: 1 },
    );
  }
  const refusal = proxyRefusal(error);
  if (proxy !== undefined && refusal !== undefined) {
    const credentials =
      refusal === 407 ? ' It asks for credentials: put them in the proxy URL (http://user:password@host:port).' : '';
    return fail(
      'NETWORK',
      `The proxy ${proxy.url.host} (from ${proxy.from}) would not connect to ${host} (it answered HTTP ${refusal}).${credentials} ` +
        `Check the proxy settings, or list ${new URL(context.url).hostname} in NO_PROXY if it must be reached directly.`,
      { phase: 'connect', proxyStatus: refusal, ...(refusal === 407 ? { maxRetries: 0 } : {}) },
    );
  }
  if (code === 'ECONNREFUSED') {
    if (proxy !== undefined && isProxyAddress(error, proxy)) {
      return fail(
        'NETWORK',
        `Nothing listens at the proxy ${proxy.url.host} (from ${proxy.from}); start the proxy or fix ${proxy.from}.`,
        {
          phase: 'connect',
        },
      );
    }
    return fail(
      'NETWORK',
      `Could not connect to ${host}${via}: nothing listens there (ECONNREFUSED). Check the address and try again.`,
      {
        phase: 'connect',
      },
    );
  }
  if (code !== undefined && CERTIFICATE_CODES.has(code)) {
    return fail(
      'NETWORK',
      `${host}'s certificate is not trusted (${code}). If a company proxy inspects https traffic, set NODE_EXTRA_CA_CERTS ` +
        `to the PEM file of its certificate authority.`,
      { phase: 'connect', maxRetries: 0 },
    );
  }
  if (code !== undefined && CUT_CODES.has(code)) {
    return fail(
      'NETWORK',
      `The connection to ${host}${via} was cut before the answer was complete (${code}); try again.`,
    );
  }
  if (code === 'UND_ERR_HEADERS_OVERFLOW') {
    return fail(
      'HTTP_ERROR',
      `${host} answered with a head larger than 16 KiB; this is not a server model-depot can talk to.`,
    );
  }
  if (code?.startsWith('HPE_') === true) {
    return fail(
      'HTTP_ERROR',
      `${host} did not answer in HTTP/1.1 (${code}); check the address (and HF_ENDPOINT / CIVITAI_ENDPOINT).`,
    );
  }
  if (code === 'UND_ERR_INVALID_ARG' && error instanceof Error && /^invalid [\w-]+ header$/i.test(error.message)) {
    return fail(
      'BAD_INPUT',
      `A request header holds characters an HTTP header cannot carry. If it is a token, copy it again from the provider's ` +
        `settings page, without spaces, line breaks or other characters around it.`,
    );
  }
  const hint = code === undefined ? undefined : UNREACHABLE_HINTS[code];
  return fail(
    'NETWORK',
    `Could not reach ${host}${via} (${code ?? 'no answer'}${hint ? `: ${hint}` : ''}); check the connection and try again.`,
  );
}

function hostOf(url: string | URL): string {
  return new URL(url).host;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** The host name a DNS lookup failed for: Node's getaddrinfo errors carry it as `hostname`. */
function hostnameOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'hostname' in error && typeof error.hostname === 'string'
    ? error.hostname
    : undefined;
}

/** The status of a CONNECT that the proxy refused: undici only says so in its message. */
function proxyRefusal(error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined;
  const match =
    /^Proxy response \((\d{3})\) !== 200/.exec(error.message) ??
    /^Proxy Authentication Required \((407)\)/.exec(error.message);
  return match ? Number(match[1]) : undefined;
}

/** Whether a refused connection was to the proxy itself: system errors carry the port they tried. */
function isProxyAddress(error: unknown, proxy: ProxyChoice): boolean {
  const port = typeof error === 'object' && error !== null && 'port' in error ? error.port : undefined;
  const proxyPort = Number(proxy.url.port) || (proxy.url.protocol === 'https:' ? 443 : 80);
  return port === proxyPort;
}
