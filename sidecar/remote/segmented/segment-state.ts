import { z } from 'zod';

/**
 * One byte range of a segmented download and how far it got, as the resume state stores it: `[start, end)` of the
 * file, of which the first `done` bytes are in the `.part` file (written and confirmed, never just received).
 */
export const zSegment = z
  .object({
    start: z.number().int().nonnegative(),
    end: z.number().int().nonnegative(),
    done: z.number().int().nonnegative(),
  })
  .refine((segment) => segment.start < segment.end && segment.done <= segment.end - segment.start, {
    message: 'a segment must be a non-empty range with at most its length done',
  });
export type Segment = z.infer<typeof zSegment>;

/** Bytes of the file, from its start, that are all written: what the SHA-256 may take in. */
export function contiguousPrefix(segments: readonly Segment[]): number {
  let prefix = 0;
  for (const segment of [...segments].sort((a, b) => a.start - b.start)) {
    if (segment.start !== prefix) break;
    prefix = segment.start + segment.done;
    if (segment.done < segment.end - segment.start) break;
  }
  return prefix;
}

/** Bytes written over all segments. */
export function bytesDone(segments: readonly Segment[]): number {
  return segments.reduce((sum, segment) => sum + segment.done, 0);
}

/** Whether the segments cover `[0, total)` exactly, without gaps or overlaps (a saved state may be from elsewhere). */
export function tilesFile(segments: readonly Segment[], total: number): boolean {
  let at = 0;
  for (const segment of [...segments].sort((a, b) => a.start - b.start)) {
    if (segment.start !== at) return false;
    at = segment.end;
  }
  return segments.length > 0 && at === total;
}
