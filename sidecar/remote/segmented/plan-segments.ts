import type { Segment } from './segment-state';

/** Segment boundaries fall on whole MiB: the ranges asked for stay readable in logs and match the CDNs' own blocks. */
export const SEGMENT_ALIGN = 1024 * 1024;

/**
 * Cuts `[0, total)` into at most `connections` segments of about equal size, none smaller than `minBytes` (a tiny
 * segment costs a connection set-up for little gain), on SEGMENT_ALIGN boundaries.
 */
export function planSegments(options: { total: number; connections: number; minBytes: number }): Segment[] {
  const { total } = options;
  const count = Math.max(1, Math.min(options.connections, Math.floor(total / Math.max(1, options.minBytes))));
  const step = Math.max(SEGMENT_ALIGN, Math.ceil(total / count / SEGMENT_ALIGN) * SEGMENT_ALIGN);
  const segments: Segment[] = [];
  for (let start = 0; start < total; start += step) {
    segments.push({ start, end: Math.min(total, start + step), done: 0 });
  }
  return segments;
}

/**
 * Work stealing: the segment with the most bytes not yet asked for gives the upper half of them to an idle
 * connection. `reached` tells how far (from the segment's start) each segment's bytes are written or asked for: the
 * cut lies beyond it, so no byte is fetched twice. Returns the new segment (already in `segments`), or undefined
 * when no segment has at least `2 * minBytes` left.
 */
export function splitLargest(
  segments: Segment[],
  options: { minBytes: number; reached: (segment: Segment) => number },
): Segment | undefined {
  let victim: Segment | undefined;
  let victimLeft = 0;
  for (const segment of segments) {
    const left = segment.end - segment.start - Math.max(segment.done, options.reached(segment));
    if (left > victimLeft) {
      victim = segment;
      victimLeft = left;
    }
  }
  if (victim === undefined || victimLeft < 2 * options.minBytes) return undefined;
  const from = victim.end - victimLeft;
  const cut = Math.ceil((from + victimLeft / 2) / SEGMENT_ALIGN) * SEGMENT_ALIGN;
  if (cut <= from || cut >= victim.end) return undefined;
  const stolen: Segment = { start: cut, end: victim.end, done: 0 };
  victim.end = cut;
  segments.push(stolen);
  segments.sort((a, b) => a.start - b.start);
  return stolen;
}
