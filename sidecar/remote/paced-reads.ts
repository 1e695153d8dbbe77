import type { BandwidthLimiter } from './bandwidth-limiter';
import type { RingReadOptions } from './fetch-like';

/** Reads under a bandwidth cap: small enough that the rate stays smooth, over one connection or several. */
const CAPPED_READ_BYTES = 16 * 1024;

/**
 * How a body read into a ring follows the bandwidth cap: each read waits for its bytes from the limiter, and reads
 * stay small while a cap is set (it may be set or lifted mid-download), else up to `uncappedReadBytes`.
 */
export function pacedReads(
  limiter: BandwidthLimiter | undefined,
  signal: AbortSignal,
  uncappedReadBytes: number,
): Pick<RingReadOptions, 'pace' | 'maxReadBytes'> {
  return {
    pace: limiter && ((bytes) => (limiter.kbps === null ? undefined : limiter.take(bytes, signal))),
    maxReadBytes: () => (limiter?.kbps ? CAPPED_READ_BYTES : uncappedReadBytes),
  };
}
