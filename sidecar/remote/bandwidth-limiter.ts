import { Transform } from 'node:stream';
import { DepotError } from '../../shared/errors';
import { systemClock, type Clock } from '../runtime/clock';

/**
 * 1 KB = 1024 bytes, as in `--limit` and the config's `bandwidth_limit_kb` (KB/s): `--limit 20000` allows
 * 20,480,000 bytes per second.
 */
export const BYTES_PER_KB = 1024;

export interface BandwidthLimiterOptions {
  /** The cap in KB/s (1 KB = 1024 bytes); `null` means no cap. Default null. */
  kbps?: number | null;
  /** Time source; tests pass a fake one. Default the system clock. */
  clock?: Clock;
  /** How much unused allowance (in ms of the current rate) may be spent at once after a pause. Default 50. */
  burstMs?: number;
  /** Largest slice a throttled chunk is cut into, so low rates stay smooth. Default 16 KiB. */
  sliceBytes?: number;
}

/** One global cap shared by every download; `setRate` changes it live. */
export interface BandwidthLimiter {
  /** The current cap in KB/s, or null when unlimited. */
  readonly kbps: number | null;
  /** Changes the cap for every running download at once; `null` removes it. */
  setRate(kbps: number | null): void;
  /** Waits until `bytes` may pass under the cap. Rejects with the signal's reason when it aborts. */
  take(bytes: number, signal?: AbortSignal): Promise<void>;
  /** A Transform that lets bytes through at the shared rate and respects backpressure on both sides. */
  throttle(signal?: AbortSignal): Transform;
}

/** Thrown into sleeping takers when the rate changes, so they recompute their wait at the new rate. */
const RATE_CHANGED = Symbol('rate changed');

export function createBandwidthLimiter(options: BandwidthLimiterOptions = {}): BandwidthLimiter {
  const clock = options.clock ?? systemClock;
  const burstMs = options.burstMs ?? 50;
  const sliceBytes = options.sliceBytes ?? 16 * 1024;
  let kbps = normalize(options.kbps ?? null);
  // Theoretical arrival time (GCRA): the moment all bytes granted so far are paid for at the current rate.
  let tat = clock.now();
  const sleepers = new Set<AbortController>();

  async function take(bytes: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      if (kbps === null || bytes <= 0) return;
      const bytesPerMs = (kbps * BYTES_PER_KB) / 1000;
      const now = clock.now();
      tat = Math.max(tat, now) + bytes / bytesPerMs;
      const wait = tat - burstMs - now;
      if (wait <= 0) return;
      const waker = new AbortController();
      sleepers.add(waker);
      try {
        await clock.sleep(wait, signal ? AbortSignal.any([signal, waker.signal]) : waker.signal);
        return;
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (waker.signal.reason !== RATE_CHANGED) throw error;
        // The old reservation was forgotten by setRate: reserve again at the new rate.
      } finally {
        sleepers.delete(waker);
      }
    }
  }

  return {
    get kbps() {
      return kbps;
    },
    setRate(next) {
      kbps = normalize(next);
      tat = clock.now();
      for (const waker of sleepers) waker.abort(RATE_CHANGED);
    },
    take,
    throttle(signal) {
      return new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          if (kbps === null) {
            callback(null, chunk);
            return;
          }
          void (async () => {
            for (let at = 0; at < chunk.length; at += sliceBytes) {
              const slice = chunk.subarray(at, at + sliceBytes);
              await take(slice.length, signal);
              this.push(slice);
            }
          })().then(() => callback(), callback);
        },
      });
    },
  };
}

function normalize(kbps: number | null): number | null {
  if (kbps === null) return null;
  if (!Number.isFinite(kbps) || kbps <= 0) {
    throw new DepotError(
      'BAD_INPUT',
      `The bandwidth limit must be a positive number of KB/s (got ${kbps}); use no limit instead of 0.`,
    );
  }
  return kbps;
}
