import type { DownloadContext } from './download-context';
import { type StallWatch, watchStall } from './watch-stall';

/** Used when the download's `timeouts` leave a phase out: a minute for the answer's head, a minute between bytes. */
const DEFAULT_PHASE_MS = 60_000;

/**
 * The stall watch of one attempt of a download (one connection's request, or one segment's): the download's response
 * and idle timeouts, messages naming the file and the host of its URL.
 */
export function watchAttempt({ options, clock, name }: DownloadContext, controller: AbortController): StallWatch {
  return watchStall({
    clock,
    controller,
    timeouts: {
      response: options.timeouts?.response ?? DEFAULT_PHASE_MS,
      idle: options.timeouts?.idle ?? DEFAULT_PHASE_MS,
    },
    name,
    host: new URL(options.url).host,
  });
}
