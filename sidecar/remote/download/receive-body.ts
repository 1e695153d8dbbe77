import { finished, pipeline } from 'node:stream/promises';
import type { DownloadContext } from './download-context';
import { HttpResponseReader } from '../socket-http/http-response-reader';
import { alignForDirectWrites } from '../partial/partial-transfer';
import { RING_READ_BYTES, RingFileWriter } from '../ring/ring-file-writer';
import type { StallWatch } from './watch-stall';

/** Reads under a bandwidth cap: small enough that a low rate stays smooth. */
const CAPPED_READ_BYTES = 16 * 1024;

/**
 * Streams an accepted answer's body into the partial file and the hash, through the bandwidth limiter when there is
 * one, reporting progress as bytes arrive. A socketFetch answer is read straight into the ring; any other fetch's
 * body goes through a stream pipeline. Settles only once the writer has stopped touching the file and the hash, so a
 * retry never overlaps it.
 */
export async function receiveBody(
  context: DownloadContext,
  input: { body: NodeJS.ReadableStream; signal: AbortSignal; stall: StallWatch },
): Promise<void> {
  const { options, transfer, clock } = context;
  const interval = options.progressIntervalMs ?? 100;
  let lastProgress = 0;
  if (transfer.direct) await alignForDirectWrites(transfer, context.paths.part);
  const writer = new RingFileWriter({
    handle: transfer.handle,
    direct: transfer.direct,
    ring: transfer.ring,
    hasher: transfer.hasher,
    startBytes: transfer.writtenBytes,
    name: context.name,
    onReceived(bytes) {
      input.stall.touch();
      const now = clock.now();
      if (now - lastProgress >= interval) {
        lastProgress = now;
        options.onProgress?.({ state: 'downloading', bytes, total: transfer.total });
      }
    },
    onWritten(bytes) {
      transfer.writtenBytes = bytes;
    },
  });
  options.onProgress?.({ state: 'downloading', bytes: transfer.writtenBytes, total: transfer.total });
  try {
    if (input.body instanceof HttpResponseReader) {
      const limiter = options.limiter;
      await input.body.readInto(writer, {
        pace: limiter && ((bytes) => (limiter.kbps === null ? undefined : limiter.take(bytes, input.signal))),
        maxReadBytes: () => (limiter?.kbps ? CAPPED_READ_BYTES : RING_READ_BYTES),
      });
      writer.end();
      await finished(writer);
    } else if (options.limiter) {
      await pipeline(input.body, options.limiter.throttle(input.signal), writer, { signal: input.signal });
    } else {
      await pipeline(input.body, writer, { signal: input.signal });
    }
  } catch (error) {
    // Without an error: nothing listens to the writer's events here, the caller gets `error` itself.
    writer.destroy();
    throw error;
  } finally {
    await writer.settled();
  }
  options.onProgress?.({ state: 'downloading', bytes: transfer.writtenBytes, total: transfer.total });
}
