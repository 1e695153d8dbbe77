import { describe, expect, it } from 'vitest';
import { planSegments, SEGMENT_ALIGN, splitLargest } from '../../../sidecar/remote/segmented/plan-segments';
import { contiguousPrefix, type Segment, tilesFile } from '../../../sidecar/remote/segmented/segment-state';

const MiB = 1024 * 1024;

describe('planSegments', () => {
  it('cuts a file into equal segments on whole MiB that cover it exactly', () => {
    const total = 128 * MiB + 12_345;
    const segments = planSegments({ total, connections: 8, minBytes: 8 * MiB });
    expect(segments).toHaveLength(8);
    expect(tilesFile(segments, total)).toBe(true);
    expect(segments.slice(0, -1).every((s) => s.end % SEGMENT_ALIGN === 0)).toBe(true);
    expect(segments.every((s) => s.done === 0)).toBe(true);
  });

  it('plans fewer segments than connections rather than segments below the minimum', () => {
    expect(planSegments({ total: 20 * MiB, connections: 8, minBytes: 8 * MiB })).toHaveLength(2);
    expect(planSegments({ total: MiB, connections: 8, minBytes: 8 * MiB })).toEqual([{ start: 0, end: MiB, done: 0 }]);
  });
});

describe('splitLargest', () => {
  it('gives the upper half of the segment with the most left to come, beyond what already arrived', () => {
    const segments: Segment[] = [
      { start: 0, end: 32 * MiB, done: 30 * MiB },
      { start: 32 * MiB, end: 64 * MiB, done: 4 * MiB },
    ];
    const stolen = splitLargest(segments, { minBytes: 4 * MiB, reached: (s) => s.done + MiB });
    // Reached 37 MiB of [32, 64): 27 MiB left, cut at 50.5 MiB rounded up to 51 MiB.
    expect(stolen).toEqual({ start: 51 * MiB, end: 64 * MiB, done: 0 });
    expect(segments[1]).toEqual({ start: 32 * MiB, end: 51 * MiB, done: 4 * MiB });
    expect(tilesFile(segments, 64 * MiB)).toBe(true);
  });

  it('splits nothing when no segment keeps the minimum on both sides', () => {
    const segments: Segment[] = [{ start: 0, end: 16 * MiB, done: 9 * MiB }];
    expect(splitLargest(segments, { minBytes: 4 * MiB, reached: (s) => s.done })).toBeUndefined();
    expect(segments).toEqual([{ start: 0, end: 16 * MiB, done: 9 * MiB }]);
  });

  it('takes nothing from a segment that says it may not be cut (reached = its length)', () => {
    const segments: Segment[] = [{ start: 0, end: 64 * MiB, done: 0 }];
    expect(splitLargest(segments, { minBytes: 4 * MiB, reached: (s) => s.end - s.start })).toBeUndefined();
  });
});

describe('contiguousPrefix', () => {
  it('counts written bytes from the start up to the first segment not finished', () => {
    const segments: Segment[] = [
      { start: 10, end: 20, done: 10 },
      { start: 0, end: 10, done: 10 },
      { start: 20, end: 30, done: 4 },
      { start: 30, end: 40, done: 10 },
    ];
    expect(contiguousPrefix(segments)).toBe(24);
    expect(contiguousPrefix([{ start: 0, end: 10, done: 0 }])).toBe(0);
  });

  it('tells segments that cover a file from ones with a gap or an overlap', () => {
    expect(tilesFile([{ start: 0, end: 10, done: 0 }], 10)).toBe(true);
    expect(
      tilesFile(
        [
          { start: 0, end: 5, done: 0 },
          { start: 6, end: 10, done: 0 },
        ],
        10,
      ),
    ).toBe(false);
    expect(
      tilesFile(
        [
          { start: 0, end: 6, done: 0 },
          { start: 5, end: 10, done: 0 },
        ],
        10,
      ),
    ).toBe(false);
    expect(tilesFile([], 0)).toBe(false);
  });
});
