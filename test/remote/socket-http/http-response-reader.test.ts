import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { Socket } from 'node:net';
import { describe, expect, vi } from 'vitest';
import { createBandwidthLimiter } from '../../../sidecar/remote/bandwidth-limiter';
import type { FetchResponse } from '../../../sidecar/remote/fetch-like';
import { HttpProtocolError } from '../../../sidecar/remote/socket-http/http-protocol-error';
import { HttpResponseReader, type ReadIntoOptions } from '../../../sidecar/remote/socket-http/http-response-reader';
import { pageAlignedMemory } from '../../../sidecar/remote/ring/page-aligned-memory';
import { RING_BYTES, RingFileWriter } from '../../../sidecar/remote/ring/ring-file-writer';
import { RingHasher } from '../../../sidecar/remote/ring/ring-hasher';
import type { RingTarget } from '../../../sidecar/remote/ring/ring-target';
import { createSocketFetch, socketFetch } from '../../../sidecar/remote/socket-http/socket-fetch';
import {
  makeSelfSignedCertificate,
  messageOf,
  rejection,
  test as serversTest,
  type SelfSignedCertificate,
} from '../fixtures/loopback-servers';

const MiB = 1024 * 1024;

/** A partial file with its ring and hasher, as openTransfer sets them up (through the page cache). */
interface RingSink {
  writer: RingFileWriter;
  /** Ends the writer once readInto settled; the file's bytes and the hasher's digest. */
  finish(): Promise<{ content: Buffer; sha256: string }>;
}

const test = serversTest.extend<{ certificate: SelfSignedCertificate; ringSink: () => Promise<RingSink> }>({
  certificate: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      await use(await makeSelfSignedCertificate());
    },
    { scope: 'file' },
  ],
  // eslint-disable-next-line no-empty-pattern
  ringSink: async ({}, use) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'md-reader-'));
    const cleanups: Array<() => Promise<void>> = [];
    await use(async () => {
      const file = path.join(dir, `${cleanups.length}.part`);
      const handle = await open(file, 'w+');
      const ring = pageAlignedMemory(RING_BYTES);
      const hasher = new RingHasher(ring);
      cleanups.push(async () => {
        await hasher.close();
        await handle.close();
      });
      const writer = new RingFileWriter({
        handle,
        direct: false,
        ring,
        hasher,
        startBytes: 0,
        name: 'x.bin',
        onWritten: () => undefined,
      });
      return {
        writer,
        async finish() {
          writer.end();
          await finished(writer);
          return { content: await readFile(file), sha256: await hasher.digest() };
        },
      };
    });
    for (const cleanup of cleanups) await cleanup();
    await rm(dir, { recursive: true, force: true });
  },
});

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

function readerOf(response: FetchResponse): HttpResponseReader {
  if (!(response.body instanceof HttpResponseReader))
    throw new Error('socketFetch answered without an HttpResponseReader');
  return response.body;
}

/** Fetches `url` and reads its body into a fresh ring sink; the file's bytes and sha256. */
async function readIntoFile(url: string, sink: RingSink, options?: ReadIntoOptions, fetch = socketFetch) {
  const response = await fetch(url);
  await readerOf(response).readInto(sink.writer, options);
  return sink.finish();
}

/** Pieces of awkward sizes, never a multiple of 4 KiB or of a ring slot. */
/** A pace that only counts the bytes it is asked to pay for. */
function countingPace(): { pace: (bytes: number) => undefined; paced: () => number } {
  let paced = 0;
  return {
    pace: (bytes) => {
      paced += bytes;
      return undefined;
    },
    paced: () => paced,
  };
}

function piecesOf(data: Buffer, sizes = [65_536, 1, 4095, 300_001, 2 * MiB + 7]): Buffer[] {
  const pieces: Buffer[] = [];
  for (let at = 0, turn = 0; at < data.length; turn++) {
    const size = sizes[turn % sizes.length];
    pieces.push(data.subarray(at, at + size));
    at += size;
  }
  return pieces;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A ring target of one small slot that is busy for a moment each time it fills: the reader must hold what arrives
 * meanwhile and deliver it in order.
 */
class SlowTarget implements RingTarget {
  readonly failure: Error | undefined = undefined;
  /** How many times a reader waited for the slot. */
  waits = 0;
  readonly #slot: Buffer;
  readonly #taken: Buffer[] = [];
  #fill = 0;
  #busy: Promise<void> | undefined;

  constructor(slotBytes: number) {
    this.#slot = Buffer.alloc(slotBytes);
  }

  freeRegion(max: number): Buffer | undefined {
    if (this.#busy) return undefined;
    return this.#slot.subarray(this.#fill, Math.min(this.#slot.length, this.#fill + max));
  }

  commit(length: number): void {
    this.#fill += length;
    if (this.#fill > this.#slot.length) throw new Error('committed past the slot');
    if (this.#fill === this.#slot.length) {
      this.#takeSlot();
      this.#busy = sleep(1).then(() => {
        this.#busy = undefined;
      });
    }
  }

  async whenFree(): Promise<void> {
    this.waits++;
    await this.#busy;
  }

  /** Everything committed, in order. */
  end(): Buffer {
    this.#takeSlot();
    return Buffer.concat(this.#taken);
  }

  #takeSlot(): void {
    this.#taken.push(Buffer.from(this.#slot.subarray(0, this.#fill)));
    this.#fill = 0;
  }
}

describe('HttpResponseReader', () => {
  describe('#readInto', () => {
    test('puts a 20 MiB Content-Length body in the file and the hash (several ring cycles)', async ({
      servers,
      ringSink,
    }) => {
      const data = randomBytes(20 * MiB + 4321);
      const server = await servers.http((_request, response) => {
        response.writeHead(200, { 'Content-Length': data.length });
        for (const piece of piecesOf(data)) response.write(piece);
        response.end();
      });
      const sink = await ringSink();
      const { content, sha256: digest } = await readIntoFile(`${server.origin}/big`, sink);
      expect(content.length).toBe(data.length);
      expect(sha256(content)).toBe(sha256(data));
      expect(digest).toBe(sha256(data));
      expect(sink.writer.received).toBe(data.length);
    });

    test('puts a chunked body with odd chunk sizes in the file and the hash', async ({ servers, ringSink }) => {
      const data = randomBytes(9 * MiB + 17);
      const server = await servers.http((_request, response) => {
        response.writeHead(200);
        for (const piece of piecesOf(data, [1, 4095, 65_537, 3, 1_000_003, 2 * MiB + 1, 7])) response.write(piece);
        response.end();
      });
      const { content, sha256: digest } = await readIntoFile(`${server.origin}/chunked`, await ringSink());
      expect(sha256(content)).toBe(sha256(data));
      expect(digest).toBe(sha256(data));
    });

    test('drops chunk extensions and trailers of a hand-written chunked body', async ({ servers, ringSink }) => {
      const server = await servers.raw((socket) => {
        socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhel');
        setTimeout(() => socket.write('lo\r\n1\r'), 5);
        setTimeout(() => socket.write('\n \r\n0\r\nX-Trailer: yes\r\n\r\n'), 10);
      });
      const { content, sha256: digest } = await readIntoFile(`${server.origin}/chunked`, await ringSink());
      expect(content.toString()).toBe('hello ');
      expect(digest).toBe(sha256(Buffer.from('hello ')));
      await server.connections[0].closed;
    });

    test('puts a body that ends when the server closes in the file and the hash', async ({ servers, ringSink }) => {
      const data = randomBytes(11 * MiB + 5);
      const server = await servers.raw((socket) => {
        socket.write('HTTP/1.1 200 OK\r\n\r\n');
        for (const piece of piecesOf(data)) socket.write(piece);
        socket.end();
      });
      const { content, sha256: digest } = await readIntoFile(`${server.origin}/close`, await ringSink());
      expect(sha256(content)).toBe(sha256(data));
      expect(digest).toBe(sha256(data));
    });

    test('reads a body that came in the same packet as the head', async ({ servers, ringSink }) => {
      const data = randomBytes(1000);
      const server = await servers.raw((socket) =>
        socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n`), data])),
      );
      const { content, sha256: digest } = await readIntoFile(`${server.origin}/one-packet`, await ringSink());
      expect(content.equals(data)).toBe(true);
      expect(digest).toBe(sha256(data));
      await server.connections[0].closed;
    });

    test('reads a close-delimited body that came with the head in one packet', async ({ servers, ringSink }) => {
      const data = randomBytes(3000);
      const server = await servers.raw((socket) =>
        socket.end(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n\r\n'), data])),
      );
      const { content } = await readIntoFile(`${server.origin}/one-packet`, await ringSink());
      expect(content.equals(data)).toBe(true);
    });

    test('reads a one-byte body and an empty one', async ({ servers, ringSink }) => {
      const server = await servers.raw((socket, head) => {
        socket.write(
          head.startsWith('GET /one ')
            ? 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx'
            : 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
        );
      });
      const one = await readIntoFile(`${server.origin}/one`, await ringSink());
      expect(one.content.toString()).toBe('x');
      expect(one.sha256).toBe(sha256(Buffer.from('x')));
      const empty = await readIntoFile(`${server.origin}/empty`, await ringSink());
      expect(empty.content.length).toBe(0);
      expect(empty.sha256).toBe(sha256(Buffer.alloc(0)));
    });

    test('reads a body over https into the ring', async ({ servers, ringSink, certificate }) => {
      const data = randomBytes(6 * MiB + 3);
      const server = await servers.https(certificate, (_request, response) => {
        response.writeHead(200, { 'Content-Length': data.length });
        for (const piece of piecesOf(data)) response.write(piece);
        response.end();
      });
      const fetch = createSocketFetch({ ca: certificate.cert });
      const { content, sha256: digest } = await readIntoFile(`${server.origin}/tls`, await ringSink(), {}, fetch);
      expect(sha256(content)).toBe(sha256(data));
      expect(digest).toBe(sha256(data));
    });

    test('paces the bytes of a Content-Length body', async ({ servers, ringSink }) => {
      const data = randomBytes(4 * MiB + 1);
      const server = await servers.http((_request, response) => {
        response.writeHead(200, { 'Content-Length': data.length });
        response.end(data);
      });
      const { pace, paced } = countingPace();
      const { content } = await readIntoFile(`${server.origin}/paced`, await ringSink(), { pace });
      expect(sha256(content)).toBe(sha256(data));
      expect(paced()).toBeGreaterThanOrEqual(data.length);
    });

    test('paces every byte of the body, also those that came with the head', async ({ servers, ringSink }) => {
      const data = randomBytes(1 * MiB);
      const server = await servers.raw((socket) =>
        socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n`), data])),
      );
      const { pace, paced } = countingPace();
      await readIntoFile(`${server.origin}/paced`, await ringSink(), { pace });
      expect(paced()).toBeGreaterThanOrEqual(data.length);
    });

    test('paces the bytes of a chunked body', async ({ servers, ringSink }) => {
      const data = randomBytes(2 * MiB + 1);
      const server = await servers.http((_request, response) => {
        response.writeHead(200);
        for (const piece of piecesOf(data, [10_000, 333])) response.write(piece);
        response.end();
      });
      const { pace, paced } = countingPace();
      const { content } = await readIntoFile(`${server.origin}/paced`, await ringSink(), { pace });
      expect(sha256(content)).toBe(sha256(data));
      expect(paced()).toBeGreaterThanOrEqual(data.length);
    });

    test('reads nothing more while a pace promise is pending', async ({ servers, ringSink }) => {
      const data = randomBytes(6 * MiB);
      const server = await servers.http((_request, response) => {
        response.writeHead(200, { 'Content-Length': data.length });
        response.end(data);
      });
      const sink = await ringSink();
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let calls = 0;
      let receivedAtHold = -1;
      const pace = () => {
        calls++;
        if (calls !== 2) return undefined;
        receivedAtHold = sink.writer.received;
        return held;
      };
      const response = await socketFetch(`${server.origin}/held`);
      const reading = readerOf(response).readInto(sink.writer, { pace, maxReadBytes: () => 64 * 1024 });
      await vi.waitFor(() => expect(receivedAtHold).toBeGreaterThan(0));
      await sleep(100);
      expect(sink.writer.received).toBe(receivedAtHold);
      expect(calls).toBe(2);
      expect(receivedAtHold).toBeLessThan(data.length);
      release();
      await reading;
      const { content } = await sink.finish();
      expect(sha256(content)).toBe(sha256(data));
    });

    test('reads nothing more while a pace promise is pending, over https', async ({
      servers,
      ringSink,
      certificate,
    }) => {
      const data = randomBytes(6 * MiB);
      const server = await servers.https(certificate, (_request, response) => {
        response.writeHead(200, { 'Content-Length': data.length });
        response.end(data);
      });
      const sink = await ringSink();
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let calls = 0;
      let paced = 0;
      let receivedAtHold = -1;
      const pace = (bytes: number) => {
        calls++;
        paced += bytes;
        // Held from the 4th read: the first body read is 4 KiB (its buffer is picked before readInto) and tls hands over
        // the rest of a record it already decrypted even while paused; those reads are paced too (asserted below).
        if (calls !== 4) return undefined;
        receivedAtHold = sink.writer.received;
        return held;
      };
      const response = await createSocketFetch({ ca: certificate.cert })(`${server.origin}/held`);
      const reading = readerOf(response).readInto(sink.writer, { pace, maxReadBytes: () => 64 * 1024 });
      await vi.waitFor(() => expect(receivedAtHold).toBeGreaterThan(0));
      await sleep(100);
      expect(sink.writer.received).toBe(receivedAtHold);
      release();
      await reading;
      const { content } = await sink.finish();
      expect(sha256(content)).toBe(sha256(data));
      expect(paced).toBeGreaterThanOrEqual(data.length);
    });

    test('reads no more than maxReadBytes at once after the first read', async ({ servers, ringSink }) => {
      const data = randomBytes(1 * MiB + 9);
      const server = await servers.http((_request, response) => {
        response.writeHead(200, { 'Content-Length': data.length });
        response.end(data);
      });
      const sizes: number[] = [];
      const pace = (bytes: number) => {
        sizes.push(bytes);
        return undefined;
      };
      const { content } = await readIntoFile(`${server.origin}/small-reads`, await ringSink(), {
        pace,
        maxReadBytes: () => 4096,
      });
      expect(sha256(content)).toBe(sha256(data));
      expect(Math.max(...sizes)).toBeLessThanOrEqual(4096);
    });

    test('never reads more than maxReadBytes at once', async ({ servers, ringSink }) => {
      const data = randomBytes(256 * 1024);
      const server = await servers.raw((socket) =>
        socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n`), data])),
      );
      const sizes: number[] = [];
      const pace = (bytes: number) => {
        sizes.push(bytes);
        return undefined;
      };
      await readIntoFile(`${server.origin}/small-reads`, await ringSink(), { pace, maxReadBytes: () => 4096 });
      expect(Math.max(...sizes)).toBeLessThanOrEqual(4096);
    });
  });

  describe('#readInto a target whose slots free up slowly', () => {
    for (const framing of ['content-length', 'chunked', 'close'] as const) {
      test(`keeps every byte of a ${framing} body in order while the target is busy`, async ({ servers }) => {
        const data = randomBytes(1 * MiB + 333);
        const server = await servers.raw((socket) => {
          if (framing === 'chunked') {
            socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
            for (const piece of piecesOf(data, [70_001, 5, 4096])) {
              socket.write(`${piece.length.toString(16)}\r\n`);
              socket.write(piece);
              socket.write('\r\n');
            }
            socket.end('0\r\n\r\n');
          } else {
            socket.write(
              framing === 'close'
                ? 'HTTP/1.1 200 OK\r\n\r\n'
                : `HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n`,
            );
            for (const piece of piecesOf(data, [70_001, 5, 4096])) socket.write(piece);
            socket.end();
          }
        });
        const target = new SlowTarget(10_007);
        const response = await socketFetch(`${server.origin}/slow`);
        await readerOf(response).readInto(target);
        const content = target.end();
        expect(content.length).toBe(data.length);
        expect(sha256(content)).toBe(sha256(data));
        expect(target.waits).toBeGreaterThan(10);
      });
    }
  });

  describe('#readInto with limitBytes', () => {
    /** Writes `chunk` until the socket goes away: a body that never ends. */
    const pump = (socket: Socket, chunk: Buffer): void => {
      const go = (): void => {
        while (!socket.destroyed && socket.write(chunk));
        if (!socket.destroyed) socket.once('drain', go);
      };
      socket.on('error', () => undefined);
      go();
    };

    test('stops an endless close-delimited body at the limit with SIZE_MISMATCH and drops the connection', async ({
      servers,
      ringSink,
    }) => {
      const server = await servers.raw((socket) => {
        socket.write('HTTP/1.1 200 OK\r\n\r\n');
        pump(socket, Buffer.alloc(64 * 1024, 1));
      });
      const response = await socketFetch(`${server.origin}/endless`);
      const sink = await ringSink();
      const error = await rejection(readerOf(response).readInto(sink.writer, { limitBytes: MiB }));
      expect(error).toMatchObject({ code: 'SIZE_MISMATCH', details: { overflow: true, limit: MiB } });
      expect(sink.writer.received).toBeLessThanOrEqual(MiB);
      await server.connections[0].closed;
      sink.writer.destroy();
      await sink.writer.settled();
    });

    test('stops an endless chunked body at the limit, whatever came with the head', async ({ servers, ringSink }) => {
      const server = await servers.http((_request, response) => {
        response.writeHead(200);
        const chunk = Buffer.alloc(10_000, 2);
        const go = (): void => {
          while (!response.destroyed && response.write(chunk));
          if (!response.destroyed) response.once('drain', go);
        };
        go();
      });
      const response = await socketFetch(`${server.origin}/endless`);
      const sink = await ringSink();
      const error = await rejection(readerOf(response).readInto(sink.writer, { limitBytes: 5000 }));
      expect(error).toMatchObject({ code: 'SIZE_MISMATCH', details: { overflow: true } });
      expect(sink.writer.received).toBeLessThanOrEqual(5000);
      sink.writer.destroy();
      await sink.writer.settled();
    });

    test('reads a body of exactly the limit as usual', async ({ servers, ringSink }) => {
      const data = randomBytes(3 * MiB + 11);
      const server = await servers.raw((socket) => {
        socket.write('HTTP/1.1 200 OK\r\n\r\n');
        socket.end(data);
      });
      const { content } = await readIntoFile(`${server.origin}/exact`, await ringSink(), { limitBytes: data.length });
      expect(content.equals(data)).toBe(true);
    });
  });

  describe('#readInto failures', () => {
    test('a Content-Length body cut short rejects with HttpProtocolError naming the origin, never the path or query', async ({
      servers,
      ringSink,
    }) => {
      const server = await servers.raw((socket) => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n');
        socket.end(randomBytes(3 * MiB));
      });
      const response = await socketFetch(`${server.origin}/private-repo/model.bin?X-Amz-Signature=sig123`);
      const sink = await ringSink();
      const error = await rejection(readerOf(response).readInto(sink.writer));
      expect(error).toBeInstanceOf(HttpProtocolError);
      expect(error).toMatchObject({ code: 'HTTP_PROTOCOL' });
      expect(messageOf(error)).toContain(server.origin);
      expect(messageOf(error)).not.toMatch(/private-repo|model\.bin|sig123/);
      sink.writer.destroy();
      await sink.writer.settled();
    });

    test('a chunked body cut short rejects with HttpProtocolError', async ({ servers, ringSink }) => {
      const server = await servers.raw((socket) =>
        socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n100\r\nabc'),
      );
      const response = await socketFetch(`${server.origin}/file?sig=sig123`);
      const sink = await ringSink();
      const error = await rejection(readerOf(response).readInto(sink.writer));
      expect(error).toMatchObject({ code: 'HTTP_PROTOCOL' });
      expect(messageOf(error)).not.toContain('sig123');
      sink.writer.destroy();
      await sink.writer.settled();
    });

    test('a malformed chunk rejects with HttpProtocolError', async ({ servers, ringSink }) => {
      const server = await servers.raw((socket) =>
        socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n'),
      );
      const response = await socketFetch(`${server.origin}/file`);
      const sink = await ringSink();
      await expect(readerOf(response).readInto(sink.writer)).rejects.toBeInstanceOf(HttpProtocolError);
      await server.connections[0].closed;
      sink.writer.destroy();
      await sink.writer.settled();
    });

    test.for([
      { when: 'during readInto', withPace: false },
      { when: 'while a pace promise is pending', withPace: true },
    ])(
      'an abort $when rejects with the signal reason and closes the connection',
      async ({ withPace }, { servers, ringSink }) => {
        const server = await servers.raw((socket) => {
          socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n');
          socket.write(randomBytes(1 * MiB));
        });
        const controller = new AbortController();
        const reason = new Error('cancelled by the test');
        const response = await socketFetch(`${server.origin}/file`, { signal: controller.signal });
        const sink = await ringSink();
        let pending = false;
        // A pace that never settles: only the abort can end the read.
        const pace = (): Promise<void> => {
          pending = true;
          return new Promise<void>(() => undefined);
        };
        const reading = readerOf(response).readInto(sink.writer, withPace ? { pace } : {});
        await vi.waitFor(() => expect(withPace ? pending : sink.writer.received > 0).toBe(true));
        controller.abort(reason);
        await expect(reading).rejects.toBe(reason);
        await server.connections[0].closed;
        sink.writer.destroy();
        await sink.writer.settled();
      },
    );

    test('a cancel under a bandwidth cap over https leaves no rejected pace behind (tls delivers while paused)', async ({
      servers,
      ringSink,
      certificate,
    }) => {
      const data = randomBytes(4 * MiB);
      // 1000-byte writes make 1000-byte tls records: many of them arrive per network read, and tls hands each over
      // even while the socket is paused for the cap.
      const server = await servers.https(certificate, (_request, response) => {
        response.writeHead(200, { 'Content-Length': data.length });
        let at = 0;
        const step = (): void => {
          if (at >= data.length || response.destroyed) return void response.end();
          response.write(data.subarray(at, at + 1000));
          at += 1000;
          setImmediate(step);
        };
        step();
      });
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        for (const cancelAfterMs of [15, 30, 45, 60, 75, 90, 105, 120, 135, 150, 165, 180]) {
          const limiter = createBandwidthLimiter({ kbps: 2000 });
          const controller = new AbortController();
          const reason = new Error('cancelled by the test');
          const response = await createSocketFetch({ ca: certificate.cert })(`${server.origin}/capped`, {
            signal: controller.signal,
          });
          const sink = await ringSink();
          const reading = readerOf(response).readInto(sink.writer, {
            pace: (bytes) => limiter.take(bytes, controller.signal),
            maxReadBytes: () => 16 * 1024,
          });
          setTimeout(() => controller.abort(reason), cancelAfterMs);
          await expect(reading).rejects.toBe(reason);
          sink.writer.destroy();
          await sink.writer.settled();
        }
        // Long enough for any forgotten promise's rejection to be reported.
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });

    test('rejects with the writer failure when the file cannot be written, and closes the connection', async ({
      servers,
    }) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'md-reader-'));
      const ring = pageAlignedMemory(RING_BYTES);
      const hasher = new RingHasher(ring);
      // Opened read-only: every write of a full slot fails.
      await (await open(path.join(dir, 'ro.part'), 'w')).close();
      const handle = await open(path.join(dir, 'ro.part'), 'r');
      try {
        const writer = new RingFileWriter({
          handle,
          direct: false,
          ring,
          hasher,
          startBytes: 0,
          name: 'ro.bin',
          onWritten: () => undefined,
        });
        const server = await servers.http((_request, response) => {
          response.writeHead(200, { 'Content-Length': 20 * MiB });
          response.end(Buffer.alloc(20 * MiB));
        });
        const response = await socketFetch(`${server.origin}/file`);
        const error = await rejection(readerOf(response).readInto(writer));
        expect(error).toMatchObject({ code: 'IO' });
        expect(error).toBe(writer.failure);
        writer.destroy();
        await writer.settled();
      } finally {
        await hasher.close();
        await handle.close();
        await rm(dir, { recursive: true, force: true });
      }
    });

    test('refuses a second reader of the same body', async ({ servers, ringSink }) => {
      const server = await servers.raw((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'));
      const response = await socketFetch(`${server.origin}/file`);
      const reader = readerOf(response);
      const sink = await ringSink();
      const first = reader.readInto(sink.writer);
      await expect(reader.readInto(sink.writer)).rejects.toThrow(/already being read/);
      await first;
      expect((await sink.finish()).content.toString()).toBe('hello');
    });
  });
});
