import { createCipheriv, createHash } from 'node:crypto';

/** Bytes generated per block; each block is the seed's base block stamped with its index. */
export const BLOCK_SIZE = 1024 * 1024;
const STAMP_EVERY = 4096;

/**
 * The bytes of one file, readable at any offset without keeping the file anywhere: a multi-GB file costs one 1 MiB
 * base block of memory, and a Range request costs nothing more than the bytes it asks for.
 */
export interface ContentSource {
  readonly size: number;
  /** A fresh buffer (the caller may modify it) of at most `BLOCK_SIZE` bytes starting at `offset`, never crossing a block edge. */
  read(offset: number, maxLength: number): Buffer;
  /** Like `read`, into `target` (reused by the caller to spare allocations and GC): returns the byte count. */
  readInto(offset: number, target: Buffer, maxLength: number): number;
  /** Identifies the bytes (seed + size, or a digest of literal content): equal keys mean equal bytes. */
  readonly key: string;
}

/** Content generated from `seed`: the same seed and size always give the same bytes. */
export function generatedContent(seed: string | number, size: number): ContentSource {
  // AES-CTR over zeros is a fast, seedable pseudo-random generator.
  const key = createHash('sha256').update(`fake-hub:${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const base = cipher.update(Buffer.alloc(Math.min(BLOCK_SIZE, Math.max(size, 1))));
  const stamp = Buffer.allocUnsafe(8);
  const readInto = (offset: number, out: Buffer, maxLength: number): number => {
    const block = Math.floor(offset / BLOCK_SIZE);
    const start = offset - block * BLOCK_SIZE;
    const end = Math.min(BLOCK_SIZE, start + maxLength, start + out.length, size - block * BLOCK_SIZE);
    if (end <= start) return 0;
    base.copy(out, 0, start, end);
    // Stamp the block and page index every 4 KiB so that no two blocks are equal: a resume at a wrong offset
    // must produce a wrong hash, not silently the same bytes. A stamp cut by the read's edges is copied in part,
    // so that every offset reads the same byte whatever the range.
    for (let pos = Math.floor(start / STAMP_EVERY) * STAMP_EVERY; pos < end; pos += STAMP_EVERY) {
      if (pos + 8 <= start) continue;
      stamp.writeUInt32LE(block, 0);
      stamp.writeUInt32LE(pos / STAMP_EVERY, 4);
      const from = Math.max(pos, start);
      stamp.copy(out, from - start, from - pos, Math.min(8, end - pos));
    }
    return end - start;
  };
  const read = (offset: number, maxLength: number): Buffer => {
    const out = Buffer.allocUnsafe(Math.max(0, Math.min(BLOCK_SIZE, maxLength, size - offset)));
    return out.subarray(0, readInto(offset, out, maxLength));
  };
  return { size, read, readInto, key: `seed:${seed}:${size}` };
}

/** Literal bytes (small regular files, JSON). */
export function literalContent(content: Buffer | string): ContentSource {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
  return {
    size: bytes.length,
    key: `literal:${createHash('sha256').update(bytes).digest('hex')}`,
    read: (offset, maxLength) => {
      const end = Math.min(bytes.length, offset + maxLength, offset + BLOCK_SIZE);
      return Buffer.from(bytes.subarray(offset, end));
    },
    readInto: (offset, target, maxLength) =>
      bytes.copy(target, 0, offset, Math.min(bytes.length, offset + maxLength, offset + target.length)),
  };
}

/**
 * Digests a source block by block, yielding to the event loop every 16 MiB so that a hub serving other requests in
 * the same process keeps serving while a 1 GiB file is hashed (about 1-3 s).
 */
export async function digestContent(
  source: ContentSource,
  algorithm: 'sha256' | 'sha1',
  prefix?: string,
): Promise<string> {
  const hash = createHash(algorithm);
  if (prefix !== undefined) hash.update(prefix);
  let offset = 0;
  let sinceYield = 0;
  const buffer = Buffer.allocUnsafe(BLOCK_SIZE);
  while (offset < source.size) {
    const length = source.readInto(offset, buffer, BLOCK_SIZE);
    hash.update(buffer.subarray(0, length));
    offset += length;
    sinceYield += length;
    if (sinceYield >= 16 * BLOCK_SIZE) {
      sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  return hash.digest('hex');
}

/**
 * Caches digests per content key for one hub (never module-level: two hubs in one process stay independent).
 * Concurrent callers for the same key share one computation.
 */
export class DigestCache {
  private readonly pending = new Map<string, Promise<string>>();

  sha256(source: ContentSource): Promise<string> {
    return this.memo(`sha256:${source.key}`, () => digestContent(source, 'sha256'));
  }

  /** The git blob id: sha1 of `blob <size>\0<bytes>`. */
  gitBlobSha1(source: ContentSource): Promise<string> {
    return this.memo(`git:${source.key}`, () => digestContent(source, 'sha1', `blob ${source.size}\0`));
  }

  private memo(key: string, compute: () => Promise<string>): Promise<string> {
    let found = this.pending.get(key);
    if (found === undefined) {
      found = compute();
      this.pending.set(key, found);
    }
    return found;
  }
}

/** The git-lfs pointer file committed in place of an LFS file; its git blob id is the tree entry's `oid`. */
export function lfsPointer(sha256: string, size: number): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`;
}
