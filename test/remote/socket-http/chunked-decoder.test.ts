import { describe, expect, it } from 'vitest';
import { ChunkedDecoder } from '../../../sidecar/remote/socket-http/chunked-decoder';
import { HttpProtocolError } from '../../../sidecar/remote/socket-http/http-protocol-error';

const ORIGIN = 'https://cdn-lfs.hf.co';
const MALFORMED = /^https:\/\/cdn-lfs\.hf\.co sent a malformed chunked body \((.+)\)\.$/;

/**
 * Extensions, upper- and lower-case hex, leading zeros, chunk data holding CRLF and a fake last chunk, bare LF line
 * ends and two trailers: every framing feature in one body.
 */
const BODY =
  '5;name=value\r\nhello\r\n' +
  'A\r\n0123456789\r\n' +
  '0007 ;q="a b";flag\r\n\r\n0\r\n\r\n\r\n' +
  'b\nline\nbreaks\n' +
  '0;last=1\r\nChecksum: abc\r\nExpires: never\n\r\n';
const BODY_DATA = 'hello0123456789\r\n0\r\n\r\nline\nbreaks';

interface Decoded {
  data: string;
  slices: Buffer[];
  done: boolean;
}

/** Feeds `pieces` to one decoder, in order, and collects what it hands out. */
function decode(pieces: readonly (string | Buffer)[]): Decoded {
  const decoder = new ChunkedDecoder(ORIGIN);
  const slices: Buffer[] = [];
  for (const piece of pieces)
    decoder.push(typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece, (data) => slices.push(data));
  return { data: Buffer.concat(slices).toString('latin1'), slices, done: decoder.done };
}

/** The error `pieces` make a fresh decoder throw; fails the test if it throws nothing. */
function refusalOf(pieces: readonly (string | Buffer)[]): HttpProtocolError {
  let caught: unknown;
  try {
    decode(pieces);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(HttpProtocolError);
  if (!(caught instanceof HttpProtocolError)) throw new Error('no HttpProtocolError was thrown');
  return caught;
}

/** What the message says was wrong, after checking it names the origin and has the fixed shape. */
function reasonOf(pieces: readonly (string | Buffer)[]): string {
  const error = refusalOf(pieces);
  expect(error.code).toBe('HTTP_PROTOCOL');
  expect(error.name).toBe('HttpProtocolError');
  const match = MALFORMED.exec(error.message);
  expect(match, error.message).not.toBeNull();
  return match?.[1] ?? '';
}

function bytesOf(text: string): string[] {
  return [...text];
}

describe('ChunkedDecoder', () => {
  describe('#push', () => {
    it('decodes a single chunk followed by the last chunk', () => {
      expect(decode(['5\r\nhello\r\n0\r\n\r\n'])).toMatchObject({ data: 'hello', done: true });
    });

    it('decodes many chunks and concatenates their data in order', () => {
      const sizes = [1, 2, 15, 16, 17, 255, 256, 4096, 70000];
      const chunks = sizes.map((size, index) => String.fromCharCode(97 + index).repeat(size));
      const encoded = `${chunks.map((chunk) => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('')}0\r\n\r\n`;
      expect(decode([encoded])).toMatchObject({ data: chunks.join(''), done: true });
    });

    it('decodes a body made only of the last chunk as empty', () => {
      expect(decode(['0\r\n\r\n'])).toEqual({ data: '', slices: [], done: true });
    });

    it('hands out the data as slices of the input, without copying', () => {
      const input = Buffer.from('3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
      const { slices } = decode([input]);
      expect(slices.map((slice) => slice.toString())).toEqual(['abc', 'de']);
      for (const slice of slices) expect(slice.buffer).toBe(input.buffer);
      expect(slices.map((slice) => slice.byteOffset - input.byteOffset)).toEqual([3, 11]);
    });

    it('passes every byte value through inside chunk data, including CR, LF and framing look-alikes', () => {
      const all = Buffer.from(Array.from({ length: 256 }, (_, byte) => byte));
      const encoded = Buffer.concat([Buffer.from('100\r\n'), all, Buffer.from('\r\n0\r\n\r\n')]);
      const slices: Buffer[] = [];
      const decoder = new ChunkedDecoder(ORIGIN);
      decoder.push(encoded, (data) => slices.push(data));
      expect(Buffer.concat(slices).equals(all)).toBe(true);
      expect(decoder.done).toBe(true);
    });

    it('hands out a chunk split across inputs as one slice per input', () => {
      const { slices, done } = decode(['a\r\n012', '3456', '789\r\n0\r\n\r\n']);
      expect(slices.map((slice) => slice.toString())).toEqual(['012', '3456', '789']);
      expect(done).toBe(true);
    });

    it('decodes the same data whatever the framing features of the body', () => {
      expect(decode([BODY])).toMatchObject({ data: BODY_DATA, done: true });
    });

    it('decodes the body fed one byte at a time, never handing out an empty slice', () => {
      const { data, slices, done } = decode(bytesOf(BODY));
      expect(data).toBe(BODY_DATA);
      expect(done).toBe(true);
      expect(slices.every((slice) => slice.length > 0)).toBe(true);
    });

    it('decodes the body cut in two at every possible point', () => {
      for (let cut = 0; cut <= BODY.length; cut++) {
        const decoded = decode([BODY.slice(0, cut), BODY.slice(cut)]);
        expect(decoded, `cut at ${cut}`).toMatchObject({ data: BODY_DATA, done: true });
      }
    });

    it('decodes the body cut in three at every pair of points', () => {
      for (let first = 0; first <= BODY.length; first++) {
        for (let second = first; second <= BODY.length; second++) {
          const decoded = decode([BODY.slice(0, first), BODY.slice(first, second), BODY.slice(second)]);
          if (decoded.data !== BODY_DATA || !decoded.done)
            expect.fail(`cuts at ${first} and ${second}: ${JSON.stringify(decoded.data)}`);
        }
      }
    });

    it('accepts an empty input at any point', () => {
      expect(decode(['', '5\r\nhe', '', 'llo\r\n0\r\n', '', '\r\n'])).toMatchObject({ data: 'hello', done: true });
    });

    describe('chunk size line', () => {
      it('ignores chunk extensions, with or without values, quoted or not', () => {
        const encoded =
          '5;name=value\r\nhello\r\n' +
          '1;a;b=2;c="x;y"\r\n!\r\n' +
          '2 ;spaced=1\r\nok\r\n' +
          '1\t;tab\r\n.\r\n' +
          '0;end=yes\r\n\r\n';
        expect(decode([encoded])).toMatchObject({ data: 'hello!ok.', done: true });
      });

      it('reads upper-case, lower-case and mixed-case hex sizes', () => {
        const chunks = ['A', 'f', 'Ff', '1a', 'B0'].map((size) => ({
          size,
          data: 'x'.repeat(Number.parseInt(size, 16)),
        }));
        const encoded = `${chunks.map(({ size, data }) => `${size}\r\n${data}\r\n`).join('')}0\r\n\r\n`;
        expect(decode([encoded]).data).toBe(chunks.map(({ data }) => data).join(''));
      });

      it('reads sizes with leading zeros', () => {
        expect(decode(['0005\r\nhello\r\n000\r\n\r\n'])).toMatchObject({ data: 'hello', done: true });
      });

      it('accepts the largest size that is still a safe integer and waits for its data', () => {
        const { data, done } = decode(['1fffffffffffff\r\nabc']);
        expect(data).toBe('abc');
        expect(done).toBe(false);
      });

      it('refuses a size past 2^53 - 1 instead of losing precision, and accepts leading zeros', () => {
        expect(decode(['0000000000000000003\r\nabc\r\n0\r\n\r\n'])).toMatchObject({ data: 'abc', done: true });
        for (const size of [
          '20000000000000',
          '20000000000001',
          'ffffffffffffffff',
          '10000000000000000',
          'f'.repeat(40),
        ]) {
          expect(reasonOf([`${size}\r\nhello\r\n0\r\n\r\n`]), size).toBe(
            `a chunk size of ${JSON.stringify(size.slice(0, 40))}`,
          );
        }
      });

      it('refuses a size line that is not hex digits, optional whitespace and extensions', () => {
        const invalid = ['', ' 5', 'g', '0x5', '-1', '+5', '5 x', '5,3', '1 2', '5=1', 'hello', '5\r', '\r5', ';ext'];
        for (const line of invalid) {
          expect(reasonOf([`${line}\r\nhello\r\n0\r\n\r\n`]), JSON.stringify(line)).toBe(
            `a chunk size of ${JSON.stringify(line.replace(/\r/g, '?'))}`,
          );
        }
      });

      it('refuses a chunk whose size line is missing, the data coming first', () => {
        expect(reasonOf(['hello\r\n0\r\n\r\n'])).toBe('a chunk size of "hello"');
      });

      it('quotes at most 40 characters of an invalid size line and escapes control characters', () => {
        expect(reasonOf([`${'z'.repeat(100)}\r\n`])).toBe(`a chunk size of "${'z'.repeat(40)}…"`);
        const reason = reasonOf(['\x1b[2J\x00zz\x7f\x9b\xff\r\n']);
        expect(reason).toBe('a chunk size of "?[2J?zz???"');
        expect(reason).not.toMatch(/[\x00-\x1f]/);
      });

      it('refuses a size line longer than 4 KiB as soon as it has read that much, without waiting for its end', () => {
        const decoder = new ChunkedDecoder(ORIGIN);
        let accepted = 0;
        const feed = () => {
          decoder.push(Buffer.from('1;'), () => undefined);
          for (;;) {
            decoder.push(Buffer.from('x'), () => undefined);
            accepted++;
          }
        };
        expect(feed).toThrow(HttpProtocolError);
        expect(accepted).toBeLessThanOrEqual(4096);
        expect(accepted).toBeGreaterThanOrEqual(4094);
      });

      it('refuses a long size line arriving in one input that holds no line end', () => {
        expect(reasonOf([`1;${'x'.repeat(1 << 20)}`])).toBe('a line longer than 4 KiB');
      });

      it('refuses a long size line arriving in one input that also holds its line end', () => {
        expect(reasonOf([`1;${'x'.repeat(5000)}\r\nx\r\n0\r\n\r\n`])).toBe('a line longer than 4 KiB');
      });

      it('accepts a size line with long extensions below the limit, across inputs', () => {
        const line = `5;${'x'.repeat(4000)}`;
        expect(decode([line.slice(0, 2000), line.slice(2000), '\r\nhello\r\n0\r\n\r\n'])).toMatchObject({
          data: 'hello',
          done: true,
        });
      });
    });

    describe('end of chunk data', () => {
      it('refuses data longer than the chunk size', () => {
        expect(reasonOf(['5\r\nhello!\r\n0\r\n\r\n'])).toBe('a chunk longer than its size');
      });

      it('refuses a next chunk size that follows the data without a line end', () => {
        expect(reasonOf(['5\r\nhello0\r\n\r\n'])).toBe('a chunk longer than its size');
      });

      it('refuses a CR after the data that is followed by anything but LF', () => {
        expect(reasonOf(['5\r\nhello\r', 'X\n0\r\n\r\n'])).toBe('a chunk longer than its size');
      });

      it('refuses a data line end that never comes, without buffering past 4 KiB', () => {
        expect(reasonOf(['5\r\nhello', 'x'.repeat(5000)])).toBe('a line longer than 4 KiB');
      });

      it('accepts CRLF and bare LF after the data, also when split between inputs', () => {
        expect(decode(['5\r\nhello\r', '\n2\r\nab\n', '0\r\n\r\n'])).toMatchObject({ data: 'helloab', done: true });
      });
    });

    describe('trailers', () => {
      it('drops trailer fields after the last chunk', () => {
        const encoded = '3\r\nabc\r\n0\r\nDigest: sha-256=xyz\r\nServer-Timing: total;dur=12\r\n\r\n';
        expect(decode([encoded])).toEqual({ data: 'abc', slices: [expect.any(Buffer)], done: true });
      });

      it('refuses a trailer line longer than 4 KiB', () => {
        expect(reasonOf([`0\r\nX-Long: ${'v'.repeat(5000)}`])).toBe('a line longer than 4 KiB');
      });
    });

    describe('line ends', () => {
      it('accepts bare LF as the end of every line', () => {
        expect(decode(['5\nhello\n3;x=1\nabc\n0\nTrailer: t\n\n'])).toMatchObject({ data: 'helloabc', done: true });
      });

      it('does not take a bare CR for a line end', () => {
        const { data, done } = decode(['5\rhello\r0\r\r']);
        expect(data).toBe('');
        expect(done).toBe(false);
      });
    });
  });

  describe('#done', () => {
    it('is false before any input', () => {
      expect(new ChunkedDecoder(ORIGIN).done).toBe(false);
    });

    it('becomes true only with the empty line after the last chunk and its trailers', () => {
      const decoder = new ChunkedDecoder(ORIGIN);
      const seen: boolean[] = [];
      for (const piece of ['5\r\nhello\r\n', '0', '\r', '\n', 'Trailer: x\r\n', '\r', '\n']) {
        decoder.push(Buffer.from(piece), () => undefined);
        seen.push(decoder.done);
      }
      expect(seen).toEqual([false, false, false, false, false, false, true]);
    });

    it('stays false while a byte-by-byte feed is short of the final line end', () => {
      const decoder = new ChunkedDecoder(ORIGIN);
      const pieces = bytesOf(BODY);
      pieces.forEach((piece, index) => {
        decoder.push(Buffer.from(piece, 'latin1'), () => undefined);
        expect(decoder.done, `after byte ${index}`).toBe(index === pieces.length - 1);
      });
    });

    it('stays false after a last chunk whose data would be zero bytes but whose empty line is missing', () => {
      expect(decode(['0\r\n']).done).toBe(false);
      expect(decode(['0\n']).done).toBe(false);
      expect(decode(['0\r\nTrailer: x\r\n']).done).toBe(false);
    });
  });

  describe('after the end', () => {
    it('refuses bytes that arrive in the same input as the end', () => {
      expect(reasonOf(['5\r\nhello\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n'])).toBe('bytes after the last chunk');
    });

    it('refuses bytes that arrive in a later input', () => {
      expect(reasonOf(['5\r\nhello\r\n0\r\n\r\n', 'x'])).toBe('bytes after the last chunk');
      expect(reasonOf(['0\n\n', '\r\n'])).toBe('bytes after the last chunk');
    });

    it('accepts an empty input after the end and stays done', () => {
      expect(decode(['0\r\n\r\n', ''])).toMatchObject({ data: '', done: true });
    });
  });

  describe('errors', () => {
    it('are HttpProtocolError with code HTTP_PROTOCOL and a message naming the origin', () => {
      const error = refusalOf(['nope\r\n']);
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ name: 'HttpProtocolError', code: 'HTTP_PROTOCOL' });
      expect(error.message).toBe('https://cdn-lfs.hf.co sent a malformed chunked body (a chunk size of "nope").');
    });

    it('name whichever origin the decoder was made for', () => {
      const decoder = new ChunkedDecoder('http://127.0.0.1:8080');
      expect(() => decoder.push(Buffer.from('x\r\n'), () => undefined)).toThrow(
        /^http:\/\/127\.0\.0\.1:8080 sent a malformed chunked body \(a chunk size of "x"\)\.$/,
      );
    });
  });
});
