import type { DepotError } from '../../../shared/errors';
import type { DownloadContext } from './download-context';
import { toDownloadFailure } from './download-failure';
import { RETRY_STATUSES, retryDelay } from './retry-delay';

/** Fresh signed URLs asked for after a CDN or storage hop refused an expired one, per download (or segment). */
export const MAX_RE_RESOLVES = 2;

export interface RetryVerdict {
  /** The failure as a DepotError (thrown as is when `delay` is null). */
  failure: DepotError;
  /** ms to wait before the next attempt, or null: give up. */
  delay: number | null;
  /** The retry asks the provider again for a fresh signed URL (one of MAX_RE_RESOLVES). */
  reResolve: boolean;
}

/**
 * Decides what follows a failed attempt: again after 408, 429, 5xx and network errors (with backoff, or as long as
 * the server asks), at once after a CDN or storage hop refused an expired signed URL (at most `reResolvesLeft` more
 * times), else not at all.
 */
export function retryAfterFailure(
  context: DownloadContext,
  input: { error: unknown; attempt: number; reResolvesLeft: number },
): RetryVerdict {
  const { options, clock, name } = context;
  const failure = toDownloadFailure(input.error, name);
  const details = failure.details ?? {};
  const status = typeof details.status === 'number' ? details.status : undefined;
  const reResolve = details.reResolve === true && input.reResolvesLeft > 0;
  // A failure that says how often trying again can help (a name that does not resolve, a host that never answered).
  const withinMax = typeof details.maxRetries === 'number' ? input.attempt <= details.maxRetries : true;
  const retryable =
    withinMax &&
    (status === undefined ? failure.code === 'NETWORK' || failure.code === 'TIMEOUT' : RETRY_STATUSES.has(status));
  const delay = reResolve
    ? 0
    : retryable
      ? retryDelay(
          {
            attempt: input.attempt,
            status,
            retryAfter: stringOr(details.retryAfter),
            rateLimit: stringOr(details.rateLimit),
            now: clock.now(),
            random: (options.random ?? Math.random)(),
          },
          options.retry,
        )
      : null;
  return { failure, delay, reResolve };
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
