import net from 'node:net';
import tls from 'node:tls';
import { DepotError } from '../../../shared/errors';
import type { FetchInit, FetchLike, FetchResponse } from '../fetch-like';
import { HttpResponseReader } from './http-response-reader';

export interface SocketFetchOptions {
  /** Certificates (PEM) trusted for https besides Node's bundled authorities; tests pass their own. Default none. */
  ca?: string | Buffer;
  /** ms to open the connection (TCP, and the TLS handshake for https); a host that never accepts fails TIMEOUT. Default 10 s. */
  connectTimeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The downloader's fetch: one HTTP/1.1 request per connection (`Connection: close`) over net or tls, whose answer's
 * body (an HttpResponseReader) can be read straight into the download's ring (`readInto`), or as a stream like any
 * fetch body. No redirects (the caller follows them hop by hop), no decompression, no cookies, no proxy: the same as
 * the node-fetch calls it replaces for downloads, with a body path that allocates nothing per chunk.
 */
export function createSocketFetch(options: SocketFetchOptions = {}): FetchLike {
  return async (url: string, init: FetchInit = {}): Promise<FetchResponse> => {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    if (!secure && target.protocol !== 'http:')
      throw new TypeError(`socketFetch: ${target.protocol} URLs cannot be fetched.`);
    init.signal?.throwIfAborted();
    const method = init.method ?? 'GET';
    const request = requestHead(method, target, init.headers ?? {});
    const reader = new HttpResponseReader({ origin: target.origin, method, signal: init.signal });
    const onread = { buffer: () => reader.nextReadBuffer(), callback: (length: number) => reader.onRead(length) };
    // new URL keeps the brackets of an IPv6 host; the socket wants the bare address.
    const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = target.port === '' ? (secure ? 443 : 80) : Number(target.port);
    const connectOptions: tls.ConnectionOptions & net.TcpSocketConnectOpts = {
      host,
      port,
      onread,
      // SNI names a host, never an address (RFC 6066).
      servername: net.isIP(host) === 0 ? host : undefined,
      ALPNProtocols: ['http/1.1'],
      ca: options.ca === undefined ? undefined : [...tls.rootCertificates, options.ca.toString()],
    };
    let socket: net.Socket;
    try {
      socket = secure ? tls.connect(connectOptions) : net.connect(connectOptions);
    } catch (error) {
      reader.destroy();
      throw error;
    }
    reader.attach(socket);
    watchConnect(socket, target.host, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, secure);
    // Written before the connection is up: the socket sends it once connected (after the handshake for tls).
    socket.write(request, 'latin1');
    const head = await reader.head;
    return {
      status: head.status,
      headers: { get: (name) => head.headers.get(name.toLowerCase()) ?? null },
      body: reader,
    };
  };
}

/** The default: Node's bundled certificate authorities (and NODE_EXTRA_CA_CERTS). */
export const socketFetch: FetchLike = createSocketFetch();

/**
 * Fails the connection when it is not open (TLS included) within `ms`: a dropped SYN would otherwise wait for the
 * kernel's minutes. The error names the host and the phase; one more try is enough for a host that never accepts.
 */
function watchConnect(socket: net.Socket, host: string, ms: number, secure: boolean): void {
  const timer = setTimeout(() => {
    socket.destroy(
      new DepotError(
        'TIMEOUT',
        `Could not connect to ${host} within ${ms / 1000} s (connect timeout); check the network connection, then try again.`,
        {
          details: { host, phase: 'connect', ms, maxRetries: 1 },
        },
      ),
    );
  }, ms);
  const clear = (): void => clearTimeout(timer);
  socket.once(secure ? 'secureConnect' : 'connect', clear);
  socket.once('close', clear);
}

function requestHead(method: string, target: URL, headers: Record<string, string>): string {
  if (!TOKEN.test(method)) throw new TypeError(`socketFetch: ${JSON.stringify(method)} is not an HTTP method.`);
  const lines = [`${method} ${target.pathname}${target.search} HTTP/1.1`, `Host: ${target.host}`, 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'host' || lower === 'connection') continue;
    if (!TOKEN.test(name)) throw new TypeError(`socketFetch: ${JSON.stringify(name)} is not a header name.`);
    // Node's own rule (checkInvalidHeaderChar): the head goes out as latin1, so a character past U+00FF would lose its
    // high byte, and U+010D U+010A would become CR LF. The value is never printed: it may be a token.
    if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) {
      throw new DepotError(
        'BAD_INPUT',
        `The ${name} header holds characters an HTTP header cannot carry. If it is a token, copy it again from the ` +
          `provider's settings page, without spaces, line breaks or other characters around it.`,
      );
    }
    lines.push(`${name}: ${value}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}
