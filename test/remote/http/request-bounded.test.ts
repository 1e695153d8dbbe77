import type net from 'node:net';
import { describe, expect } from 'vitest';
import { DepotError } from '../../../shared/errors';
import { requestBounded } from '../../../sidecar/remote/http/request-bounded';
import { messageOf, rejection } from '../fixtures/loopback-servers';
import { test } from './fixtures/http-test-context';
import { freePort } from './fixtures/tinyproxy';

/** The DepotError a promise rejects with (fails the test on anything else). */
async function depotFailure(promise: Promise<unknown>): Promise<DepotError> {
  const error = await rejection(promise);
  if (!(error instanceof DepotError)) throw new Error(`expected a DepotError, got ${messageOf(error)}`);
  return error;
}

/** Writes `piece` until the client goes away: an answer that never ends. */
function writeForever(socket: net.Socket, piece: string | Buffer): void {
  const pump = (): void => {
    while (!socket.destroyed && socket.write(piece));
    if (!socket.destroyed) socket.once('drain', pump);
  };
  socket.on('error', () => undefined);
  pump();
}

describe('requestBounded', () => {
  describe('answers', () => {
    test('reads a whole JSON answer and its headers', async ({ servers, makeAgent }) => {
      const server = await servers.http((request, response) => {
        response.setHeader('x-repo-commit', 'abc');
        response.end(JSON.stringify({ path: request.url, auth: request.headers.authorization }));
      });
      const answer = await requestBounded({
        url: `${server.origin}/api/models/org/repo`,
        agent: makeAgent(),
        headers: { Authorization: 'Bearer hf_test' },
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('X-Repo-Commit')).toBe('abc');
      expect(JSON.parse(answer.text())).toEqual({ path: '/api/models/org/repo', auth: 'Bearer hf_test' });
    });

    test('returns a redirect as it is, without following it', async ({ servers, makeAgent }) => {
      const server = await servers.http((_request, response) => {
        response.writeHead(302, {
          location: 'http://127.0.0.1:1/elsewhere',
          'x-linked-etag': '"abc"',
          'x-linked-size': '42',
        });
        response.end('redirecting');
      });
      const answer = await requestBounded({
        url: `${server.origin}/org/repo/resolve/main/a.bin`,
        method: 'HEAD',
        agent: makeAgent(),
      });
      expect(answer.status).toBe(302);
      expect(answer.headers.get('location')).toBe('http://127.0.0.1:1/elsewhere');
      expect(answer.headers.get('x-linked-size')).toBe('42');
      expect(answer.body.length).toBe(0);
      expect(server.requests).toHaveLength(1);
    });

    // undici hands a finished connection back on the next turn of the event loop, so a request sent at once after
    // the previous answer may open a second one; after that the two take turns.
    test('reuses kept-alive connections: eight requests in a row open at most two', async ({ servers, makeAgent }) => {
      const server = await servers.http((_request, response) => response.end('{}'));
      const agent = makeAgent();
      for (let i = 0; i < 8; i++) await requestBounded({ url: `${server.origin}/api/${i}`, agent });
      const sockets = new Set(server.requests.map((request) => request.socket));
      expect(server.requests).toHaveLength(8);
      expect(sockets.size).toBeLessThanOrEqual(2);
    });

    test('sends a small body (paths-info JSON)', async ({ servers, makeAgent }) => {
      let received = '';
      const server = await servers.http((request, response) => {
        request.setEncoding('utf8');
        request.on('data', (data: string) => (received += data));
        request.on('end', () => response.end('[]'));
      });
      const answer = await requestBounded({
        url: `${server.origin}/api/models/o/r/paths-info/main`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ paths: ['a'] }),
        agent: makeAgent(),
      });
      expect(answer.text()).toBe('[]');
      expect(JSON.parse(received)).toEqual({ paths: ['a'] });
    });
  });

  describe('the body cap', () => {
    test('refuses a declared Content-Length over the cap without reading the body', async ({ servers, makeAgent }) => {
      const server = await servers.raw((socket) => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n');
        writeForever(socket, Buffer.alloc(64 * 1024));
      });
      const started = performance.now();
      const error = await depotFailure(
        requestBounded({ url: `${server.origin}/api/x`, agent: makeAgent(), maxBodyBytes: 1024 }),
      );
      expect(error.code).toBe('HTTP_ERROR');
      expect(error.message).toMatch(
        /^127\.0\.0\.1:\d+ sent an answer of 1000000000 bytes, more than the 1024 bytes a metadata answer may have; it was not read further\./,
      );
      expect(performance.now() - started).toBeLessThan(2000);
    });

    test.for([
      ['chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', `4000\r\n${'x'.repeat(0x4000)}\r\n`],
      ['close-delimited', 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n', 'x'.repeat(0x4000)],
    ] as const)(
      'fails fast on an endless %s body, never holding more than the cap',
      async ([, head, piece], { servers, makeAgent }) => {
        let sent = 0;
        const server = await servers.raw((socket) => {
          socket.write(head);
          const counting = Buffer.from(piece);
          const pump = (): void => {
            while (!socket.destroyed && socket.write(counting)) sent += counting.length;
            if (!socket.destroyed) socket.once('drain', pump);
          };
          socket.on('error', () => undefined);
          pump();
        });
        const started = performance.now();
        const error = await depotFailure(
          requestBounded({ url: `${server.origin}/api/tree`, agent: makeAgent(), maxBodyBytes: 4 * 1024 * 1024 }),
        );
        expect(error.code).toBe('HTTP_ERROR');
        expect(error.message).toContain('more than the 4194304 bytes a metadata answer may have');
        expect(performance.now() - started).toBeLessThan(5000);
        // Only what the sockets buffer beyond the cap was ever sent.
        expect(sent).toBeLessThan(64 * 1024 * 1024);
      },
    );

    test('reads a body of exactly the cap', async ({ servers, makeAgent }) => {
      const server = await servers.http((_request, response) => response.end(Buffer.alloc(4096, 1)));
      const answer = await requestBounded({ url: `${server.origin}/a`, agent: makeAgent(), maxBodyBytes: 4096 });
      expect(answer.body.length).toBe(4096);
    });
  });

  describe('failures', () => {
    test('names the host and what to check when it does not resolve, and allows one retry at most', async ({
      makeAgent,
    }) => {
      const error = await depotFailure(
        requestBounded({ url: 'https://no-such-host.invalid/api/models/x', agent: makeAgent() }),
      );
      expect(error.code).toBe('NETWORK');
      expect(error.message).toMatch(
        /^Cannot resolve no-such-host\.invalid \((ENOTFOUND|EAI_AGAIN)\); check the network connection, the proxy settings \(HTTPS_PROXY, HTTP_PROXY, NO_PROXY\) or HF_ENDPOINT \/ CIVITAI_ENDPOINT\.$/,
      );
      expect(error.details).toMatchObject({ host: 'no-such-host.invalid', phase: 'dns', maxRetries: 1 });
    });

    test('says nothing listens when the connection is refused', async ({ makeAgent }) => {
      const port = await freePort();
      const error = await depotFailure(requestBounded({ url: `http://127.0.0.1:${port}/api/x`, agent: makeAgent() }));
      expect(error.code).toBe('NETWORK');
      expect(error.message).toBe(
        `Could not connect to 127.0.0.1:${port}: nothing listens there (ECONNREFUSED). Check the address and try again.`,
      );
    });

    test('names the connect phase when a TLS handshake never completes', async ({ servers, makeAgent }) => {
      const silent = await servers.raw(() => undefined);
      const port = new URL(silent.origin).port;
      const error = await depotFailure(
        requestBounded({ url: `https://127.0.0.1:${port}/api/x`, agent: makeAgent({ connectTimeoutMs: 300 }) }),
      );
      expect(error.code).toBe('TIMEOUT');
      expect(error.message).toBe(
        `Could not connect to 127.0.0.1:${port} within 0.3 s (connect timeout); check the network connection, then try again.`,
      );
      expect(error.details).toMatchObject({ phase: 'connect', ms: 300 });
    });

    test('names the first-byte phase when the server never answers', async ({ servers, makeAgent }) => {
      const server = await servers.raw(() => undefined);
      const started = performance.now();
      const error = await depotFailure(
        requestBounded({ url: `${server.origin}/api/x`, agent: makeAgent(), timeouts: { firstByteMs: 300 } }),
      );
      expect(error.code).toBe('TIMEOUT');
      expect(error.message).toMatch(
        /^127\.0\.0\.1:\d+ did not answer within 0\.3 s \(first-byte timeout\); try again later\.$/,
      );
      expect(error.details).toMatchObject({ phase: 'first-byte', ms: 300 });
      expect(performance.now() - started).toBeLessThan(2500);
    });

    test('names the idle phase (HF_HUB_DOWNLOAD_TIMEOUT) when the body stalls', async ({ servers, makeAgent }) => {
      const server = await servers.raw((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"par'));
      const error = await depotFailure(
        requestBounded({ url: `${server.origin}/api/x`, agent: makeAgent(), timeouts: { idleMs: 300 } }),
      );
      expect(error.code).toBe('TIMEOUT');
      expect(error.message).toMatch(
        /^127\.0\.0\.1:\d+ sent nothing for 0\.3 s in the middle of its answer \(idle timeout, set by HF_HUB_DOWNLOAD_TIMEOUT\); try again\.$/,
      );
      expect(error.details).toMatchObject({ phase: 'idle', ms: 300 });
    });

    test('says the connection was cut when the body ends early', async ({ servers, makeAgent }) => {
      const server = await servers.raw((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"par'));
      const error = await depotFailure(requestBounded({ url: `${server.origin}/api/x`, agent: makeAgent() }));
      expect(error.code).toBe('NETWORK');
      expect(error.message).toMatch(
        /^The connection to 127\.0\.0\.1:\d+ was cut before the answer was complete \(UND_ERR_SOCKET\); try again\.$/,
      );
    });

    test('fails fast on a flood of informational answers', async ({ servers, makeAgent }) => {
      const server = await servers.raw((socket) => writeForever(socket, 'HTTP/1.1 102 Processing\r\n\r\n'));
      const started = performance.now();
      const error = await depotFailure(
        requestBounded({ url: `${server.origin}/api/x`, agent: makeAgent({ headersTimeoutMs: 10_000 }) }),
      );
      expect(error.code).toBe('HTTP_ERROR');
      expect(error.message).toMatch(
        /^127\.0\.0\.1:\d+ sent more than 8 informational \(1xx\) answers and no real one; try again later\.$/,
      );
      expect(performance.now() - started).toBeLessThan(2000);
    });

    test('fails fast on an endless head', async ({ servers, makeAgent }) => {
      const server = await servers.raw((socket) => {
        socket.write('HTTP/1.1 200 OK\r\n');
        writeForever(socket, 'X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n');
      });
      const started = performance.now();
      const error = await depotFailure(
        requestBounded({ url: `${server.origin}/api/x`, agent: makeAgent({ headersTimeoutMs: 10_000 }) }),
      );
      expect(error.code).toBe('HTTP_ERROR');
      expect(error.message).toMatch(/^127\.0\.0\.1:\d+ answered with a head larger than 16 KiB/);
      expect(performance.now() - started).toBeLessThan(2000);
    });

    test('refuses a token pasted into the URL before sending anything', async ({ servers, makeAgent }) => {
      const server = await servers.http((_request, response) => response.end('{}'));
      const error = await depotFailure(
        requestBounded({ url: `${server.origin}/api/download/models/1?token=abc123secret`, agent: makeAgent() }),
      );
      expect(error.code).toBe('BAD_INPUT');
      expect(error.message).not.toContain('abc123secret');
      expect(server.requests).toHaveLength(0);
    });

    test('refuses a header value a header cannot carry, without quoting it', async ({ servers, makeAgent }) => {
      const server = await servers.http((_request, response) => response.end('{}'));
      const error = await depotFailure(
        requestBounded({
          url: `${server.origin}/api/x`,
          agent: makeAgent(),
          headers: { Authorization: 'Bearer hf_abc\r\nX-Evil: 1' },
        }),
      );
      expect(error.code).toBe('BAD_INPUT');
      expect(error.message).not.toContain('hf_abc');
      expect(server.requests).toHaveLength(0);
    });

    test('never puts the path or query of the URL in a message', async ({ servers, makeAgent }) => {
      const server = await servers.raw(() => undefined);
      const error = await depotFailure(
        requestBounded({
          url: `${server.origin}/secret-path/file?X-Amz-Signature=deadbeef`,
          agent: makeAgent(),
          timeouts: { firstByteMs: 200 },
        }),
      );
      expect(error.message).not.toMatch(/secret-path|deadbeef/);
      expect(JSON.stringify(error.details)).not.toMatch(/secret-path|deadbeef/);
    });
  });

  describe('cancelling', () => {
    test('throws CANCELLED when the signal aborts while waiting', async ({ servers, makeAgent }) => {
      const server = await servers.raw(() => undefined);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const error = await depotFailure(
        requestBounded({ url: `${server.origin}/api/x`, agent: makeAgent(), signal: controller.signal }),
      );
      expect(error.code).toBe('CANCELLED');
      expect(error.message).toMatch(/^Cancelled while talking to 127\.0\.0\.1:\d+\.$/);
    });

    test('throws the reason as it is when it is a DepotError (a stall watch)', async ({ servers, makeAgent }) => {
      const server = await servers.raw((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{'));
      const controller = new AbortController();
      const reason = new DepotError('TIMEOUT', 'total timeout', { details: { phase: 'total' } });
      setTimeout(() => controller.abort(reason), 100);
      const error = await depotFailure(
        requestBounded({ url: `${server.origin}/api/x`, agent: makeAgent(), signal: controller.signal }),
      );
      expect(error).toBe(reason);
    });
  });
});
