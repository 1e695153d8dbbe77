import { DepotError } from '../../../shared/errors';
import type { Clock } from '../../runtime/clock';

export type StallPhase = 'response' | 'idle';

export interface WatchStallOptions {
  clock: Clock;
  /** Aborted with a TIMEOUT DepotError when the current phase lasts too long. */
  controller: AbortController;
  /** ms allowed for each phase: waiting for response headers, and between two body chunks. */
  timeouts: Record<StallPhase, number>;
  /** The file name for the message. */
  name: string;
  /** The host asked (never the path: it may carry a signature), for the message. Default: "the server". */
  host?: string;
}

export interface StallWatch {
  /** Bytes moved: the idle timer starts again. */
  touch(): void;
  /** Enters a phase (and restarts its timer). */
  phase(phase: StallPhase): void;
  /** The TIMEOUT error if the watch fired, naming the phase. */
  timeoutError(): DepotError | undefined;
  stop(): void;
}

/**
 * A per-phase timeout (got's `timed-out.ts` idea, STYLE rule 9): a connection that stays open but sends nothing is
 * aborted after `timeouts[phase]` ms, and the error says which phase fired so the retry log explains itself.
 */
export function watchStall(options: WatchStallOptions): StallWatch {
  const { clock, timeouts } = options;
  let phase: StallPhase = 'response';
  let last = clock.now();
  let fired: DepotError | undefined;
  const stopper = new AbortController();

  void (async () => {
    // Checked four times per (shortest) period: a stall is noticed at most 25% late, at a negligible cost.
    const tick = Math.max(1, Math.min(timeouts.response, timeouts.idle) / 4);
    for (;;) {
      await clock.sleep(tick, stopper.signal);
      if (clock.now() - last <= timeouts[phase]) continue;
      const who = options.host ?? 'the server';
      const what =
        phase === 'response'
          ? `${who} has not answered for ${timeouts[phase] / 1000} s (response timeout); check the address and the network, then try again.`
          : `${who} has not sent a byte for ${timeouts[phase] / 1000} s (idle timeout); the partial file was kept.`;
      fired = new DepotError(
        'TIMEOUT',
        `${options.name}: ${what}`,
        // A host that accepted the connection and never answered for a whole timeout is not a passing blip: failing
        // at once keeps the wait within the configured timeout. One that stalls mid-body keeps the whole retry
        // budget, since each attempt resumes with what arrived.
        { details: { phase, ms: timeouts[phase], ...(phase === 'response' ? { maxRetries: 0 } : {}) } },
      );
      options.controller.abort(fired);
      return;
    }
  })().catch((error: unknown) => {
    // The watch ends by aborting its own sleep; anything else would be a bug in the clock.
    if (!stopper.signal.aborted) throw error;
  });

  return {
    touch() {
      last = clock.now();
    },
    phase(next) {
      phase = next;
      last = clock.now();
    },
    timeoutError: () => fired,
    stop: () => stopper.abort(),
  };
}
