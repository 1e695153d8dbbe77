import { pipeline } from 'node:stream/promises';
import type { DownloadContext } from './download-context';
import { alignForDirectWrites } from './partial-transfer';
import { RingFileWriter } from './ring-file-writer';
import type { StallWatch } from './watch-stall';

/**
 * Streams an accepted answer's body into the partial file and the hash, through the bandwidth limiter when there is
 * one, reporting progress as bytes arrive. Settles only once the writer has stopped touching the file and the hash,
 * so a retry never overlaps it.
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
    if (options.limiter) {
      await pipeline(input.body, options.limiter.throttle(input.signal), writer, { signal: input.signal });
    } else {
      await pipeline(input.body, writer, { signal: input.signal });
    }
  } finally {
    await writer.settled();
  }
  options.onProgress?.({ state: 'downloading', bytes: transfer.writtenBytes, total: transfer.total });
}
