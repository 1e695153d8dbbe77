import { describe, expect, it } from 'vitest';
import { SpeedMeter } from '../../sidecar/remote/speed-meter';
import { ManualClock } from './fixtures/manual-clock';

const MB = 1_000_000;

/** A meter fed by a manual clock: `at(ms, bytes)` moves the clock to `ms` after the start and samples `bytes`. */
function metered(options?: ConstructorParameters<typeof SpeedMeter>[0]) {
  const clock = new ManualClock({ start: 5_000_000 });
  const origin = clock.now();
  const meter = new SpeedMeter(options);
  const at = (ms: number, bytes: number): number => {
    clock.time = origin + ms;
    return meter.sample(bytes, clock.now());
  };
  return { meter, at };
}

describe('SpeedMeter', () => {
  it('reports no speed until the first window has passed, then the average over it', () => {
    const { at } = metered();
    expect(at(0, 0)).toBe(0);
    // The first chunk lands 2 ms after the headers: 64 kB in 2 ms would read 32 MB/s.
    expect(at(2, 64_000)).toBe(0);
    expect(at(60, 64_000)).toBe(0);
    // 250 kB in 250 ms: 1 MB/s, the real rate.
    expect(at(250, 250_000)).toBe(1 * MB);
  });

  it('stays honest after a burst at the start: every speed shown is within 2% of the steady rate', () => {
    const { at } = metered();
    at(0, 0);
    at(1, 128_000);
    const shown: number[] = [];
    for (let ms = 250; ms <= 5000; ms += 250) shown.push(at(ms, ms * 1000));
    for (const speed of shown) expect(Math.abs(speed - MB) / MB).toBeLessThan(0.02);
  });

  it('does not count a resumed prefix as speed', () => {
    const { at } = metered();
    at(0, 500 * MB);
    expect(at(500, 500 * MB + 1 * MB)).toBe(2 * MB);
  });

  it('follows a change of rate smoothly, not in one jump', () => {
    const { at } = metered();
    at(0, 0);
    let bytes = 1 * MB;
    expect(at(1000, bytes)).toBe(1 * MB);
    let speed = 0;
    for (let ms = 1250; ms <= 1500; ms += 250) {
      bytes += 500_000;
      speed = at(ms, bytes);
    }
    expect(speed).toBeGreaterThan(1 * MB);
    expect(speed).toBeLessThan(1.5 * MB);
    for (let ms = 1750; ms <= 20_000; ms += 250) {
      bytes += 500_000;
      speed = at(ms, bytes);
    }
    expect(Math.abs(speed - 2 * MB) / (2 * MB)).toBeLessThan(0.01);
  });

  it('starts the window again when the byte count goes back (a restart from 0) before it ended', () => {
    const { at } = metered({ minWindowMs: 200 });
    at(0, 0);
    at(150, 3 * MB);
    expect(at(160, 0)).toBe(0);
    expect(at(300, 100_000)).toBe(0);
    // 1 MB in the 1000 ms since the restart.
    expect(at(1160, 1 * MB)).toBe(1 * MB);
  });

  it('keeps its speed when nothing new was measured (same instant)', () => {
    const { at } = metered();
    at(0, 0);
    expect(at(400, 400_000)).toBe(1 * MB);
    expect(at(400, 400_000)).toBe(1 * MB);
  });
});
