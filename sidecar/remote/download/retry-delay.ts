/**
 * The retry policy as data plus one pure function (STYLE rule 9): given the attempt number and what the last try
 * answered, how long to wait before the next one, or `null` to give up.
 */
export interface RetryOptions {
  /** Tries after the first one. Default 5 (huggingface_hub retries 5 times). */
  limit?: number;
  /** First backoff delay in ms, doubled per attempt (1, 2, 4, 8 s like huggingface_hub). Default 1000. */
  baseMs?: number;
  /** Upper bound of one computed backoff delay in ms. Default 30000. */
  backoffLimitMs?: number;
  /** Upper bound of a delay a server asks for (Retry-After, RateLimit) in ms; longer asks give up. Default 300000. */
  serverLimitMs?: number;
  /** Random extra delay in ms (0..noise) so parallel clients do not retry in lock step. Default 100; tests use 0. */
  noiseMs?: number;
}

/**
 * HTTP statuses worth another try: request timeout, rate limit and server-side failures. Never retried: 4xx auth or
 * not-found answers (401, 403, 404, 410, 416), which a retry cannot change.
 */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

export interface RetryInput {
  /** 1 for the first retry (after the first failed try). */
  attempt: number;
  /** HTTP status of the failed answer; absent for network errors (reset, refused, dropped mid-body, stall). */
  status?: number;
  /** The `Retry-After` header: integer seconds or an HTTP date. */
  retryAfter?: string | null;
  /** The IETF `RateLimit` header, e.g. `"resolvers";r=0;t=55` (HF); `t` is seconds until the window resets. */
  rateLimit?: string | null;
  /** Current time in ms, used to turn a Retry-After date into a delay. */
  now: number;
  /** A number in [0, 1) for the noise; injected so the function stays pure. Default 0. */
  random?: number;
}

const DEFAULTS: Required<RetryOptions> = {
  limit: 5,
  baseMs: 1000,
  backoffLimitMs: 30_000,
  serverLimitMs: 300_000,
  noiseMs: 100,
};

/** The delay in ms before retry number `input.attempt`, or `null` when the failure is final. */
export function retryDelay(input: RetryInput, options: RetryOptions = {}): number | null {
  const o = { ...DEFAULTS, ...options };
  if (input.attempt > o.limit) return null;
  if (input.status !== undefined && !RETRY_STATUSES.has(input.status)) return null;
  const noise = Math.floor((input.random ?? 0) * o.noiseMs);
  const asked = serverDelayMs(input);
  if (asked !== undefined) {
    if (asked > o.serverLimitMs) return null;
    return asked + noise;
  }
  const backoff = Math.min(o.baseMs * 2 ** (input.attempt - 1), o.backoffLimitMs);
  return backoff + noise;
}

/** The delay a server asked for: RateLimit `t` (+1 s, as huggingface_hub does) wins, then Retry-After. */
function serverDelayMs(input: RetryInput): number | undefined {
  const t = input.rateLimit ? /(?:^|;)\s*t=(\d+)/.exec(input.rateLimit) : null;
  if (t) return (Number(t[1]) + 1) * 1000;
  const retryAfter = input.retryAfter?.trim();
  if (!retryAfter) return undefined;
  if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
  const date = Date.parse(retryAfter);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - input.now);
}
