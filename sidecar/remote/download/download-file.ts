import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DepotError, hasErrorCode, isDepotError } from '../../../shared/errors';
import { acceptAnswer } from './accept-answer';
import { systemClock } from '../../runtime/clock';
import type { DownloadContext, DownloadFileOptions, DownloadResult, PrefetchedAnswer } from './download-context';
import { cancelledDownload } from './download-failure';
import { ensureFreeSpace } from './ensure-free-space';
import { bodyStream } from '../fetch-like';
import { fetchFollowingRedirects } from './fetch-following-redirects';
import { discardTransfer, ifRangeValidator, openTransfer, saveTransferState } from '../partial/partial-transfer';
import { publishDownload, refuseExisting } from '../partial/publish-download';
import { receiveBody } from './receive-body';
import { downloadSegmented, SEGMENTED_MIN_BYTES } from '../segmented/download-segmented';
import { socketFetch } from '../socket-http/socket-fetch';
import { partialPaths, removePartial } from '../partial/resume-state';
import { MAX_RE_RESOLVES, retryAfterFailure } from './retry-after-failure';
import { verifyDownload } from './verify-download';
import { watchAttempt } from './watch-attempt';

export type {
  DownloadContext,
  DownloadFileOptions,
  DownloadProgress,
  DownloadResult,
  DownloadTimeouts,
} from './download-context';

/**
 * Downloads one file: into `<tmpDir>/<key>.part`, hashed as the bytes arrive, resumable (in process with Range, after
 * a restart from the resume state), size then SHA-256 checked, fsynced and moved to `dest` without overwriting.
 * A half-downloaded or mismatching file never appears under its final name. Never registers anything.
 */
export async function downloadFile(options: DownloadFileOptions): Promise<DownloadResult> {
  const name = path.basename(options.dest);
  const first = options.hostPolicy.check(options.url);
  if (!path.isAbsolute(options.dest)) {
    throw new DepotError(
      'BAD_INPUT',
      `${name}: the destination must be an absolute path (checked safe by the caller).`,
    );
  }
  const expectedSha256 = options.expectedSha256?.toLowerCase();
  // It also names the partial file: anything but 64 hex digits could point outside tmpDir.
  if (expectedSha256 !== undefined && !/^[0-9a-f]{64}$/.test(expectedSha256)) {
    throw new DepotError('BAD_INPUT', `${name}: the expected SHA-256 must be 64 hexadecimal digits.`);
  }
  if (
    options.expectedSize !== undefined &&
    !(Number.isSafeInteger(options.expectedSize) && options.expectedSize >= 0)
  ) {
    throw new DepotError('BAD_INPUT', `${name}: the expected size must be a whole number of bytes.`);
  }
  await refuseExisting(options.dest, name);
  await mkdir(options.tmpDir, { recursive: true });
  const paths = partialPaths({ tmpDir: options.tmpDir, url: options.url, expectedSha256 });
  const transfer = await openTransfer({
    url: options.url,
    paths,
    expectedSha256,
    expectedSize: options.expectedSize,
    name,
  });
  const context: DownloadContext = {
    options,
    transfer,
    paths,
    provider: first.provider,
    name,
    clock: options.clock ?? systemClock,
    expectedSha256,
  };
  try {
    await checkFreeSpace(context, transfer.total ?? options.expectedSize);
    await transferAll(context);
    options.onProgress?.({ state: 'verifying', bytes: transfer.writtenBytes, total: transfer.total });
    const sha256 = await transfer.hasher.digest();
    const size = transfer.writtenBytes;
    await verifyDownload(context, { sha256, size });
    await transfer.handle.sync();
    await transfer.handle.close();
    await publishDownload(paths, options.dest, name);
    options.logger?.info('download complete', { file: name, bytes: size, sha256 });
    return { sha256, size };
  } catch (error) {
    // Nothing received (refused hop, auth error, cancelled early): leave no empty partial or state behind.
    if (transfer.writtenBytes === 0 && !transfer.discarded) {
      transfer.discarded = true;
      await transfer.handle.close().catch(ignoreClosed);
      await removePartial(paths);
    }
    throw error;
  } finally {
    await transfer.hasher.close();
    await transfer.handle.close().catch(ignoreClosed);
    await transfer.release();
  }
}

/**
 * Several connections for a large file of known size (or a partial that was started so), else one. A server that
 * answers a range with the whole file is downloaded over that one connection.
 */
async function transferAll(context: DownloadContext): Promise<void> {
  const { options, transfer } = context;
  const connections = options.connections ?? 8;
  if (!Number.isInteger(connections) || connections < 1) {
    throw new DepotError('BAD_INPUT', `connections per file must be a whole number of at least 1, got ${connections}.`);
  }
  const fresh = transfer.writtenBytes === 0 && transfer.segments === undefined;
  const large = (options.expectedSize ?? 0) >= SEGMENTED_MIN_BYTES;
  if (transfer.segments !== undefined || (fresh && large && connections > 1)) {
    const wholeFile = await downloadSegmented(context, { connections });
    if (wholeFile) await transferWithRetries(context, wholeFile);
    return;
  }
  if (transfer.writtenBytes > 0) await rehashPrefix(context);
  await transferWithRetries(context);
}

/**
 * After a restart Node's hash state is gone (a Hash cannot be saved and restored): the existing prefix is hashed
 * again at disk speed, then the download continues into the same hash.
 */
async function rehashPrefix({ transfer, paths, options, name }: DownloadContext): Promise<void> {
  await transfer.hasher.hashFilePrefix(paths.part, transfer.writtenBytes);
  options.logger?.info('resuming partial download', { file: name, bytes: transfer.writtenBytes });
}

/**
 * Tries again after 408, 429, 5xx and network errors (with backoff, or as long as the server asks), and at once
 * after a CDN or storage hop refused an expired signed URL; every attempt starts from the original URL.
 */
async function transferWithRetries(context: DownloadContext, prefetched?: PrefetchedAnswer): Promise<void> {
  const { options, transfer, name, clock } = context;
  let reResolves = 0;
  let first = prefetched;
  for (let attempt = 1; ; attempt++) {
    try {
      await transferOnce(context, first);
      return;
    } catch (error) {
      first = undefined;
      if (options.signal?.aborted) throw cancelledDownload(name, error);
      const { failure, delay, reResolve } = retryAfterFailure(context, {
        error,
        attempt,
        reResolvesLeft: MAX_RE_RESOLVES - reResolves,
      });
      if (reResolve) reResolves++;
      if (delay === null) throw failure;
      const status = failure.details?.status;
      options.logger?.warn(
        reResolve ? 'signed download URL refused, asking for a fresh one' : 'download attempt failed, retrying',
        {
          file: name,
          attempt,
          delayMs: delay,
          code: failure.code,
          status,
          bytes: transfer.writtenBytes,
        },
      );
      // The hash covers exactly the bytes written: cut any tail a failed write may have left.
      await transfer.handle.truncate(transfer.writtenBytes);
      try {
        await clock.sleep(delay, options.signal);
      } catch (sleepError) {
        throw cancelledDownload(name, sleepError);
      }
    }
  }
}

async function transferOnce(context: DownloadContext, prefetched?: PrefetchedAnswer): Promise<void> {
  const { options, transfer, paths, provider, name } = context;
  const attempt = prefetched?.controller ?? new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, attempt.signal]) : attempt.signal;
  const stall = watchAttempt(context, attempt);
  try {
    const headers: Record<string, string> = {};
    if (transfer.writtenBytes > 0) {
      headers.Range = `bytes=${transfer.writtenBytes}-`;
      const validator = ifRangeValidator(transfer);
      if (validator) headers['If-Range'] = validator;
    }
    const followed =
      prefetched?.followed ??
      (await fetchFollowingRedirects({
        url: options.url,
        fetch: options.fetch ?? socketFetch,
        hostPolicy: options.hostPolicy,
        token: options.token,
        provider,
        headers,
        signal,
      }));
    stall.phase('idle');
    const complete = await acceptAnswer(context, followed);
    if (complete) return;
    await checkFreeSpace(context, transfer.total);
    await saveTransferState(transfer, paths, options.expectedSize);
    await receiveBody(context, { body: bodyStream(followed.response), signal, stall });
    // A body cut short without an error (no Content-Length, or a proxy) is a dropped connection: resume it.
    const expectedTotal = transfer.total ?? options.expectedSize;
    if (expectedTotal !== undefined && transfer.writtenBytes < expectedTotal) {
      throw new DepotError(
        'NETWORK',
        `${name}: the connection ended after ${transfer.writtenBytes} of ${expectedTotal} bytes.`,
      );
    }
  } catch (error) {
    // A body longer than the file (an endless or wrong answer): what it brought is not worth resuming from.
    if (isDepotError(error) && error.details?.overflow === true && !transfer.discarded) {
      await discardTransfer(transfer, paths);
      throw new DepotError(
        'SIZE_MISMATCH',
        `${name}: ${error.message} Nothing was kept: the host is misbehaving, or the file is not the size the ` +
          `workflow says.`,
        { details: error.details, cause: error },
      );
    }
    // The stall watcher aborted the attempt: report the phase that fired, not the abort.
    throw stall.timeoutError() ?? error;
  } finally {
    stall.stop();
    // Frees the connection of an answer whose body was not read (errors, refused sizes, full disks).
    attempt.abort();
    await saveTransferState(transfer, paths, options.expectedSize).catch(ignoreMissingDir);
  }
}

async function checkFreeSpace({ options, transfer, name }: DownloadContext, total: number | undefined): Promise<void> {
  if (total === undefined) return;
  await ensureFreeSpace({
    dir: options.tmpDir,
    needed: total - transfer.writtenBytes,
    name,
    freeSpace: options.freeSpace,
  });
}

/** The handle is closed on the success path already; closing twice is the only error expected here. */
function ignoreClosed(error: unknown): void {
  if (!hasErrorCode(error, 'EBADF')) throw error;
}

/** After a discard the tmp directory may be gone with the partial; the state has nothing left to describe. */
function ignoreMissingDir(error: unknown): void {
  if (!hasErrorCode(error, 'ENOENT')) throw error;
}
