import { describe, expect, it } from 'vitest';
import { HttpProtocolError } from '../../../sidecar/remote/socket-http/http-protocol-error';
import { parseResponseHead } from '../../../sidecar/remote/socket-http/parse-response-head';

const ORIGIN = 'https://cdn-lfs.hf.co';
const NOT_HTTP = /^https:\/\/cdn-lfs\.hf\.co sent an answer that is not HTTP\/1\.1 \((".*")\)\.$/;
const UNREADABLE = /^https:\/\/cdn-lfs\.hf\.co sent an unreadable header line \((".*")\)\.$/;

/** A head made of `lines`, joined as the reader hands it over: CRLF between lines, no blank line at the end. */
function head(...lines: string[]): string {
  return lines.join('\r\n');
}

function headersOf(...headerLines: string[]): Record<string, string> {
  return Object.fromEntries(parseResponseHead(head('HTTP/1.1 200 OK', ...headerLines), ORIGIN).headers);
}

/** The error parsing `text` throws; fails the test if it throws nothing. */
function refusalOf(text: string, origin = ORIGIN): HttpProtocolError {
  let caught: unknown;
  try {
    parseResponseHead(text, origin);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(HttpProtocolError);
  if (!(caught instanceof HttpProtocolError)) throw new Error('no HttpProtocolError was thrown');
  return caught;
}

/** The quoted excerpt in the message of a refused status line. */
function quotedStatusLine(text: string): string {
  const { message } = refusalOf(text);
  const match = NOT_HTTP.exec(message);
  expect(match, message).not.toBeNull();
  return match?.[1] ?? '';
}

/** The quoted excerpt in the message of a refused header line. */
function quotedHeaderLine(line: string): string {
  const { message } = refusalOf(head('HTTP/1.1 200 OK', 'Content-Length: 5', line));
  const match = UNREADABLE.exec(message);
  expect(match, message).not.toBeNull();
  return match?.[1] ?? '';
}

describe('parseResponseHead', () => {
  describe('status line', () => {
    it('reads the status of an HTTP/1.1 status line with a reason phrase', () => {
      const parsed = parseResponseHead('HTTP/1.1 200 OK', ORIGIN);
      expect(parsed.status).toBe(200);
      expect(parsed.headers).toEqual(new Map());
    });

    it('reads an HTTP/1.0 status line', () => {
      expect(parseResponseHead('HTTP/1.0 404 Not Found', ORIGIN).status).toBe(404);
    });

    it('reads a status line without a reason phrase, with or without the space before it', () => {
      expect(parseResponseHead('HTTP/1.1 204', ORIGIN).status).toBe(204);
      expect(parseResponseHead('HTTP/1.1 204 ', ORIGIN).status).toBe(204);
    });

    it('reads a reason phrase holding spaces, tabs, digits and non-ASCII bytes', () => {
      expect(parseResponseHead('HTTP/1.1 503 Service Temporarily  Unavailable', ORIGIN).status).toBe(503);
      expect(parseResponseHead('HTTP/1.1 429 Too\tMany 2 Requests', ORIGIN).status).toBe(429);
      expect(parseResponseHead('HTTP/1.1 200 Gr\xfc\xdf Gott', ORIGIN).status).toBe(200);
    });

    it('reads informational, redirect and error statuses as numbers', () => {
      const statuses = ['100', '101', '103', '206', '302', '308', '416', '500', '599', '999'];
      expect(statuses.map((status) => parseResponseHead(`HTTP/1.1 ${status} X`, ORIGIN).status)).toEqual(
        statuses.map(Number),
      );
    });

    it('refuses a status line that is not HTTP/1.0 or HTTP/1.1 with a three-digit status', () => {
      const invalid = [
        '',
        'HTTP/2 200',
        'HTTP/2.0 200 OK',
        'HTTP/1.2 200 OK',
        'HTTP/1 200 OK',
        'HTTP/1.1',
        'HTTP/1.1 ',
        'http/1.1 200 OK',
        'Http/1.1 200 OK',
        'HTTP/1.1 20 OK',
        'HTTP/1.1 2000 OK',
        'HTTP/1.1 20x OK',
        'HTTP/1.1 -20 OK',
        'HTTP/1.1 200OK',
        'HTTP/1.1  200 OK',
        'HTTP/1.1\t200 OK',
        'HTTP/1.1 200\tOK',
        ' HTTP/1.1 200 OK',
        'HTTP /1.1 200 OK',
        'ICY 200 OK',
        'SSH-2.0-OpenSSH_9.6',
        '<!DOCTYPE html>',
      ];
      for (const line of invalid) {
        expect(quotedStatusLine(head(line, 'Content-Length: 0')), JSON.stringify(line)).toBe(
          JSON.stringify(line.replace(/\t/g, '?')),
        );
      }
    });

    it('refuses a head whose lines end in a bare LF', () => {
      expect(quotedStatusLine('HTTP/1.1 200 OK\nContent-Length: 5')).toBe('"HTTP/1.1 200 OK?Content-Length: 5"');
    });

    it('refuses a status line holding a bare CR', () => {
      expect(quotedStatusLine('HTTP/1.1 200 OK\r')).toBe('"HTTP/1.1 200 OK?"');
      expect(quotedStatusLine('HTTP/1.1 200 O\rK\r\nA: b')).toBe('"HTTP/1.1 200 O?K"');
    });
  });

  describe('header lines', () => {
    it('keys headers by their lower-case name', () => {
      expect(
        headersOf('Content-Length: 5', 'CONTENT-TYPE: application/octet-stream', 'eTaG: "abc"', 'x-lower: y'),
      ).toEqual({
        'content-length': '5',
        'content-type': 'application/octet-stream',
        etag: '"abc"',
        'x-lower': 'y',
      });
    });

    it('accepts every token character in a name', () => {
      expect(headersOf("X-a_b.c!#$%&'*+^`|~09: v")).toEqual({ "x-a_b.c!#$%&'*+^`|~09": 'v' });
    });

    it('joins the values of a repeated header with ", " in the order they came, whatever their case', () => {
      expect(headersOf('Vary: Accept', 'Content-Length: 5', 'vary: Origin', 'VARY: Range')).toEqual({
        vary: 'Accept, Origin, Range',
        'content-length': '5',
      });
    });

    it('joins repeated Set-Cookie and empty values like the rest, as fetch does', () => {
      expect(headersOf('Set-Cookie: a=1', 'Set-Cookie: b=2')).toEqual({ 'set-cookie': 'a=1, b=2' });
      expect(headersOf('X-E:', 'X-E: v', 'X-E:')).toEqual({ 'x-e': ', v, ' });
    });

    it('trims spaces and tabs around a value but keeps those inside it', () => {
      expect(headersOf('A:   spaced   ', 'B:\tv\t', 'C:v', 'D: a  b\tc', 'E: \t mixed \t ')).toEqual({
        a: 'spaced',
        b: 'v',
        c: 'v',
        d: 'a  b\tc',
        e: 'mixed',
      });
    });

    it('reads an empty value, with or without whitespace, as an empty string', () => {
      expect(headersOf('X-Empty:', 'X-Blank:   ', 'X-Tab:\t')).toEqual({ 'x-empty': '', 'x-blank': '', 'x-tab': '' });
    });

    it('keeps everything after the first colon, including more colons', () => {
      expect(headersOf('Location: https://cdn.example:8443/a?b=c:d', 'X: : :')).toEqual({
        location: 'https://cdn.example:8443/a?b=c:d',
        x: ': :',
      });
    });

    it('keeps non-ASCII bytes in a value as latin1 characters', () => {
      expect(headersOf('Content-Disposition: attachment; filename="caf\xc3\xa9.safetensors"')).toEqual({
        'content-disposition': 'attachment; filename="caf\xc3\xa9.safetensors"',
      });
    });

    it('returns no entry for a header that was not sent', () => {
      expect(
        parseResponseHead(head('HTTP/1.1 200 OK', 'Content-Length: 5'), ORIGIN).headers.get('transfer-encoding'),
      ).toBeUndefined();
    });

    it('refuses a folded line that starts with a space or a tab (obs-fold)', () => {
      expect(quotedHeaderLine(' continued')).toBe('" continued"');
      expect(quotedHeaderLine('\tcontinued')).toBe('"?continued"');
      expect(quotedHeaderLine(' X-Indented: v')).toBe('" X-Indented: v"');
      expect(quotedHeaderLine('\tX-Indented: v')).toBe('"?X-Indented: v"');
    });

    it('refuses whitespace between the name and the colon', () => {
      expect(quotedHeaderLine('Content-Length : 5')).toBe('"Content-Length : 5"');
      expect(quotedHeaderLine('Transfer-Encoding\t: chunked')).toBe('"Transfer-Encoding?: chunked"');
    });

    it('refuses a line without a colon', () => {
      expect(quotedHeaderLine('garbage')).toBe('"garbage"');
      expect(quotedHeaderLine('Content-Length 5')).toBe('"Content-Length 5"');
    });

    it('refuses an empty name', () => {
      expect(quotedHeaderLine(': value')).toBe('": value"');
      expect(quotedHeaderLine(':')).toBe('":"');
    });

    it('refuses a name holding a character that is not a token character', () => {
      for (const name of ['X y', 'X(y)', 'X"y', 'X/y', 'X@y', 'X[y]', 'X{y}', 'X=y', 'X?y', 'X\\y', 'X,y', 'X;y']) {
        expect(quotedHeaderLine(`${name}: 1`), name).toBe(JSON.stringify(`${name}: 1`));
      }
      expect(quotedHeaderLine('Gr\xfc\xdf: 1')).toBe('"Gr??: 1"');
      expect(quotedHeaderLine('X\x00: 1')).toBe('"X?: 1"');
    });

    it('refuses an empty line inside the head', () => {
      expect(quotedHeaderLine('')).toBe('""');
      expect(quotedHeaderLine('\r\nX: after')).toBe('""');
    });

    it('refuses a head handed over with the blank line that ends it', () => {
      expect(refusalOf('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n').message).toMatch(UNREADABLE);
    });
  });

  describe('messages', () => {
    it('are HttpProtocolError with code HTTP_PROTOCOL naming the origin', () => {
      const error = refusalOf('SPDY/3 200 OK', 'http://127.0.0.1:8080');
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ name: 'HttpProtocolError', code: 'HTTP_PROTOCOL' });
      expect(error.message).toBe('http://127.0.0.1:8080 sent an answer that is not HTTP/1.1 ("SPDY/3 200 OK").');
      expect(refusalOf(head('HTTP/1.1 200 OK', 'bad line'), 'http://127.0.0.1:8080').message).toBe(
        'http://127.0.0.1:8080 sent an unreadable header line ("bad line").',
      );
    });

    it('quote a line of up to 80 characters whole', () => {
      const line = 'g'.repeat(80);
      expect(quotedHeaderLine(line)).toBe(`"${line}"`);
      expect(quotedStatusLine(line)).toBe(`"${line}"`);
    });

    it('cut a longer line to its first 80 characters and mark the cut', () => {
      const line = `${'g'.repeat(80)}TAIL${'h'.repeat(10000)}`;
      expect(quotedHeaderLine(line)).toBe(`"${'g'.repeat(80)}…"`);
      expect(quotedStatusLine(`<html>${'x'.repeat(500)}`)).toBe(`"<html>${'x'.repeat(74)}…"`);
      expect(refusalOf(line).message.length).toBeLessThan(200);
    });

    it('show non-printable bytes as "?" and never echo them raw', () => {
      const nasty = '\x1b[31mred\x00\x07\x7f\x85\x9b\xff\t';
      expect(quotedStatusLine(nasty)).toBe('"?[31mred???????"');
      expect(quotedHeaderLine(`${nasty}: x`)).toBe('"?[31mred???????: x"');
      expect(quotedHeaderLine(`X\x1b]0;pwned\x07: x`)).toBe('"X?]0;pwned?: x"');
    });

    it('escape quotes and backslashes so the excerpt reads as one JSON string', () => {
      const line = 'say "hi" \\ bye';
      expect(JSON.parse(quotedHeaderLine(line))).toBe(line);
      expect(JSON.parse(quotedStatusLine(line))).toBe(line);
    });

    it('count the 80 characters after non-printable bytes are replaced', () => {
      const line = '\x00'.repeat(100);
      expect(quotedHeaderLine(line)).toBe(`"${'?'.repeat(80)}…"`);
    });
  });

  describe('values another parser could read differently', () => {
    it('refuses a bare CR, LF or NUL inside a value instead of hiding a header in it', () => {
      for (const line of ['X-A: a\nContent-Length: 5', 'X-A: a\rb', 'X-A: a\x00b']) {
        expect(() => parseResponseHead(head('HTTP/1.1 200 OK', line), ORIGIN), JSON.stringify(line)).toThrow(
          UNREADABLE,
        );
      }
    });

    it('trims only spaces and tabs, keeping latin1 bytes such as 0xA0 and VT at the ends', () => {
      const parsed = parseResponseHead(head('HTTP/1.1 200 OK', 'X-A: voil\xc3\xa0', 'X-B: \x0bv\x0c'), ORIGIN);
      expect(parsed.headers.get('x-a')).toBe('voil\xc3\xa0');
      expect(parsed.headers.get('x-b')).toBe('\x0bv\x0c');
    });
  });
});
