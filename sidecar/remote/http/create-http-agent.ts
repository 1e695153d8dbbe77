import { Agent, Pool, ProxyAgent, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { DepotError } from '../../../shared/errors';
import { limitInformationalHeads } from './limit-informational-heads';
import { proxyForUrl, proxySettings, type ProxyChoice } from './proxy-for-url';
import { trustedCertificates } from './trusted-certificates';

/** How long each phase of a request may take, in ms; an error names the phase that ran out. */
export interface HttpTimeouts {
  /** Opening the connection: TCP, TLS, and a proxy's CONNECT answer. */
  connectMs: number;
  /** From the request to the head of the answer. */
  firstByteMs: number;
  /** Between two pieces of the body (HF_HUB_DOWNLOAD_TIMEOUT). */
  idleMs: number;
}

export interface CreateHttpAgentOptions {
  /** A proxy URL from the configuration: used for http and https, over HTTP_PROXY/HTTPS_PROXY. Default none. */
  proxy?: string;
  /** The depot's environment: HTTP_PROXY, HTTPS_PROXY, NO_PROXY (either case), NODE_EXTRA_CA_CERTS. Default {}. */
  env?: Readonly<Record<string, string | undefined>>;
  /** ms to open a connection (TCP, TLS and a proxy's CONNECT). */
  connectTimeoutMs: number;
  /** ms from a request to the head of its answer. */
  headersTimeoutMs: number;
  /** ms without a byte of the body. */
  bodyTimeoutMs: number;
  /** More certificate authorities (PEM) to trust besides Node's and NODE_EXTRA_CA_CERTS. Default none. */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
}

/** The depot's one HTTP client: keep-alive connections, proxies and trusted authorities, shared by every request. */
export interface HttpAgent {
  /** What undici's `request`, `stream` and `dispatch` are given. */
  readonly dispatcher: Dispatcher;
  /** The agent's default timeouts; a request may shorten or lengthen the first-byte and idle ones. */
  readonly timeouts: HttpTimeouts;
  /** The proxy a request to `url` goes through, undefined for a direct connection. */
  proxyFor(url: string | URL): ProxyChoice | undefined;
  /** Closes every connection once the requests in flight are done. */
  close(): Promise<void>;
  /** Drops every connection at once, failing the requests in flight (shutdown). */
  destroy(): Promise<void>;
}

/** Answers larger than this in their head are refused (undici's default, as Node's own HTTP server). */
const MAX_HEADER_BYTES = 16 * 1024;
/** 1xx heads tolerated before the real answer: 100 and 103 are the ones servers send, once each. */
const MAX_INFORMATIONAL_HEADS = 8;

/**
 * The agent a depot creates once: undici keep-alive pools, with HTTP_PROXY / HTTPS_PROXY / NO_PROXY read from `env`
 * (never from process.env: the depot decides what its environment is) as undici's EnvHttpProxyAgent reads them, and
 * requests to a proxy tunnelled with CONNECT, so a proxy never sees a request's headers (the token among them).
 * Throws BAD_CONFIG for an unusable proxy value or NODE_EXTRA_CA_CERTS file.
 */
export function createHttpAgent(options: CreateHttpAgentOptions): HttpAgent {
  const env = options.env ?? {};
  const settings = proxySettings({ env, proxy: options.proxy });
  const ca = trustedCertificates({ env, ca: options.ca });
  const timeouts: HttpTimeouts = {
    connectMs: options.connectTimeoutMs,
    firstByteMs: options.headersTimeoutMs,
    idleMs: options.bodyTimeoutMs,
  };
  const tlsOptions = { timeout: timeouts.connectMs, ...(ca === undefined ? {} : { ca }) };
  const clientOptions = {
    headersTimeout: timeouts.firstByteMs,
    bodyTimeout: timeouts.idleMs,
    maxHeaderSize: MAX_HEADER_BYTES,
  };
  const direct = new Agent({ ...clientOptions, connect: tlsOptions });
  const proxied = new Map<string, ProxyAgent>();
  for (const choice of [settings.http, settings.https]) {
    if (choice === undefined || proxied.has(choice.url.href)) continue;
    proxied.set(
      choice.url.href,
      new ProxyAgent({
        ...clientOptions,
        uri: choice.url.href,
        requestTls: tlsOptions,
        proxyTls: tlsOptions,
        // The connection that asks the proxy for a tunnel: its wait for the CONNECT answer is part of connecting.
        clientFactory: (origin, factoryOptions) =>
          new Pool(origin, { ...factoryOptions, ...clientOptions, headersTimeout: timeouts.connectMs }).compose(
            connectAnswerTimeout(choice, timeouts.connectMs),
          ),
      }),
    );
  }
  const route: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (request, handler) => {
    const choice = request.origin === undefined ? undefined : proxyForUrl(request.origin, settings);
    const agent = choice === undefined ? undefined : proxied.get(choice.url.href);
    return agent === undefined ? dispatch(request, handler) : agent.dispatch(request, handler);
  };
  return {
    dispatcher: direct.compose(route, limitInformationalHeads(MAX_INFORMATIONAL_HEADS)),
    timeouts,
    proxyFor: (url) => proxyForUrl(url, settings),
    async close() {
      await Promise.all([direct.close(), ...[...proxied.values()].map((agent) => agent.close())]);
    },
    async destroy() {
      await Promise.all([direct.destroy(), ...[...proxied.values()].map((agent) => agent.destroy())]);
    },
  };
}

/**
 * A proxy that accepts the connection but never answers CONNECT fails as a connect timeout, naming the proxy,
 * rather than as the slow first byte of a server it never reached.
 */
function connectAnswerTimeout(choice: ProxyChoice, ms: number): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (request, handler) =>
    dispatch(request, {
      onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
      onRequestUpgrade: (controller, statusCode, headers: IncomingHttpHeaders, socket: Duplex) =>
        handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
      onResponseStart: (controller, statusCode, headers, statusMessage) =>
        handler.onResponseStart?.(controller, statusCode, headers, statusMessage),
      onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
      onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
      onResponseError(controller, error) {
        const timedOut = 'code' in error && error.code === 'UND_ERR_HEADERS_TIMEOUT';
        handler.onResponseError?.(
          controller,
          timedOut
            ? new DepotError(
                'TIMEOUT',
                `The proxy ${choice.url.host} (from ${choice.from}) did not open a connection within ${ms / 1000} s ` +
                  `(connect timeout); check that the proxy works, or set NO_PROXY for this host.`,
                { details: { phase: 'connect', ms, proxy: choice.url.host }, cause: error },
              )
            : error,
        );
      },
    });
}
