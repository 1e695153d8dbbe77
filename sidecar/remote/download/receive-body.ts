import { Transform } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { DepotError } from '../../../shared/errors';
import type { DownloadContext } from './download-context';
import { RingReadable } from '../fetch-like';
import { pacedReads } from '../paced-reads';
import { alignForDirectWrites } from '../partial/partial-transfer';
import { RING_READ_BYTES, RingFileWriter } from '../ring/ring-file-writer';
import type { StallWatch } from './watch-stall';

/**
 * Streams an accepted answer's body into the partial file and the hash, through the bandwidth limiter when there is
 * one, reporting progress as bytes arrive. A socketFetch or undici answer is read straight into the ring; any other
 * fetch's body goes through a stream pipeline. Either way a body never brings more than the file still lacks (when
 * its size is known): a longer one fails SIZE_MISMATCH with `details.overflow`. Settles only once the writer has
 * stopped touching the file and the hash, so a retry never overlaps it.
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
  const total = transfer.total ?? options.expectedSize;
  const limitBytes = total === undefined ? undefined : Math.max(0, total - transfer.writtenBytes);
  try {
    if (input.body instanceof RingReadable) {
      await input.body.readInto(writer, {
        ...pacedReads(options.limiter, input.signal, RING_READ_BYTES),
        limitBytes,
      });
      writer.end();
      await finished(writer);
    } else {
      const limit = limitStream(limitBytes ?? Number.POSITIVE_INFINITY, context.name);
      if (options.limiter) {
        await pipeline(input.body, limit, options.limiter.throttle(input.signal), writer, { signal: input.signal });
      } else {
        await pipeline(input.body, limit, writer, { signal: input.signal });
      }
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

/** Passes at most `limit` bytes, then fails: an injected fetch's endless body stops where the file ends. */
function limitStream(limit: number, name: string): Transform {
  let left = limit;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const piece = chunk.subarray(0, left);
      left -= piece.length;
      if (piece.length < chunk.length) {
        callback(
          new DepotError(
            'SIZE_MISMATCH',
            `${name}: the host kept sending past the ${limit} bytes the file still lacked; the download stopped there.`,
            {
              details: { limit, overflow: true },
            },
          ),
          piece,
        );
        return;
      }
      callback(null, piece);
    },
  });
}
