import { describe, expect, it } from 'vitest';
import { DepotError } from '../../../shared/errors';
import { httpFailure, type HttpFailureContext } from '../../../sidecar/remote/http/http-failure';

const timeouts = { connectMs: 10_000, firstByteMs: 30_000, idleMs: 60_000 };
const direct: HttpFailureContext = {
  url: 'https://huggingface.co/org/repo/resolve/main/a.bin?X-Amz-Signature=s',
  proxy: undefined,
  timeouts,
};
const proxied: HttpFailureContext = {
  ...direct,
  proxy: { url: new URL('http://proxy.corp:3128'), from: 'HTTPS_PROXY' },
};

/** An error as Node's or undici's code makes it: a message plus a code and the fields they set. */
function systemError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

describe('httpFailure', () => {
  it('reads a temporary DNS failure like a missing name: one line, one retry at most', () => {
    const failure = httpFailure(
      systemError('getaddrinfo EAI_AGAIN huggingface.co', { code: 'EAI_AGAIN', hostname: 'huggingface.co' }),
      direct,
    );
    expect(failure.code).toBe('NETWORK');
    expect(failure.message).toBe(
      'Cannot resolve huggingface.co (EAI_AGAIN); check the network connection, the proxy settings (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) or HF_ENDPOINT / CIVITAI_ENDPOINT.',
    );
    expect(failure.details).toMatchObject({ phase: 'dns', maxRetries: 1, host: 'huggingface.co' });
  });

  it('names the proxy variable when the proxy host itself does not resolve', () => {
    const failure = httpFailure(
      systemError('getaddrinfo ENOTFOUND proxy.corp', { code: 'ENOTFOUND', hostname: 'proxy.corp' }),
      proxied,
    );
    expect(failure.message).toBe(
      'The proxy host proxy.corp (from HTTPS_PROXY) does not resolve (ENOTFOUND); check HTTPS_PROXY.',
    );
  });

  it('says a proxy wants credentials, and that retrying will not help', () => {
    const failure = httpFailure(new Error('Proxy response (407) !== 200 when HTTP Tunneling'), proxied);
    expect(failure.message).toContain(
      '(it answered HTTP 407). It asks for credentials: put them in the proxy URL (http://user:password@host:port).',
    );
    expect(failure.details).toMatchObject({ proxyStatus: 407, maxRetries: 0 });
  });

  it('names the phase and its length for each undici timeout', () => {
    const phase = (code: string): unknown => httpFailure(systemError('x', { code }), direct).details;
    expect(phase('UND_ERR_CONNECT_TIMEOUT')).toMatchObject({ phase: 'connect', ms: 10_000 });
    expect(phase('UND_ERR_HEADERS_TIMEOUT')).toMatchObject({ phase: 'first-byte', ms: 30_000 });
    expect(phase('UND_ERR_BODY_TIMEOUT')).toMatchObject({ phase: 'idle', ms: 60_000 });
    expect(httpFailure(systemError('x', { code: 'UND_ERR_BODY_TIMEOUT' }), direct).message).toBe(
      'huggingface.co sent nothing for 60 s in the middle of its answer (idle timeout, set by HF_HUB_DOWNLOAD_TIMEOUT); try again.',
    );
  });

  it('says through which proxy a connection timed out', () => {
    const failure = httpFailure(systemError('x', { code: 'UND_ERR_CONNECT_TIMEOUT' }), proxied);
    expect(failure.message).toBe(
      'Could not connect to huggingface.co through the proxy proxy.corp:3128 (from HTTPS_PROXY) within 10 s (connect timeout); check the network connection and the proxy, then try again.',
    );
  });

  it('reads a garbled answer as not HTTP', () => {
    expect(
      httpFailure(
        systemError('Response does not match the HTTP/1.1 protocol', { code: 'HPE_INVALID_CONSTANT' }),
        direct,
      ).message,
    ).toBe(
      'huggingface.co did not answer in HTTP/1.1 (HPE_INVALID_CONSTANT); check the address (and HF_ENDPOINT / CIVITAI_ENDPOINT).',
    );
  });

  it('explains unreachable networks, and falls back to the code for anything else', () => {
    expect(httpFailure(systemError('x', { code: 'ENETUNREACH' }), direct).message).toBe(
      'Could not reach huggingface.co (ENETUNREACH: the network is unreachable); check the connection and try again.',
    );
    expect(httpFailure(new Error('weird'), direct).message).toBe(
      'Could not reach huggingface.co (no answer); check the connection and try again.',
    );
  });

  it("passes a DepotError through, and prefers the signal's reason once it aborted", () => {
    const own = new DepotError('HTTP_ERROR', 'own');
    expect(httpFailure(own, direct)).toBe(own);
    const reason = new DepotError('TIMEOUT', 'stall');
    expect(httpFailure(new Error('aborted'), { ...direct, signal: AbortSignal.abort(reason) })).toBe(reason);
    const cancelled = httpFailure(new Error('aborted'), { ...direct, signal: AbortSignal.abort() });
    expect(cancelled.code).toBe('CANCELLED');
    expect(cancelled.message).toBe('Cancelled while talking to huggingface.co.');
  });

  it('never puts the path or query in the message or details', () => {
    for (const code of ['ECONNRESET', 'UND_ERR_BODY_TIMEOUT', 'ENOTFOUND', 'HPE_X', 'EWHATEVER']) {
      const failure = httpFailure(systemError('x', { code }), direct);
      expect(`${failure.message} ${JSON.stringify(failure.details)}`).not.toMatch(/\/resolve\/|X-Amz|a\.bin/);
    }
  });
});
