import { DepotError } from '../../../shared/errors';
import type { DownloadContext, PrefetchedAnswer } from '../download/download-context';
import { answerError } from '../download/accept-answer';
import { fetchFollowingRedirects, type FollowedResponse } from '../download/fetch-following-redirects';
import { watchAttempt } from '../download/watch-attempt';
import { bodyStream, discardBody, RingReadable } from '../fetch-like';
import { pacedReads } from '../paced-reads';
import { parseContentRange } from '../parse-content-range';
import { discardTransfer, ifRangeValidator } from '../partial/partial-transfer';
import { copyIntoRing } from '../ring/ring-target';
import { socketFetch } from '../socket-http/socket-fetch';
import { SEGMENT_ALIGN } from './plan-segments';
import type { Segment } from './segment-state';
import { SEGMENT_SLOT_BYTES, SegmentWriter } from './segment-writer';

/**
 * The smallest range one request asks for. A request asks for half of what its segment has left (at least this):
 * the rest stays unasked, so an idle connection can take it over without a byte fetched twice, while a segment
 * still needs only a few requests (64 MiB: 32, 16, 8, 4, 4).
 */
export const MIN_REQUEST_BYTES = 4 * 1024 * 1024;

export interface FetchSegmentInput {
  context: DownloadContext;
  segment: Segment;
  /** The connection's buffer (SegmentWriter's memory). */
  memory: Buffer;
  /** Stops the attempt: another segment failed for good, or met a whole-file answer (never a handed-over body). */
  stop: AbortSignal;
  /** Tells the writer this attempt uses (for progress), or undefined once it is closed. */
  onWriter(writer: SegmentWriter | undefined): void;
  /** The file offset the request in flight ends at (work stealing only takes what lies beyond), or undefined. */
  onRequest(end: number | undefined): void;
  /** The server answered with the range asked for (206): it honours Range. */
  onRangeAccepted(): void;
  onReceived(bytes: number): void;
  onWritten(): void;
}

/**
 * One request of one segment: asks for the next part of its range (with If-Range once a validator is known), checks
 * that the 206 is the range asked for, and writes the body at its offset. A 200 means the server sends the whole file
 * instead (Range ignored, or the file changed): it is returned untouched for the one-connection download.
 */
export async function fetchSegment(input: FetchSegmentInput): Promise<PrefetchedAnswer | undefined> {
  const { context, segment } = input;
  const { options, transfer, name } = context;
  const controller = new AbortController();
  // The download's cancel reaches the connection even once handed over; `stop` only while it is this attempt's.
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  let handedOver = false;
  const onStop = (): void => {
    if (!handedOver) controller.abort(input.stop.reason);
  };
  input.stop.addEventListener('abort', onStop, { once: true });
  if (input.stop.aborted) onStop();
  const stall = watchAttempt(context, controller);
  try {
    const from = segment.start + segment.done;
    const left = segment.end - from;
    const half = Math.ceil(left / 2 / SEGMENT_ALIGN) * SEGMENT_ALIGN;
    const requestEnd = left <= 2 * MIN_REQUEST_BYTES ? segment.end : from + Math.max(MIN_REQUEST_BYTES, half);
    input.onRequest(requestEnd);
    const headers: Record<string, string> = { Range: `bytes=${from}-${requestEnd - 1}` };
    const validator = ifRangeValidator(transfer);
    if (validator) headers['If-Range'] = validator;
    const followed = await fetchFollowingRedirects({
      url: options.url,
      fetch: options.fetch ?? socketFetch,
      hostPolicy: options.hostPolicy,
      token: options.token,
      provider: context.provider,
      headers,
      signal,
    });
    stall.phase('idle');
    if (followed.response.status === 200) {
      handedOver = true;
      return { followed, controller };
    }
    await acceptRange(context, followed, { from, last: requestEnd - 1 });
    input.onRangeAccepted();
    const writer = new SegmentWriter({
      handle: transfer.handle,
      segment,
      end: requestEnd,
      memory: input.memory,
      name,
      onWritten: input.onWritten,
      onReceived(bytes) {
        stall.touch();
        input.onReceived(bytes);
      },
    });
    input.onWriter(writer);
    try {
      await readBody(context, followed, writer, signal);
    } finally {
      await writer.close();
      input.onWriter(undefined);
    }
    if (writer.failure) throw writer.failure;
    if (segment.start + segment.done < requestEnd) {
      throw new DepotError(
        'NETWORK',
        `${name}: the connection for bytes ${from}-${requestEnd - 1} ended after ${segment.start + segment.done - from} of them.`,
      );
    }
    return undefined;
  } catch (error) {
    throw stall.timeoutError() ?? error;
  } finally {
    stall.stop();
    input.onRequest(undefined);
    input.stop.removeEventListener('abort', onStop);
    // Frees the connection (an error answer, a refused range, a cut segment); a handed-over body stays open.
    if (!handedOver) controller.abort();
  }
}

/** A 206 for exactly the bytes asked for, of a file of the expected size; anything else is refused. */
async function acceptRange(
  context: DownloadContext,
  followed: FollowedResponse,
  asked: { from: number; last: number },
): Promise<void> {
  const { options, transfer, paths, name } = context;
  const { response } = followed;
  if (response.status !== 206) throw await answerError(context, followed);
  const range = parseContentRange(response.headers.get('content-range'));
  if (range?.total !== undefined && transfer.total !== undefined && range.total !== transfer.total) {
    discardBody(response);
    await discardTransfer(transfer, paths);
    throw new DepotError(
      'SIZE_MISMATCH',
      `${name}: the host announces ${range.total} bytes, the workflow expects ${transfer.total}; nothing was kept. ` +
        `The file may have changed at the source: update the workflow's size and sha256.`,
      { details: { expected: options.expectedSize, actual: range.total } },
    );
  }
  if (range?.start !== asked.from || range.end === undefined || range.end > asked.last) {
    discardBody(response);
    throw new DepotError('NETWORK', `${name}: the server answered another range than asked; asking again.`);
  }
  transfer.etag ??= response.headers.get('etag') ?? undefined;
  transfer.lastModified ??= response.headers.get('last-modified') ?? undefined;
}

/** Into the writer: straight from the connection for socketFetch and undici, copied from the stream for any other fetch. */
async function readBody(
  context: DownloadContext,
  followed: FollowedResponse,
  writer: SegmentWriter,
  signal: AbortSignal,
): Promise<void> {
  const limiter = context.options.limiter;
  const body = bodyStream(followed.response);
  if (body instanceof RingReadable) {
    await body.readInto(writer, { ...pacedReads(limiter, signal, SEGMENT_SLOT_BYTES), limitBytes: writer.left });
    return;
  }
  try {
    for await (const chunk of body) {
      signal.throwIfAborted();
      const data: Buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      if (limiter?.kbps) await limiter.take(data.length, signal);
      let rest = data;
      while (rest.length > 0 && writer.left > 0) {
        rest = copyIntoRing(writer, rest);
        if (rest.length > 0 && writer.left > 0) await waitForRoom(writer);
      }
      if (writer.left <= 0) return;
    }
  } finally {
    body.destroy();
  }
}

async function waitForRoom(writer: SegmentWriter): Promise<void> {
  await writer.whenFree();
  if (writer.failure) throw writer.failure;
}
