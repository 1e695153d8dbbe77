/**
 * Smoothed transfer speed: an exponential moving average over time (tau seconds), so the shown speed and ETA do
 * not jump with every chunk, and a resumed prefix (bytes that did not travel) does not count as speed.
 */
export class SpeedMeter {
  #speed = 0;
  #lastAt: number | undefined;
  #lastBytes = 0;
  readonly #tauMs: number;

  /** @param tauMs time constant of the average in ms. Default 3000. */
  constructor(tauMs = 3000) {
    this.#tauMs = tauMs;
  }

  /** Bytes per second after a sample of `bytes` (a running total) at time `at` (ms). */
  sample(bytes: number, at: number): number {
    if (this.#lastAt === undefined || bytes < this.#lastBytes) {
      this.#lastAt = at;
      this.#lastBytes = bytes;
      return this.#speed;
    }
    const dt = at - this.#lastAt;
    if (dt <= 0) return this.#speed;
    const instant = ((bytes - this.#lastBytes) * 1000) / dt;
    const weight = 1 - Math.exp(-dt / this.#tauMs);
    this.#speed = this.#speed === 0 ? instant : this.#speed + weight * (instant - this.#speed);
    this.#lastAt = at;
    this.#lastBytes = bytes;
    return this.#speed;
  }

  get speed(): number {
    return this.#speed;
  }
}
