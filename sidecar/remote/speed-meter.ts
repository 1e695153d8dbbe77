export interface SpeedMeterOptions {
  /** Time constant of the moving average in ms: how fast the shown speed follows a change. Default 3000. */
  tauMs?: number;
  /**
   * Least time in ms between the first sample and the first speed reported (0 until then: no speed, no ETA).
   * Default 100: the first chunk after the headers lands a few ms after the first sample, and one chunk over a few
   * ms reads as many times the real speed.
   */
  minWindowMs?: number;
}

/**
 * Smoothed transfer speed: an exponential moving average over time, so the shown speed and ETA do not jump with
 * every chunk, and a resumed prefix (bytes that did not travel) does not count as speed. It starts from the plain
 * average over the first window (bytes since the first sample / time since it), never from one chunk's rate: a
 * moving average seeded that way took seconds to come down from a start read 10-100x high.
 */
export class SpeedMeter {
  #speed = 0;
  /** The first sample of the current measurement (reset when the byte count goes back, e.g. a restart from 0). */
  #start: { at: number; bytes: number } | undefined;
  #last: { at: number; bytes: number } | undefined;
  #seeded = false;
  readonly #tauMs: number;
  readonly #minWindowMs: number;

  constructor(options: SpeedMeterOptions = {}) {
    this.#tauMs = options.tauMs ?? 3000;
    this.#minWindowMs = options.minWindowMs ?? 100;
  }

  /** Bytes per second after a sample of `bytes` (a running total) at time `at` (ms); 0 while not known yet. */
  sample(bytes: number, at: number): number {
    const last = this.#last;
    if (!last || bytes < last.bytes) {
      this.#last = { at, bytes };
      if (!this.#seeded) this.#start = { at, bytes };
      return this.#speed;
    }
    const dt = at - last.at;
    if (dt <= 0) return this.#speed;
    this.#last = { at, bytes };
    if (!this.#seeded) {
      const start = this.#start ?? last;
      const window = at - start.at;
      if (window < this.#minWindowMs) return this.#speed;
      this.#speed = ((bytes - start.bytes) * 1000) / window;
      this.#seeded = true;
      return this.#speed;
    }
    const instant = ((bytes - last.bytes) * 1000) / dt;
    const weight = 1 - Math.exp(-dt / this.#tauMs);
    this.#speed += weight * (instant - this.#speed);
    return this.#speed;
  }

  get speed(): number {
    return this.#speed;
  }
}
