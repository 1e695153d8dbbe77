import { request, type Dispatcher } from 'undici';
import { DepotError } from '../../../shared/errors';
import type { HttpAgent, HttpTimeouts } from './create-http-agent';
import { headerGetter, type HeaderGetter } from './header-getter';
import { httpFailure } from './http-failure';
import { refuseUrlCredentials } from './refuse-url-credentials';

export interface RequestBoundedOptions {
  /** The URL; user info or a credential in its query is refused (BAD_INPUT). */
  url: string;
  /** Default GET. */
  method?: 'GET' | 'HEAD' | 'POST';
  /** Request headers (a token's Authorization among them: it never reaches a message). Default none. */
  headers?: Record<string, string>;
  /** A small request body (paths-info JSON). Default none. */
  body?: string;
  /** The depot's agent. */
  agent: HttpAgent;
  /** The largest body read; a larger one fails (HTTP_ERROR) without being read further. Default 8 MiB. */
  maxBodyBytes?: number;
  /** Cancels the request; a DepotError reason (a stall watch) is thrown as it is, anything else as CANCELLED. */
  signal?: AbortSignal;
  /** Overrides the agent's first-byte and idle timeouts for this request (idle: HF_HUB_DOWNLOAD_TIMEOUT). */
  timeouts?: Partial<Pick<HttpTimeouts, 'firstByteMs' | 'idleMs'>>;
}

/** A whole, small answer. */
export interface BoundedResponse {
  status: number;
  headers: HeaderGetter;
  /** The body, at most `maxBodyBytes`; empty for HEAD, 204 and 304. */
  body: Buffer;
  /** The body as UTF-8. */
  text(): string;
}

const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * One metadata request (file info, tree pages, repo info, Civitai versions) through the depot's agent: the whole body
 * read, never past `maxBodyBytes`, so an endless or huge answer fails fast instead of filling memory. Redirects are
 * not followed: the answer is returned as it is and the caller decides (HF's 302 carries the file's hash itself).
 * Every failure is a DepotError naming the host and what to do (see httpFailure); no retries here.
 */
export async function requestBounded(options: RequestBoundedOptions): Promise<BoundedResponse> {
  refuseUrlCredentials(options.url);
  const url = new URL(options.url);
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const timeouts: HttpTimeouts = {
    connectMs: options.agent.timeouts.connectMs,
    firstByteMs: options.timeouts?.firstByteMs ?? options.agent.timeouts.firstByteMs,
    idleMs: options.timeouts?.idleMs ?? options.agent.timeouts.idleMs,
  };
  const context = { url, proxy: options.agent.proxyFor(url), timeouts, signal: options.signal };
  let answer: Dispatcher.ResponseData;
  try {
    answer = await request(url, {
      dispatcher: options.agent.dispatcher,
      method: options.method ?? 'GET',
      headers: options.headers,
      body: options.body,
      signal: options.signal,
      headersTimeout: timeouts.firstByteMs,
      bodyTimeout: timeouts.idleMs,
    });
  } catch (error) {
    throw httpFailure(error, context);
  }
  const headers = headerGetter(answer.headers);
  try {
    const body = await readCapped(answer, limit, url.host);
    return { status: answer.statusCode, headers, body, text: () => body.toString('utf8') };
  } catch (error) {
    answer.body.destroy();
    throw httpFailure(error, context);
  }
}

async function readCapped(answer: Dispatcher.ResponseData, limit: number, host: string): Promise<Buffer> {
  const declared = Number(answer.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(host, limit, declared);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of answer.body) {
    const received: unknown = chunk;
    const piece = Buffer.isBuffer(received) ? received : Buffer.from(String(received));
    size += piece.length;
    if (size > limit) throw tooLarge(host, limit);
    chunks.push(piece);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(host: string, limit: number, declared?: number): DepotError {
  const what = declared === undefined ? 'more than' : `${declared} bytes, more than`;
  return new DepotError(
    'HTTP_ERROR',
    `${host} sent an answer of ${what} the ${limit} bytes a metadata answer may have; it was not read further. ` +
      `Check that HF_ENDPOINT / CIVITAI_ENDPOINT point at the hub itself.`,
    { details: { host, limit, ...(declared === undefined ? {} : { declared }) } },
  );
}
