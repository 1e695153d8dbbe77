import { createHash, randomBytes } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { buffer } from 'node:stream/consumers';
import { TLSSocket } from 'node:tls';
import { describe, expect } from 'vitest';
import { downloadFile } from '../../../sidecar/remote/download/download-file';
import { bodyStream, discardBody, readSmallBody, type FetchResponse } from '../../../sidecar/remote/fetch-like';
import { HttpProtocolError } from '../../../sidecar/remote/socket-http/http-protocol-error';
import { createSocketFetch, socketFetch } from '../../../sidecar/remote/socket-http/socket-fetch';
import { test as downloadContextTest } from '../fixtures/download-test-context';
import {
  makeSelfSignedCertificate,
  serveLoopback,
  test as serversTest,
  type LoopbackServers,
  type SelfSignedCertificate,
  messageOf,
  rejection,
} from '../fixtures/loopback-servers';

const test = serversTest.extend<{ certificate: SelfSignedCertificate }>({
  certificate: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      await use(await makeSelfSignedCertificate());
    },
    { scope: 'file' },
  ],
});

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

async function readBody(response: FetchResponse): Promise<Buffer> {
  return buffer(bodyStream(response));
}

/** A raw answer: `text` is sent as it is and the server closes its side. */
function answerWith(text: string | Buffer): (socket: net.Socket) => void {
  return (socket) => socket.end(text);
}

/** A raw answer that is sent while the connection stays open: the client alone decides when the body is over. */
function answerOpen(text: string | Buffer): (socket: net.Socket) => void {
  return (socket) => socket.write(text);
}

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

describe('socketFetch', () => {
  describe('the request', () => {
    test('sends the method, path and query, Host with the port, Connection: close and the caller headers', async ({
      servers,
    }) => {
      const server = await servers.raw(answerWith('HTTP/1.1 204 No Content\r\n\r\n'));
      const response = await socketFetch(`${server.origin}/org/repo/resolve/main/a%20b.bin?download=true&x=1#part`, {
        headers: { Range: 'bytes=5-', 'If-Range': '"etag"', Host: 'evil.example', connection: 'keep-alive' },
      });
      expect(response.status).toBe(204);
      const lines = (await server.connections[0].head).split('\r\n');
      expect(lines[0]).toBe('GET /org/repo/resolve/main/a%20b.bin?download=true&x=1 HTTP/1.1');
      expect(lines.filter((line) => /^host:/i.test(line))).toEqual([`Host: ${new URL(server.origin).host}`]);
      expect(lines.filter((line) => /^connection:/i.test(line))).toEqual(['Connection: close']);
      expect(lines).toContain('Range: bytes=5-');
      expect(lines).toContain('If-Range: "etag"');
    });

    test('sends another method as given', async ({ servers }) => {
      const server = await servers.raw(answerWith('HTTP/1.1 204 No Content\r\n\r\n'));
      await socketFetch(`${server.origin}/x`, { method: 'DELETE' });
      expect((await server.connections[0].head).split('\r\n')[0]).toBe('DELETE /x HTTP/1.1');
    });

    test('sends / for a URL without a path', async ({ servers }) => {
      const server = await servers.raw(answerWith('HTTP/1.1 204 No Content\r\n\r\n'));
      await socketFetch(server.origin);
      expect((await server.connections[0].head).split('\r\n')[0]).toBe('GET / HTTP/1.1');
    });

    test('refuses a header value a header cannot carry (CR, LF, or past U+00FF) with BAD_INPUT, sending nothing', async ({
      servers,
    }) => {
      const server = await servers.raw(answerWith('HTTP/1.1 204 No Content\r\n\r\n'));
      const values = [
        'Bearer hf_secret\r\nX-Injected: yes',
        'Bearer hf_secret\nX-Injected: yes',
        'hf_secret\r',
        // latin1 keeps the low byte: U+010D U+010A would go out as CR LF.
        'Bearer hf_secret\u010d\u010aX-Injected: yes',
        'Bearer hf_secret\u2028',
      ];
      for (const value of values) {
        const error = await rejection(socketFetch(`${server.origin}/`, { headers: { Authorization: value } }));
        expect(error).toMatchObject({ code: 'BAD_INPUT' });
        expect(messageOf(error)).toContain('Authorization');
        expect(messageOf(error)).not.toContain('hf_secret');
        expect(messageOf(error)).not.toContain('Injected');
      }
      expect(server.connections).toEqual([]);
    });

    test('refuses a header name that is not a token, and a method that is not one', async ({ servers }) => {
      const server = await servers.raw(answerWith('HTTP/1.1 204 No Content\r\n\r\n'));
      await expect(socketFetch(`${server.origin}/`, { headers: { 'Bad Name': 'v' } })).rejects.toBeInstanceOf(
        TypeError,
      );
      await expect(socketFetch(`${server.origin}/`, { method: 'GET /other HTTP/1.1\r\n' })).rejects.toBeInstanceOf(
        TypeError,
      );
    });

    test('refuses URLs that are not http or https', async () => {
      for (const url of ['ftp://127.0.0.1/file', 'file:///etc/passwd', 'ws://127.0.0.1/x', 'data:text/plain,hi']) {
        await expect(socketFetch(url)).rejects.toBeInstanceOf(TypeError);
      }
    });
  });

  describe('the body read as a stream', () => {
    test('reads a Content-Length body, and headers.get ignores case', async ({ servers }) => {
      const data = randomBytes(300_000);
      const server = await servers.http((_request, response) => {
        response.writeHead(200, { 'Content-Length': data.length, 'X-Thing': 'Value' });
        response.end(data);
      });
      const response = await socketFetch(`${server.origin}/file`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-length')).toBe(String(data.length));
      expect(response.headers.get('CONTENT-LENGTH')).toBe(String(data.length));
      expect(response.headers.get('x-thing')).toBe('Value');
      expect(response.headers.get('x-missing')).toBeNull();
      expect(sha256(await readBody(response))).toBe(sha256(data));
    });

    test('reads a chunked body', async ({ servers }) => {
      const data = randomBytes(500_003);
      const server = await servers.http((_request, response) => {
        response.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        for (let at = 0, turn = 0; at < data.length; turn++) {
          const size = [1, 4095, 65_537, 3, 100_000][turn % 5];
          response.write(data.subarray(at, at + size));
          at += size;
        }
        response.end();
      });
      const response = await socketFetch(`${server.origin}/file`);
      expect(response.headers.get('transfer-encoding')).toBe('chunked');
      expect(sha256(await readBody(response))).toBe(sha256(data));
    });

    test('reads a body that ends when the server closes the connection', async ({ servers }) => {
      const data = randomBytes(200_000);
      const server = await servers.raw((socket) => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n');
        socket.write(data.subarray(0, 70_000));
        setTimeout(() => socket.end(data.subarray(70_000)), 10);
      });
      const response = await socketFetch(`${server.origin}/file`);
      expect(sha256(await readBody(response))).toBe(sha256(data));
    });

    test('keeps every byte of a large body for a consumer that reads slowly', async ({ servers }) => {
      const data = randomBytes(8 * 1024 * 1024 + 3);
      const server = await servers.http((_request, response) => {
        response.writeHead(200, { 'Content-Length': data.length });
        response.end(data);
      });
      const response = await socketFetch(`${server.origin}/file`);
      const chunks: Buffer[] = [];
      let turn = 0;
      for await (const chunk of bodyStream(response)) {
        const piece: unknown = chunk;
        if (!Buffer.isBuffer(piece)) throw new Error('the body stream yielded something else than a Buffer');
        chunks.push(piece);
        if (turn++ % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      expect(sha256(Buffer.concat(chunks))).toBe(sha256(data));
    });

    test('drops bytes the server sends past its Content-Length', async ({ servers }) => {
      const server = await servers.raw(answerOpen('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA BYTES'));
      const response = await socketFetch(`${server.origin}/file`);
      expect((await readBody(response)).toString()).toBe('hello');
      await server.connections[0].closed;
    });

    test('reads a small error body with readSmallBody', async ({ servers }) => {
      const server = await servers.http((_request, response) => {
        response.writeHead(404, { 'Content-Type': 'application/json' });
        response.end('{"error":"Entry not found"}');
      });
      const response = await socketFetch(`${server.origin}/missing`);
      expect(response.status).toBe(404);
      expect(await readSmallBody(response)).toBe('{"error":"Entry not found"}');
    });

    test('expects no body after HEAD, even with a Content-Length, and drops the connection', async ({ servers }) => {
      const server = await servers.raw(answerOpen('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nETag: "e"\r\n\r\n'));
      const response = await socketFetch(`${server.origin}/file`, { method: 'HEAD' });
      expect((await server.connections[0].head).split('\r\n')[0]).toBe('HEAD /file HTTP/1.1');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-length')).toBe('1000');
      expect(response.headers.get('etag')).toBe('"e"');
      expect((await readBody(response)).length).toBe(0);
      await server.connections[0].closed;
    });

    test('lets go of the caller signal once an answer without a body is in, even if nobody reads it', async ({
      servers,
    }) => {
      const server = await servers.raw(answerOpen('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'));
      const signal = new AbortController().signal;
      await socketFetch(`${server.origin}/file`, { method: 'HEAD', signal });
      expect(getEventListeners(signal, 'abort')).toEqual([]);
      await server.connections[0].closed;
    });

    test('expects no body after 204 and 304, even with a Content-Length', async ({ servers }) => {
      for (const status of ['204 No Content', '304 Not Modified']) {
        const server = await servers.raw(answerOpen(`HTTP/1.1 ${status}\r\nContent-Length: 1234\r\n\r\n`));
        const response = await socketFetch(`${server.origin}/file`);
        expect(response.status).toBe(Number(status.slice(0, 3)));
        expect((await readBody(response)).length).toBe(0);
        await server.connections[0].closed;
      }
    });

    test('reads an empty body with Content-Length: 0 while the connection stays open', async ({ servers }) => {
      const server = await servers.raw(answerOpen('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
      const response = await socketFetch(`${server.origin}/empty`);
      expect((await readBody(response)).length).toBe(0);
    });

    test('skips 100 Continue and 103 Early Hints sent in the same packet as the answer', async ({ servers }) => {
      const server = await servers.raw(
        answerWith(
          'HTTP/1.1 100 Continue\r\n\r\n' +
            'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n' +
            'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello',
        ),
      );
      const response = await socketFetch(`${server.origin}/file`);
      expect(response.status).toBe(200);
      expect(response.headers.get('link')).toBeNull();
      expect((await readBody(response)).toString()).toBe('hello');
    });

    test('skips 1xx heads that arrive in separate packets before the answer', async ({ servers }) => {
      const server = await servers.raw((socket) => {
        socket.write('HTTP/1.1 100 Continue\r\n\r\n');
        setTimeout(() => socket.write('HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n'), 5);
        setTimeout(() => socket.write('\r\nHTTP/1.1 200 OK\r\nContent-'), 10);
        setTimeout(() => socket.end('Length: 5\r\n\r\nhello'), 15);
      });
      const response = await socketFetch(`${server.origin}/file`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-length')).toBe('5');
      expect((await readBody(response)).toString()).toBe('hello');
    });

    test('joins a repeated header with ", " whatever the case of its name', async ({ servers }) => {
      const server = await servers.raw(
        answerWith('HTTP/1.1 200 OK\r\nX-Multi: a\r\nx-multi: b\r\nX-MULTI:c \r\nContent-Length: 0\r\n\r\n'),
      );
      const response = await socketFetch(`${server.origin}/`);
      expect(response.headers.get('X-Multi')).toBe('a, b, c');
      expect(response.headers.get('x-multi')).toBe('a, b, c');
    });
  });

  describe('failures', () => {
    test('rejects with an error when the connection is refused', async () => {
      const port = await closedPort();
      const error = await rejection(socketFetch(`http://127.0.0.1:${port}/file`));
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ code: 'ECONNREFUSED' });
    });

    test('rejects with HttpProtocolError when the server closes before answering', async ({ servers }) => {
      const server = await servers.raw((socket) => socket.end());
      const error = await rejection(socketFetch(`${server.origin}/file`));
      expect(error).toBeInstanceOf(HttpProtocolError);
      expect(messageOf(error)).toContain(server.origin);
    });

    test('a body cut short fails the stream with HttpProtocolError naming the origin, never the path or query', async ({
      servers,
    }) => {
      const server = await servers.raw(
        answerWith(
          Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n'), randomBytes(50_000)]),
        ),
      );
      const response = await socketFetch(`${server.origin}/secret-repo/file.bin?X-Amz-Signature=sig123`);
      const error = await rejection(readBody(response));
      expect(error).toBeInstanceOf(HttpProtocolError);
      expect(error).toMatchObject({ code: 'HTTP_PROTOCOL' });
      expect(messageOf(error)).toContain(server.origin);
      expect(messageOf(error)).not.toMatch(/secret-repo|sig123|file\.bin/);
    });

    test('a chunked body cut short fails the stream with HttpProtocolError', async ({ servers }) => {
      const server = await servers.raw(
        answerWith('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n10\r\nabc'),
      );
      const response = await socketFetch(`${server.origin}/file?token=sig123`);
      const error = await rejection(readBody(response));
      expect(error).toMatchObject({ code: 'HTTP_PROTOCOL' });
      expect(messageOf(error)).not.toContain('sig123');
    });

    test('rejects malformed heads with HttpProtocolError', async ({ servers }) => {
      const heads = [
        'HTPT/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
        'HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n',
        'HTTP/1.1 200 OK\r\nBad Header: x\r\nContent-Length: 0\r\n\r\n',
        'HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello',
        'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n',
      ];
      for (const head of heads) {
        const server = await servers.raw(answerOpen(head));
        const error = await rejection(socketFetch(`${server.origin}/file`));
        expect(error, head).toBeInstanceOf(HttpProtocolError);
        expect(error).toMatchObject({ code: 'HTTP_PROTOCOL' });
        await server.connections[0].closed;
      }
    });

    test('rejects a head over 64 KiB, finished or not, without waiting for the server', async ({ servers }) => {
      const padding = `X-Padding: ${'a'.repeat(70 * 1024)}\r\n`;
      for (const head of [`HTTP/1.1 200 OK\r\n${padding}Content-Length: 0\r\n\r\n`, `HTTP/1.1 200 OK\r\n${padding}`]) {
        const server = await servers.raw(answerOpen(head));
        const error = await rejection(socketFetch(`${server.origin}/file`));
        expect(error).toBeInstanceOf(HttpProtocolError);
        expect(messageOf(error)).toMatch(/64 KiB/);
        await server.connections[0].closed;
      }
    });

    test('rejects an unreadable Content-Length with HttpProtocolError', async ({ servers }) => {
      for (const value of ['12abc', '-5', '5, 6', '', '1e3', '9999999999999999']) {
        const server = await servers.raw(answerOpen(`HTTP/1.1 200 OK\r\nContent-Length: ${value}\r\n\r\nhello`));
        const error = await rejection(socketFetch(`${server.origin}/file`));
        expect(error, value).toBeInstanceOf(HttpProtocolError);
      }
    });

    test('accepts a repeated Content-Length with the same value', async ({ servers }) => {
      const server = await servers.raw(
        answerOpen('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello'),
      );
      const response = await socketFetch(`${server.origin}/file`);
      expect((await readBody(response)).toString()).toBe('hello');
    });

    test('rejects a transfer coding other than chunked with HttpProtocolError', async ({ servers }) => {
      for (const coding of ['gzip', 'gzip, chunked', 'identity']) {
        const server = await servers.raw(answerOpen(`HTTP/1.1 200 OK\r\nTransfer-Encoding: ${coding}\r\n\r\nxxxxx`));
        const error = await rejection(socketFetch(`${server.origin}/file`));
        expect(error, coding).toBeInstanceOf(HttpProtocolError);
        expect(messageOf(error)).toContain(coding);
      }
    });

    test('an abort before the head rejects with the signal reason and closes the connection', async ({ servers }) => {
      const server = await servers.raw(() => undefined);
      const controller = new AbortController();
      const reason = new Error('cancelled by the test');
      const fetching = socketFetch(`${server.origin}/file`, { signal: controller.signal });
      await expect.poll(() => server.connections.length).toBe(1);
      await server.connections[0].head;
      controller.abort(reason);
      await expect(fetching).rejects.toBe(reason);
      await server.connections[0].closed;
    });

    test('an already aborted signal rejects with its reason and connects nowhere', async ({ servers }) => {
      const server = await servers.raw(answerWith('HTTP/1.1 204 No Content\r\n\r\n'));
      const reason = new Error('cancelled before');
      await expect(socketFetch(`${server.origin}/file`, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      // A request made afterwards is the first connection the server sees.
      await socketFetch(`${server.origin}/next`);
      expect(server.connections).toHaveLength(1);
      expect((await server.connections[0].head).split('\r\n')[0]).toBe('GET /next HTTP/1.1');
    });

    test('an abort while the body streams fails the stream with the signal reason and closes the connection', async ({
      servers,
    }) => {
      const server = await servers.raw(
        answerOpen(
          Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n'), randomBytes(100_000)]),
        ),
      );
      const controller = new AbortController();
      const reason = new Error('cancelled by the test');
      const response = await socketFetch(`${server.origin}/file`, { signal: controller.signal });
      const stream = bodyStream(response);
      let received = 0;
      stream.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      const ended = new Promise<unknown>((resolve) => {
        stream.on('error', resolve);
        stream.on('end', () => resolve('ended'));
      });
      await expect.poll(() => received).toBeGreaterThan(0);
      controller.abort(reason);
      expect(await ended).toBe(reason);
      await server.connections[0].closed;
    });

    test('destroying the body (discardBody) closes the connection', async ({ servers }) => {
      const server = await servers.raw(
        answerOpen(
          Buffer.concat([
            Buffer.from('HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 1000000\r\n\r\n'),
            randomBytes(1000),
          ]),
        ),
      );
      const response = await socketFetch(`${server.origin}/file`);
      expect(response.status).toBe(302);
      discardBody(response);
      await server.connections[0].closed;
    });

    test('a body read to its end closes the connection the server keeps open', async ({ servers }) => {
      const server = await servers.raw(answerOpen('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'));
      const response = await socketFetch(`${server.origin}/file`);
      expect((await readBody(response)).toString()).toBe('hello');
      await server.connections[0].closed;
    });
  });

  describe('https', () => {
    test('fetches from localhost with the certificate passed as ca, sending the host name as SNI', async ({
      servers,
      certificate,
    }) => {
      const data = randomBytes(400_000);
      const server = await servers.https(certificate, (_request, response) => {
        response.writeHead(200, { 'Content-Length': data.length });
        response.end(data);
      });
      const fetch = createSocketFetch({ ca: certificate.cert });
      const response = await fetch(`${server.origin}/file?x=1`);
      expect(response.status).toBe(200);
      expect(sha256(await readBody(response))).toBe(sha256(data));
      const request = server.requests[0];
      expect(request.url).toBe('/file?x=1');
      expect(request.headers.host).toBe(new URL(server.origin).host);
      expect(request.socket instanceof TLSSocket ? request.socket.servername : 'not tls').toBe('localhost');
    });

    test('reads a chunked body over https', async ({ servers, certificate }) => {
      const data = randomBytes(300_001);
      const server = await servers.https(certificate, (_request, response) => {
        response.writeHead(200);
        for (let at = 0; at < data.length; at += 7_777) response.write(data.subarray(at, at + 7_777));
        response.end();
      });
      const response = await createSocketFetch({ ca: Buffer.from(certificate.cert) })(`${server.origin}/file`);
      expect(sha256(await readBody(response))).toBe(sha256(data));
    });

    test('rejects the self-signed certificate without ca (the default socketFetch)', async ({
      servers,
      certificate,
    }) => {
      const server = await servers.https(certificate, (_request, response) => response.end('never'));
      const error = await rejection(socketFetch(`${server.origin}/file`));
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
      expect(server.requests).toHaveLength(0);
    });

    test('fetches from 127.0.0.1 with ca, sending no SNI for an address', async ({ servers, certificate }) => {
      const server = await servers.https(certificate, (_request, response) => {
        response.writeHead(200, { 'Content-Length': 2 });
        response.end('ok');
      });
      const url = new URL(server.origin);
      url.hostname = '127.0.0.1';
      const response = await createSocketFetch({ ca: certificate.cert })(`${url.origin}/ip`);
      expect((await readBody(response)).toString()).toBe('ok');
      const socket = server.requests[0].socket;
      expect(socket instanceof TLSSocket ? socket.servername : 'not tls').toBe(false);
    });
  });
});

const downloadTest = downloadContextTest.extend<{ servers: LoopbackServers }>({ servers: serveLoopback });

describe('downloadFile with the default fetch (socketFetch)', () => {
  downloadTest('publishes a chunked 200 body with the right sha256', async ({ servers, policy, dirs }) => {
    const data = randomBytes(5 * 1024 * 1024 + 12_345);
    const server = await servers.http((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      for (let at = 0, turn = 0; at < data.length; turn++) {
        const size = [65_536, 1, 4095, 300_001, 1_000_003][turn % 5];
        response.write(data.subarray(at, at + size));
        at += size;
      }
      response.end();
    });
    const dest = dirs.dest('chunked.safetensors');
    const result = await downloadFile({
      url: `${server.origin}/files/chunked.safetensors`,
      dest,
      tmpDir: dirs.tmpDir,
      expectedSha256: sha256(data),
      hostPolicy: policy,
    });
    expect(result).toEqual({ sha256: sha256(data), size: data.length });
    expect(sha256(await readFile(dest))).toBe(sha256(data));
    expect(await dirs.partials()).toEqual([]);
    expect(server.requests[0].headers.connection).toBe('close');
  });
});
