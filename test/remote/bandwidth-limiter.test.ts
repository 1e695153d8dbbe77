import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { BYTES_PER_KB, createBandwidthLimiter } from '../../sidecar/remote/bandwidth-limiter';
import { ManualClock } from './fixtures/manual-clock';

describe('createBandwidthLimiter', () => {
  it('lets bytes through at the cap (1 KB = 1024 bytes), shared by every taker', async () => {
    const clock = new ManualClock({ autoAdvance: true });
    const limiter = createBandwidthLimiter({ kbps: 100, clock, burstMs: 0 });
    const start = clock.now();
    // Two "downloads" of 512 KiB each under one 100 KB/s cap: 1 MiB in ~10.24 s.
    await Promise.all(
      [0, 1].map(async () => {
        for (let i = 0; i < 32; i++) await limiter.take(16 * 1024);
      }),
    );
    expect(clock.now() - start).toBeCloseTo((1024 * 1024 * 1000) / (100 * BYTES_PER_KB), -1);
  });

  it('passes everything at once without a cap', async () => {
    const clock = new ManualClock({ autoAdvance: true });
    const limiter = createBandwidthLimiter({ clock });
    await limiter.take(10 * 1024 * 1024);
    expect(clock.slept).toEqual([]);
  });

  it('applies a new rate to a download already waiting', async () => {
    const clock = new ManualClock();
    const limiter = createBandwidthLimiter({ kbps: 1, clock, burstMs: 0 });
    let done = false;
    const waiting = limiter.take(64 * 1024).then(() => (done = true)); // 64 s at 1 KB/s
    await clock.advance(1000);
    expect(done).toBe(false);
    limiter.setRate(null);
    await waiting;
    expect(done).toBe(true);
    expect(limiter.kbps).toBeNull();
  });

  it('refuses a zero or negative rate with BAD_INPUT', () => {
    expect(() => createBandwidthLimiter({ kbps: 0 })).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
  });

  it('throttles a stream with backpressure and keeps every byte in order', async () => {
    const clock = new ManualClock({ autoAdvance: true });
    const limiter = createBandwidthLimiter({ kbps: 1000, clock, burstMs: 0 });
    const input = Buffer.alloc(300 * 1024, 7).map((_, i) => i % 251);
    const received: Buffer[] = [];
    await pipeline(
      Readable.from([input.subarray(0, 100_000), input.subarray(100_000)]),
      limiter.throttle(),
      new Writable({
        highWaterMark: 1024,
        write(chunk: Buffer, _e, cb) {
          received.push(chunk);
          cb();
        },
      }),
    );
    expect(Buffer.concat(received).equals(input)).toBe(true);
    expect(clock.now() - 1_000_000).toBeCloseTo(300, -1);
  });
});
