import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { keyByKeyStdin } from '../../sidecar/tui/key-by-key-stdin';

const DOWN = '\u001b[B';

describe('keyByKeyStdin', () => {
  it('returns one key per read of a chunk that holds several, then what the stream has next', async () => {
    const stream = new PassThrough();
    stream.setEncoding('utf8');
    const stdin = keyByKeyStdin(stream);
    stream.write(`jj${DOWN}d`);
    await new Promise((resolve) => stream.once('readable', resolve));
    const reads: unknown[] = [];
    for (let chunk = stdin.read(); chunk !== null; chunk = stdin.read()) reads.push(chunk);
    expect(reads).toEqual(['j', 'j', DOWN, 'd']);
    // Everything but read is the stream itself.
    expect(stdin.readableEncoding).toBe('utf8');
    stream.write('x');
    await new Promise((resolve) => stream.once('readable', resolve));
    expect(stdin.read()).toBe('x');
    expect(stdin.read()).toBeNull();
  });
});
