import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BLOCK_SIZE, DigestCache, generatedContent } from './generated-content';

function readAll(size: number, seed: string, step: number): Buffer {
  const source = generatedContent(seed, size);
  const parts: Buffer[] = [];
  for (let offset = 0; offset < size; ) {
    const chunk = source.read(offset, step);
    parts.push(chunk);
    offset += chunk.length;
  }
  return Buffer.concat(parts);
}

describe('generatedContent', () => {
  it('gives the same byte at an offset whatever the read sizes', () => {
    const size = 3 * BLOCK_SIZE + 12345;
    const whole = readAll(size, 's', BLOCK_SIZE);
    expect(whole.length).toBe(size);
    expect(readAll(size, 's', 4099).equals(whole)).toBe(true);
    expect(readAll(size, 's', 3).subarray(0, 70_000).equals(whole.subarray(0, 70_000))).toBe(true);
  });

  it('differs between seeds and between blocks', () => {
    const a = readAll(2 * BLOCK_SIZE, 'a', BLOCK_SIZE);
    const b = readAll(2 * BLOCK_SIZE, 'b', BLOCK_SIZE);
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(0, BLOCK_SIZE).equals(a.subarray(BLOCK_SIZE))).toBe(false);
  });

  it('hashes once per content and matches a hash of the bytes', async () => {
    const digests = new DigestCache();
    const source = generatedContent('h', BLOCK_SIZE + 7);
    const expected = createHash('sha256')
      .update(readAll(BLOCK_SIZE + 7, 'h', BLOCK_SIZE))
      .digest('hex');
    const [first, second] = [digests.sha256(source), digests.sha256(generatedContent('h', BLOCK_SIZE + 7))];
    expect(first).toBe(second);
    expect(await first).toBe(expected);
  });
});
