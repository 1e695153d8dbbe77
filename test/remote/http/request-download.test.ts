import { createHash, randomBytes } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import type net from 'node:net';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { DepotError } from '../../../shared/errors';
import { requestDownload } from '../../../sidecar/remote/http/request-download';
import { pageAlignedMemory } from '../../../sidecar/remote/ring/page-aligned-memory';
import { RING_BYTES, RingFileWriter } from '../../../sidecar/remote/ring/ring-file-writer';
import { RingHasher } from '../../../sidecar/remote/ring/ring-hasher';
import { messageOf, rejection } from '../fixtures/loopback-servers';
import { test } from './fixtures/http-test-context';
import { MemoryRing } from './fixtures/memory-ring';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

async function depotFailure(promise: Promise<unknown>): Promise<DepotError> {
  const error = await rejection(promise);
  if (!(error instanceof DepotError)) throw new Error(`expected a DepotError, got ${messageOf(error)}`);
  return error;
}

/** Writes `piece` until the client goes away; counts what was written. */
function writeForever(socket: net.Socket, piece: string | Buffer, sent: { bytes: number } = { bytes: 0 }): void {
  const data = Buffer.from(piece);
  const pump = (): void => {
    while (!socket.destroyed && socket.write(data)) sent.bytes += data.length;
    if (!socket.destroyed) socket.once('drain', pump);
  };
  socket.on('error', () => undefined);
  pump();
}

/** A chunked body piece of `size` bytes of `fill`. */
function chunk(size: number, fill = 'x'): string {
  return `${size.toString(16)}\r\n${fill.repeat(size)}\r\n`;
}

describe('requestDownload', () => {
  describe('reading into a ring', () => {
    test.for([
      ['Content-Length', false],
      ['chunked', true],
    ] as const)('takes a %s body whole, byte for byte', async ([, chunked], { servers, makeAgent }) => {
      const body = randomBytes(3 * 1024 * 1024 + 17);
      const server = await servers.http((_request, response) => {
        if (!chunked) response.setHeader('content-length', body.length);
        for (let at = 0; at < body.length; at += 100_000) response.write(body.subarray(at, at + 100_000));
        response.end();
      });
      const answer = await requestDownload({ url: `${server.origin}/file.bin`, agent: makeAgent() });
      expect(answer.status).toBe(200);
      expect(answer.declaredBytes).toBe(chunked ? undefined : body.length);
      const ring = new MemoryRing();
      await expect(answer.readInto(ring)).resolves.toBe(body.length);
      expect(sha256(ring.bytes())).toBe(sha256(body));
    });

    test('takes a close-delimited body whole', async ({ servers, makeAgent }) => {
      const body = randomBytes(200_000);
      const server = await servers.raw((socket) => {
        socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n');
        socket.end(body);
      });
      const answer = await requestDownload({ url: `${server.origin}/file.bin`, agent: makeAgent() });
      const ring = new MemoryRing();
      await expect(answer.readInto(ring)).resolves.toBe(body.length);
      expect(ring.bytes().equals(body)).toBe(true);
    });

    test('waits for busy slots, with the connection paused, and loses nothing', async ({ servers, makeAgent }) => {
      const body = randomBytes(2 * 1024 * 1024);
      const server = await servers.http((_request, response) => response.end(body));
      const answer = await requestDownload({ url: `${server.origin}/file.bin`, agent: makeAgent() });
      const ring = new MemoryRing({ slotBytes: 128 * 1024, slots: 2, writeMs: 5 });
      await answer.readInto(ring);
      expect(ring.busyHits).toBeGreaterThan(0);
      expect(ring.bytes().equals(body)).toBe(true);
    });

    test('pays every byte to the pace, and holds the connection while a pace is pending', async ({
      servers,
      makeAgent,
    }) => {
      const body = randomBytes(1024 * 1024);
      const server = await servers.http((_request, response) => response.end(body));
      const answer = await requestDownload({ url: `${server.origin}/file.bin`, agent: makeAgent() });
      let paid = 0;
      let pending = 0;
      let overlapping = 0;
      const ring = new MemoryRing();
      await answer.readInto(ring, {
        pace: (bytes) => {
          paid += bytes;
          if (pending > 0) overlapping++;
          pending++;
          return new Promise<void>((resolve) => setTimeout(resolve, 1)).then(() => void pending--);
        },
      });
      expect(paid).toBe(body.length);
      expect(overlapping).toBe(0);
      expect(ring.bytes().equals(body)).toBe(true);
    });

    test('reads a 206 straight after its head, sized by Content-Range', async ({ servers, makeAgent }) => {
      const file = randomBytes(10_000);
      const server = await servers.http((request, response) => {
        const start = Number(/bytes=(\d+)-/.exec(request.headers.range ?? '')?.[1] ?? 0);
        response.writeHead(206, {
          'content-range': `bytes ${start}-${file.length - 1}/${file.length}`,
          'content-length': file.length - start,
        });
        response.end(file.subarray(start));
      });
      const answer = await requestDownload({
        url: `${server.origin}/f`,
        agent: makeAgent(),
        headers: { Range: 'bytes=4000-' },
      });
      expect(answer.status).toBe(206);
      expect(answer.declaredBytes).toBe(6000);
      const ring = new MemoryRing();
      await answer.readInto(ring, { expectedBytes: 6000 });
      expect(ring.bytes().equals(file.subarray(4000))).toBe(true);
    });

    test('settles a HEAD with no body at once', async ({ servers, makeAgent }) => {
      const server = await servers.http((_request, response) => {
        response.setHeader('content-length', 123456);
        response.end();
      });
      const answer = await requestDownload({ url: `${server.origin}/f`, method: 'HEAD', agent: makeAgent() });
      expect(answer.declaredBytes).toBe(0);
      expect(answer.headers.get('content-length')).toBe('123456');
      await expect(answer.readInto(new MemoryRing())).resolves.toBe(0);
    });

    test('reads into the real RingFileWriter: the file and its hash match the body', async ({
      servers,
      makeAgent,
      tmp,
    }) => {
      const body = randomBytes(20 * 1024 * 1024 + 4321);
      const server = await servers.http((_request, response) => {
        response.setHeader('transfer-encoding', 'chunked');
        for (let at = 0; at < body.length; at += 1_000_000) response.write(body.subarray(at, at + 1_000_000));
        response.end();
      });
      const ring = pageAlignedMemory(RING_BYTES);
      const hasher = new RingHasher(ring);
      const file = path.join(tmp, 'model.part');
      const handle = await open(file, 'w+');
      const received: number[] = [];
      try {
        const writer = new RingFileWriter({
          handle,
          direct: false,
          ring,
          hasher,
          startBytes: 0,
          name: 'model.bin',
          onWritten: () => undefined,
          onReceived: (bytes) => received.push(bytes),
        });
        const answer = await requestDownload({ url: `${server.origin}/model.bin`, agent: makeAgent() });
        await answer.readInto(writer, { expectedBytes: body.length });
        writer.end();
        await writer.settled();
        expect(writer.bytes).toBe(body.length);
        expect(await hasher.digest()).toBe(sha256(body));
      } finally {
        await hasher.close();
        await handle.close();
      }
      expect(sha256(await readFile(file))).toBe(sha256(body));
      expect(received.at(-1)).toBe(body.length);
    });
  });

  describe('never past the expected size', () => {
    test.for([
      ['chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', chunk(0x4000)],
      ['close-delimited', 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n', 'x'.repeat(0x4000)],
    ] as const)(
      'stops an endless %s body at the expected size with an error',
      async ([, head, piece], { servers, makeAgent }) => {
        const sent = { bytes: 0 };
        const server = await servers.raw((socket) => {
          socket.write(head);
          writeForever(socket, piece, sent);
        });
        const expected = 1_000_001;
        const answer = await requestDownload({ url: `${server.origin}/f`, agent: makeAgent() });
        const ring = new MemoryRing();
        const started = performance.now();
        const error = await depotFailure(answer.readInto(ring, { expectedBytes: expected }));
        expect(error.code).toBe('SIZE_MISMATCH');
        // The mark downloadFile looks for to drop what such a host sent, as for socketFetch's bodies.
        expect(error.details).toMatchObject({ overflow: true });
        expect(error.message).toMatch(
          /^127\.0\.0\.1:\d+ kept sending past the 1000001 bytes this answer was to have; the download took exactly those and dropped the connection\.$/,
        );
        expect(ring.committed).toBe(expected);
        expect(ring.bytes().equals(Buffer.alloc(expected, 'x'))).toBe(true);
        expect(performance.now() - started).toBeLessThan(3000);
        expect(sent.bytes).toBeLessThan(64 * 1024 * 1024);
      },
    );

    test('stops a 206 that sends more than its Content-Range, whatever its framing', async ({ servers, makeAgent }) => {
      const server = await servers.raw((socket) => {
        socket.write(
          'HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 100-199/1000\r\nTransfer-Encoding: chunked\r\n\r\n',
        );
        writeForever(socket, chunk(64));
      });
      const answer = await requestDownload({ url: `${server.origin}/f`, agent: makeAgent() });
      expect(answer.declaredBytes).toBe(100);
      const ring = new MemoryRing();
      const error = await depotFailure(answer.readInto(ring));
      expect(error.code).toBe('SIZE_MISMATCH');
      expect(ring.committed).toBe(100);
    });

    test('takes no more than expected from a longer Content-Length body', async ({ servers, makeAgent }) => {
      const server = await servers.http((_request, response) => {
        response.setHeader('content-length', 500_000);
        response.end(Buffer.alloc(500_000, 7));
      });
      const answer = await requestDownload({ url: `${server.origin}/f`, agent: makeAgent() });
      const ring = new MemoryRing();
      const error = await depotFailure(answer.readInto(ring, { expectedBytes: 300_000 }));
      expect(error.code).toBe('SIZE_MISMATCH');
      expect(ring.committed).toBe(300_000);
    });

    test('fails a body that ends before the expected size, so the download resumes', async ({ servers, makeAgent }) => {
      const server = await servers.http((_request, response) => response.end(Buffer.alloc(1000)));
      const answer = await requestDownload({ url: `${server.origin}/f`, agent: makeAgent() });
      const error = await depotFailure(answer.readInto(new MemoryRing(), { expectedBytes: 5000 }));
      expect(error.code).toBe('NETWORK');
      expect(error.message).toMatch(/^127\.0\.0\.1:\d+ ended the body after 1000 of 5000 bytes; try again\.$/);
    });

    test('fails a body cut short of its Content-Length', async ({ servers, makeAgent }) => {
      const server = await servers.raw((socket) =>
        socket.end(`HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(5000)}`),
      );
      const answer = await requestDownload({ url: `${server.origin}/f`, agent: makeAgent() });
      const ring = new MemoryRing();
      const error = await depotFailure(answer.readInto(ring));
      expect(error.code).toBe('NETWORK');
      expect(ring.committed).toBe(5000);
    });
  });

  describe('heads', () => {
    test('skips a few informational heads before the answer', async ({ servers, makeAgent }) => {
      const server = await servers.raw((socket) =>
        socket.end(
          'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
        ),
      );
      const answer = await requestDownload({ url: `${server.origin}/f`, agent: makeAgent() });
      expect(answer.status).toBe(200);
      await expect(answer.readText()).resolves.toBe('ok');
    });

    test('fails fast on a flood of informational heads', async ({ servers, makeAgent }) => {
      const server = await servers.raw((socket) => writeForever(socket, 'HTTP/1.1 102 Processing\r\n\r\n'));
      const started = performance.now();
      const error = await depotFailure(
        requestDownload({ url: `${server.origin}/f`, agent: makeAgent({ headersTimeoutMs: 10_000 }) }),
      );
      expect(error.code).toBe('HTTP_ERROR');
      expect(performance.now() - started).toBeLessThan(2000);
    });

    test('fails fast on an endless head', async ({ servers, makeAgent }) => {
      const server = await servers.raw((socket) => {
        socket.write('HTTP/1.1 200 OK\r\n');
        writeForever(socket, 'X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n');
      });
      const started = performance.now();
      const error = await depotFailure(
        requestDownload({ url: `${server.origin}/f`, agent: makeAgent({ headersTimeoutMs: 10_000 }) }),
      );
      expect(error.code).toBe('HTTP_ERROR');
      expect(error.message).toContain('head larger than 16 KiB');
      expect(performance.now() - started).toBeLessThan(2000);
    });

    test('names the first-byte phase when no head comes, and the idle phase when the body stalls', async ({
      servers,
      makeAgent,
    }) => {
      const silent = await servers.raw(() => undefined);
      const stalling = await servers.raw((socket) =>
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc'),
      );
      const agent = makeAgent();
      const timeouts = { firstByteMs: 200, idleMs: 250 };
      const first = await depotFailure(requestDownload({ url: `${silent.origin}/f`, agent, timeouts }));
      expect(first.details).toMatchObject({ phase: 'first-byte', ms: 200 });
      const answer = await requestDownload({ url: `${stalling.origin}/f`, agent, timeouts });
      const ring = new MemoryRing();
      const idle = await depotFailure(answer.readInto(ring));
      expect(idle.code).toBe('TIMEOUT');
      expect(idle.details).toMatchObject({ phase: 'idle', ms: 250 });
      expect(ring.committed).toBe(3);
    });

    test('does not count the wait before the body is read as idle', async ({ servers, makeAgent }) => {
      const server = await servers.http((_request, response) => response.end(Buffer.alloc(100_000, 1)));
      const answer = await requestDownload({
        url: `${server.origin}/f`,
        agent: makeAgent(),
        timeouts: { idleMs: 100 },
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const ring = new MemoryRing();
      await expect(answer.readInto(ring)).resolves.toBe(100_000);
    });
  });

  describe('bodies nobody reads into a ring', () => {
    test('reads an error answer as text, up to a limit', async ({ servers, makeAgent }) => {
      const server = await servers.http((_request, response) => {
        response.writeHead(403, { 'x-error-code': 'GatedRepo' });
        response.end(JSON.stringify({ error: 'Access to model org/gated is restricted.' }) + ' '.repeat(100_000));
      });
      const answer = await requestDownload({ url: `${server.origin}/f`, agent: makeAgent() });
      expect(answer.status).toBe(403);
      const text = await answer.readText(1000);
      expect(text).toHaveLength(1000);
      expect(text).toMatch(/^\{"error":"Access to model org\/gated is restricted\."\}/);
    });

    test('skips a short redirect body and keeps the connection for the next hop', async ({ servers, makeAgent }) => {
      const server = await servers.http((request, response) => {
        if (request.url === '/resolve') {
          response.writeHead(302, { location: '/file', 'content-length': 20 });
          response.end('x'.repeat(20));
        } else {
          response.end('the file');
        }
      });
      const agent = makeAgent();
      const redirect = await requestDownload({ url: `${server.origin}/resolve`, agent });
      expect(redirect.status).toBe(302);
      redirect.discard();
      await new Promise((resolve) => setImmediate(resolve));
      const answer = await requestDownload({ url: `${server.origin}/file`, agent });
      await expect(answer.readText()).resolves.toBe('the file');
      expect(new Set(server.requests.map((request) => request.socket)).size).toBe(1);
    });

    test('cuts a long unwanted body instead of reading it', async ({ servers, makeAgent }) => {
      const sent = { bytes: 0 };
      const server = await servers.raw((socket) => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n');
        writeForever(socket, Buffer.alloc(65536), sent);
      });
      const answer = await requestDownload({ url: `${server.origin}/f`, agent: makeAgent() });
      answer.discard();
      await server.connections[0].closed;
      expect(sent.bytes).toBeLessThan(64 * 1024 * 1024);
      await expect(answer.readInto(new MemoryRing())).rejects.toThrow(DepotError);
    });
  });

  describe('cancelling', () => {
    test('throws CANCELLED mid-body and drops the connection', async ({ servers, makeAgent }) => {
      const server = await servers.raw((socket) => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n');
        writeForever(socket, Buffer.alloc(65536));
      });
      const controller = new AbortController();
      const answer = await requestDownload({
        url: `${server.origin}/f`,
        agent: makeAgent(),
        signal: controller.signal,
      });
      const ring = new MemoryRing();
      const reading = answer.readInto(ring);
      setTimeout(() => controller.abort(), 50);
      const error = await depotFailure(reading);
      expect(error.code).toBe('CANCELLED');
      await server.connections[0].closed;
      const committed = ring.committed;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(ring.committed).toBe(committed);
    });

    test("fails with the stall watch's own error when that is the reason", async ({ servers, makeAgent }) => {
      const server = await servers.raw(() => undefined);
      const reason = new DepotError('TIMEOUT', 'stalled', { details: { phase: 'response' } });
      const error = await depotFailure(
        requestDownload({ url: `${server.origin}/f`, agent: makeAgent(), signal: AbortSignal.abort(reason) }),
      );
      expect(error).toBe(reason);
    });

    test("fails with the writer's failure when the ring fails", async ({ servers, makeAgent }) => {
      const server = await servers.http((_request, response) => response.end(Buffer.alloc(4 * 1024 * 1024)));
      const answer = await requestDownload({ url: `${server.origin}/f`, agent: makeAgent() });
      const ring = new MemoryRing({ slotBytes: 64 * 1024, slots: 2, writeMs: 20 });
      const failure = new DepotError('DISK_FULL', 'the disk filled up');
      setTimeout(() => ring.fail(failure), 5);
      const error = await depotFailure(answer.readInto(ring));
      expect(error).toBe(failure);
    });
  });
});
