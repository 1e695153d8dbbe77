import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { DepotError } from '../../../shared/errors';
import type { DownloadContext, PrefetchedAnswer } from '../download/download-context';
import { cancelledDownload } from '../download/download-failure';
import { MAX_RE_RESOLVES, retryAfterFailure } from '../download/retry-after-failure';
import { restartFromZero, saveTransferState } from '../partial/partial-transfer';
import { fetchSegment, MIN_REQUEST_BYTES } from './fetch-segment';
import { OrderedHasher } from './ordered-hasher';
import { planSegments, splitLargest } from './plan-segments';
import { bytesDone, contiguousPrefix, type Segment } from './segment-state';
import { SEGMENT_SLOT_BYTES, SEGMENT_SLOTS, type SegmentWriter } from './segment-writer';

/** Files from this size on are worth several connections; smaller ones keep the one-connection path. */
export const SEGMENTED_MIN_BYTES = 64 * 1024 * 1024;
/** No planned segment is smaller: below that a connection's set-up costs more than it brings. */
const MIN_SEGMENT_BYTES = 8 * 1024 * 1024;
/** A segment is split for an idle connection only when each half keeps at least this much. */
const STEAL_MIN_BYTES = MIN_REQUEST_BYTES;
/** Written bytes between two background flushes: small, so a flush never holds the writes (and the sockets) up for long. */
const FLUSH_EVERY_BYTES = 16 * 1024 * 1024;
/**
 * The resume state is saved at most this often while bytes arrive: after a kill, what was written since the last
 * save is fetched again (25 ms of the download's rate).
 */
const SAVE_INTERVAL_MS = 25;

export interface DownloadSegmentedOptions {
  /** Connections at once (at least 1). */
  connections: number;
}

/**
 * Fetches a file of known size over several ranged connections into its `.part` file: each segment written at its
 * offset and saved in the resume state with its progress, an idle connection taking half of the largest segment
 * left, and the SHA-256 taken in file order as the written prefix grows. The first segment's answer decides: a 206
 * lets the others start; a 200 (the server ignores Range) is returned, for the one-connection download to go on
 * with. Also returned is a 200 met later (the file changed): the partial is then emptied first.
 */
export async function downloadSegmented(
  context: DownloadContext,
  options: DownloadSegmentedOptions,
): Promise<PrefetchedAnswer | undefined> {
  const { transfer, paths, clock, name } = context;
  const download = context.options;
  const total = transfer.total ?? download.expectedSize;
  if (total === undefined) throw new TypeError('downloadSegmented: the file size must be known');
  transfer.total = total;
  const probing = transfer.segments === undefined;
  const segments =
    transfer.segments ?? planSegments({ total, connections: options.connections, minBytes: MIN_SEGMENT_BYTES });
  transfer.segments = segments;
  await switchToBufferedWrites(context);
  const hasher = new OrderedHasher(transfer.hasher, paths.part);
  const stop = new AbortController();
  const signal = download.signal ? AbortSignal.any([download.signal, stop.signal]) : stop.signal;
  const writers = new Map<Segment, SegmentWriter>();
  const assigned = new Set<Segment>();
  /** Where each segment's request in flight ends: work stealing takes only what lies beyond, never asked for. */
  const requested = new Map<Segment, number>();
  let fatal: unknown;
  let wholeFile: PrefetchedAnswer | undefined;
  let lastProgress = 0;
  const interval = download.progressIntervalMs ?? 100;

  const progress = (state: 'downloading' | 'verifying', bytes: number): void =>
    download.onProgress?.({ state, bytes, total });
  const received = (): number =>
    bytesDone(segments) + [...writers].reduce((sum, [segment, writer]) => sum + writer.received - segment.done, 0);
  const saver = stateSaver(context);
  const flusher = backgroundFlush(context);
  const written = (): void => {
    transfer.writtenBytes = bytesDone(segments);
    hasher.advance(contiguousPrefix(segments));
    saver.request();
    flusher.written(transfer.writtenBytes);
  };

  let confirmRanges: (honoured: boolean) => void = () => undefined;
  const rangesHonoured = probing
    ? new Promise<boolean>((resolve) => {
        confirmRanges = resolve;
      })
    : Promise.resolve(true);

  const take = (): Segment | undefined => {
    const free = segments.find((s) => !assigned.has(s) && s.done < s.end - s.start);
    const segment =
      free ??
      splitLargest(segments, {
        minBytes: STEAL_MIN_BYTES,
        reached: (s) => (requested.get(s) ?? s.start + s.done) - s.start,
      });
    if (segment) assigned.add(segment);
    return segment;
  };

  const runSegment = async (segment: Segment, memory: Buffer): Promise<void> => {
    let reResolves = 0;
    let attempt = 1;
    while (segment.done < segment.end - segment.start) {
      try {
        const whole = await fetchSegment({
          context,
          segment,
          memory,
          stop: stop.signal,
          onWriter: (writer) => (writer ? writers.set(segment, writer) : writers.delete(segment)),
          onRequest: (end) => (end === undefined ? requested.delete(segment) : requested.set(segment, end)),
          onReceived: () => {
            const now = clock.now();
            if (now - lastProgress < interval) return;
            lastProgress = now;
            progress('downloading', received());
          },
          onWritten: written,
          // The other connections start as soon as the first range comes back, not once it is complete.
          onRangeAccepted: () => confirmRanges(true),
        });
        if (whole) {
          wholeFile = whole;
          stop.abort();
          confirmRanges(false);
          return;
        }
      } catch (error) {
        if (signal.aborted) return;
        const verdict = retryAfterFailure(context, { error, attempt, reResolvesLeft: MAX_RE_RESOLVES - reResolves });
        if (verdict.reResolve) reResolves++;
        if (verdict.delay === null) throw verdict.failure;
        download.logger?.warn('segment attempt failed, retrying', {
          file: name,
          attempt,
          delayMs: verdict.delay,
          code: verdict.failure.code,
          from: segment.start + segment.done,
          to: segment.end,
        });
        await clock.sleep(verdict.delay, signal).catch(() => undefined);
        if (signal.aborted) return;
        attempt++;
      }
    }
  };

  const worker = async (index: number): Promise<void> => {
    const memory = Buffer.allocUnsafeSlow(SEGMENT_SLOTS * SEGMENT_SLOT_BYTES);
    try {
      if (index === 0 && probing) {
        const first = segments[0];
        if (first) assigned.add(first);
        if (first) await runSegment(first, memory);
      } else if (!(await rangesHonoured)) {
        return;
      }
      for (let segment = take(); segment && !signal.aborted; segment = take()) {
        await runSegment(segment, memory);
      }
    } catch (error) {
      fatal ??= error;
      stop.abort();
    } finally {
      // A probe that failed for good lets the waiting connections go.
      if (index === 0) confirmRanges(false);
    }
  };

  progress('downloading', bytesDone(segments));
  download.logger?.info('segmented download', { file: name, bytes: total, segments: segments.length });
  await Promise.all(Array.from({ length: Math.max(1, options.connections) }, (_, index) => worker(index)));
  await saver.flush();
  await flusher.settled();
  await hasher.settled();
  if (fatal !== undefined) throw fatal;
  if (wholeFile) {
    // The file changed at the source (or stopped honouring Range): nothing of the segments may be mixed with it.
    await restartFromZero(transfer);
    return wholeFile;
  }
  if (download.signal?.aborted) throw cancelledDownload(name, download.signal.reason);
  if (bytesDone(segments) !== total) {
    throw new DepotError('NETWORK', `${name}: the segmented download stopped with bytes missing; it will resume.`);
  }
  await hasher.finish(total);
  transfer.writtenBytes = total;
  return undefined;
}

/**
 * Segments are written at any offset and hashed back from the page cache: the partial goes through the page cache
 * (the one-connection path's direct writes need aligned offsets and would leave nothing there to hash from).
 */
async function switchToBufferedWrites({ transfer, paths }: DownloadContext): Promise<void> {
  if (!transfer.direct) return;
  const handle = await open(paths.part, constants.O_WRONLY | constants.O_CREAT);
  await transfer.handle.close();
  transfer.handle = handle;
  transfer.direct = false;
}

/**
 * Writes through the page cache leave the whole file dirty for the final fsync, seconds of disk writes after the
 * last byte arrived. A datasync every FLUSH_EVERY_BYTES (one at a time, beside the downloads) spreads them out.
 */
function backgroundFlush({ transfer }: DownloadContext): { written(bytes: number): void; settled(): Promise<void> } {
  let flushedAt = transfer.writtenBytes;
  let running: Promise<void> | undefined;
  let failure: unknown;
  return {
    written(bytes) {
      if (running || failure !== undefined || bytes - flushedAt < FLUSH_EVERY_BYTES) return;
      flushedAt = bytes;
      running = transfer.handle
        .datasync()
        .catch((error: unknown) => {
          failure = error;
        })
        .finally(() => {
          running = undefined;
        });
    },
    async settled() {
      await running;
      if (failure !== undefined) throw failure;
    },
  };
}

/** Saves the resume state after writes, one save at a time and at most every SAVE_INTERVAL_MS. */
function stateSaver(context: DownloadContext): { request(): void; flush(): Promise<void> } {
  const { transfer, paths, clock, options } = context;
  let saving: Promise<void> | undefined;
  let dirty = false;
  let last = Number.NEGATIVE_INFINITY;
  let failure: unknown;
  const loop = async (): Promise<void> => {
    while (dirty) {
      const wait = last + SAVE_INTERVAL_MS - clock.now();
      if (wait > 0) await clock.sleep(wait);
      dirty = false;
      last = clock.now();
      await saveTransferState(transfer, paths, options.expectedSize);
    }
  };
  return {
    request() {
      dirty = true;
      saving ??= loop()
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => {
          saving = undefined;
        });
    },
    async flush() {
      while (saving) await saving;
      await saveTransferState(transfer, paths, options.expectedSize);
      if (failure !== undefined) throw failure;
    },
  };
}
