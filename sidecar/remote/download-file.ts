import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import nodeFetch from 'node-fetch';
import type { Provider } from '../../shared/check-result';
import { DepotError } from '../../shared/errors';
import type { BandwidthLimiter } from './bandwidth-limiter';
import { systemClock, type Clock } from './clock';
import { bodyStream, discardBody, type FetchLike } from './fetch-like';
import { fetchFollowingRedirects, type FollowedResponse } from './fetch-following-redirects';
import { cancelledDownload, toDownloadFailure } from './download-failure';
import { ensureFreeSpace } from './ensure-free-space';
import type { HostPolicy } from './host-policy';
import type { Logger } from './logger';
import { parseContentRange } from './parse-content-range';
import {
  alignForDirectWrites,
  discardTransfer,
  openTransfer,
  restartFromZero,
  saveTransferState,
  type Transfer,
} from './partial-transfer';
import { publishDownload, refuseExisting } from './publish-download';
import { RingFileWriter } from './ring-file-writer';
import { redactUrl } from './redact-url';
import { partialPaths, removePartial, type PartialPaths } from './resume-state';
import { RETRY_STATUSES, retryDelay, type RetryOptions } from './retry-delay';
import { statusError } from './status-error';
import { watchStall, type StallWatch } from './watch-stall';

export interface DownloadProgress {
  state: 'downloading' | 'verifying';
  /** Bytes received (a resumed prefix counts); the last few MiB may still be on their way to the disk. */
  bytes: number;
  /** The file's size when known. */
  total?: number;
}

export interface DownloadTimeouts {
  /** ms to wait for response headers (each hop). Default 60000. */
  response?: number;
  /** ms without a single body byte before the transfer counts as stalled. Default 60000. */
  idle?: number;
}

export interface DownloadFileOptions {
  /** The URL to fetch (already rewritten to HF_ENDPOINT / CIVITAI_ENDPOINT); checked by `hostPolicy`. */
  url: string;
  /** The final absolute path, already checked safe by the caller; never overwritten (CONFLICT). */
  dest: string;
  /** Where `<key>.part` and its resume state go: `<modelsRoot>/.cache/tmp`, same volume as `dest`. */
  tmpDir: string;
  /** Lower-case hex; a mismatch discards the download (HASH_MISMATCH). Default: not checked, only computed. */
  expectedSha256?: string;
  /** Bytes; checked before the hash, and used for the free-space check. Default: the server's size. */
  expectedSize?: number;
  /** Sent only to the endpoint host of the URL's provider, never to a CDN/storage hop. Default none. */
  token?: string;
  /** The allow-list every hop is checked against. */
  hostPolicy: HostPolicy;
  /** The global bandwidth cap. Default none. */
  limiter?: BandwidthLimiter;
  /** Cancels: throws CANCELLED and keeps the partial file for a later resume. */
  signal?: AbortSignal;
  /** Progress, at most every `progressIntervalMs` plus every state change. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Default every 100 ms. */
  progressIntervalMs?: number;
  /** Default node-fetch 3. */
  fetch?: FetchLike;
  /** Default the system clock. */
  clock?: Clock;
  /** Retries on 408, 429, 5xx and network errors. Default 5 tries with 1, 2, 4, 8, 16 s backoff. */
  retry?: RetryOptions;
  /** Default response 60 s, idle 60 s. */
  timeouts?: DownloadTimeouts;
  /** Bytes free on the volume of a directory. Default statfs. */
  freeSpace?: (dir: string) => Promise<number>;
  /** Default silent. */
  logger?: Logger;
  /** A number in [0, 1) for the retry noise. Default Math.random. */
  random?: () => number;
}

export interface DownloadResult {
  sha256: string;
  size: number;
}

/**
 * Downloads one file: into `<tmpDir>/<key>.part`, hashed as the bytes arrive, resumable (in process with Range, after
 * a restart from the resume state), size then SHA-256 checked, fsynced and moved to `dest` without overwriting.
 * A half-downloaded or mismatching file never appears under its final name. Never registers anything.
 */
export async function downloadFile(options: DownloadFileOptions): Promise<DownloadResult> {
  const name = path.basename(options.dest);
  const first = options.hostPolicy.check(options.url);
  if (!path.isAbsolute(options.dest)) {
    throw new DepotError('BAD_INPUT', `${name}: the destination must be an absolute path (checked safe by the caller).`);
  }
  const expectedSha256 = options.expectedSha256?.toLowerCase();
  // It also names the partial file: anything but 64 hex digits could point outside tmpDir.
  if (expectedSha256 !== undefined && !/^[0-9a-f]{64}$/.test(expectedSha256)) {
    throw new DepotError('BAD_INPUT', `${name}: the expected SHA-256 must be 64 hexadecimal digits.`);
  }
  if (options.expectedSize !== undefined && !(Number.isSafeInteger(options.expectedSize) && options.expectedSize >= 0)) {
    throw new DepotError('BAD_INPUT', `${name}: the expected size must be a whole number of bytes.`);
  }
  await refuseExisting(options.dest, name);
  await mkdir(options.tmpDir, { recursive: true });
  const paths = partialPaths({ tmpDir: options.tmpDir, url: options.url, expectedSha256 });
  const transfer = await openTransfer({ url: options.url, paths, expectedSha256, expectedSize: options.expectedSize });
  try {
    await checkFreeSpace(options, transfer.total ?? options.expectedSize, transfer.writtenBytes, name);
    if (transfer.writtenBytes > 0) await rehashPrefix(transfer, paths.part, options);
    await transferWithRetries(options, transfer, paths, first.provider, name);
    options.onProgress?.({ state: 'verifying', bytes: transfer.writtenBytes, total: transfer.total });
    const sha256 = await transfer.hasher.digest();
    const size = transfer.writtenBytes;
    await verify({ options, paths, sha256, size, expectedSha256, name, transfer });
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
  }
}

/**
 * After a restart Node's hash state is gone (reference section 4): the existing prefix is hashed again at disk
 * speed, then the download continues into the same hash.
 */
async function rehashPrefix(transfer: Transfer, part: string, options: DownloadFileOptions): Promise<void> {
  await transfer.hasher.hashFilePrefix(part, transfer.writtenBytes);
  options.logger?.info('resuming partial download', { file: path.basename(options.dest), bytes: transfer.writtenBytes });
}

async function transferWithRetries(
  options: DownloadFileOptions,
  transfer: Transfer,
  paths: PartialPaths,
  provider: Provider | undefined,
  name: string,
): Promise<void> {
  const clock = options.clock ?? systemClock;
  for (let attempt = 1; ; attempt++) {
    try {
      await transferOnce(options, transfer, paths, provider, name);
      return;
    } catch (error) {
      if (options.signal?.aborted) throw cancelledDownload(name, error);
      const failure = toDownloadFailure(error, name);
      const details = failure.details ?? {};
      const status = typeof details.status === 'number' ? details.status : undefined;
      const retryable = status === undefined ? failure.code === 'NETWORK' || failure.code === 'TIMEOUT' : RETRY_STATUSES.has(status);
      const delay = retryable
        ? retryDelay(
            {
              attempt,
              status,
              retryAfter: stringOr(details.retryAfter),
              rateLimit: stringOr(details.rateLimit),
              now: clock.now(),
              random: (options.random ?? Math.random)(),
            },
            options.retry,
          )
        : null;
      if (delay === null) throw failure;
      options.logger?.warn('download attempt failed, retrying', {
        file: name,
        attempt,
        delayMs: delay,
        code: failure.code,
        status,
        bytes: transfer.writtenBytes,
      });
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

async function transferOnce(
  options: DownloadFileOptions,
  transfer: Transfer,
  paths: PartialPaths,
  provider: Provider | undefined,
  name: string,
): Promise<void> {
  const clock = options.clock ?? systemClock;
  const attempt = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, attempt.signal]) : attempt.signal;
  const stall = watchStall({
    clock,
    controller: attempt,
    timeouts: { response: options.timeouts?.response ?? 60_000, idle: options.timeouts?.idle ?? 60_000 },
    name,
  });
  try {
    const headers: Record<string, string> = {};
    if (transfer.writtenBytes > 0) {
      headers.Range = `bytes=${transfer.writtenBytes}-`;
      // If-Range needs a strong validator; a weak ETag falls back to Last-Modified (or none: the hash still guards).
      const validator = transfer.etag && !transfer.etag.startsWith('W/') ? transfer.etag : transfer.lastModified;
      if (validator) headers['If-Range'] = validator;
    }
    const followed = await fetchFollowingRedirects({
      url: options.url,
      fetch: options.fetch ?? nodeFetch,
      hostPolicy: options.hostPolicy,
      token: options.token,
      provider,
      headers,
      signal,
    });
    stall.phase('idle');
    const complete = await acceptAnswer({ options, transfer, paths, followed, provider, name });
    if (complete) return;
    const { response } = followed;
    await checkFreeSpace(options, transfer.total, transfer.writtenBytes, name);
    await saveTransferState(transfer, paths, options.expectedSize);
    await streamBody({ options, transfer, paths, body: bodyStream(response), signal, stall, name });
    // A body cut short without an error (no Content-Length, or a proxy) is a dropped connection: resume it.
    const expectedTotal = transfer.total ?? options.expectedSize;
    if (expectedTotal !== undefined && transfer.writtenBytes < expectedTotal) {
      throw new DepotError('NETWORK', `${name}: the connection ended after ${transfer.writtenBytes} of ${expectedTotal} bytes.`);
    }
  } catch (error) {
    // The stall watcher aborted the attempt: report the phase that fired, not the abort.
    throw stall.timeoutError() ?? error;
  } finally {
    stall.stop();
    // Frees the connection of an answer whose body was not read (errors, refused sizes, full disks).
    attempt.abort();
    await saveTransferState(transfer, paths, options.expectedSize).catch(ignoreMissingDir);
  }
}

/**
 * Checks the final hop's answer before its body is read: 206 at the right offset continues, 200 restarts from zero
 * (Range ignored or If-Range saw a change), 416 either confirms a complete partial (returns true) or restarts,
 * anything else becomes a DepotError; a size that contradicts the workflow discards the partial.
 */
async function acceptAnswer(input: {
  options: DownloadFileOptions;
  transfer: Transfer;
  paths: PartialPaths;
  followed: FollowedResponse;
  provider: Provider | undefined;
  name: string;
}): Promise<boolean> {
  const { options, transfer, paths, followed, provider, name } = input;
  const { response } = followed;
  const status = response.status;
  if (status === 416) {
    discardBody(response);
    const total = parseContentRange(response.headers.get('content-range'))?.total;
    if (total !== undefined && total === transfer.writtenBytes) {
      transfer.total = total;
      return true;
    }
    await restartFromZero(transfer);
    throw new DepotError('NETWORK', `${name}: the server refused the resume range; starting over.`);
  }
  if (status !== 200 && status !== 206) {
    const answeredByEndpoint = options.hostPolicy.verdict(followed.finalUrl)?.isEndpoint === true;
    throw await statusError({
      response,
      url: followed.finalUrl,
      provider: answeredByEndpoint ? provider : undefined,
      sentToken: followed.sentToken,
      name,
      token: options.token,
    });
  }
  const length = numberHeader(response.headers.get('content-length'));
  if (status === 206) {
    const range = parseContentRange(response.headers.get('content-range'));
    if (!range || range.start !== transfer.writtenBytes) {
      discardBody(response);
      await restartFromZero(transfer);
      throw new DepotError('NETWORK', `${name}: the server answered another range than asked; starting over.`);
    }
    transfer.total = range.total ?? transfer.total;
  } else {
    // 200 to a Range request: the server ignores Range, or If-Range saw a changed file. Restart, never mix.
    if (transfer.writtenBytes > 0) {
      options.logger?.info('server sent the whole file, restarting', { file: name, bytes: transfer.writtenBytes });
      await restartFromZero(transfer);
    }
    transfer.total = length;
  }
  transfer.etag = response.headers.get('etag') ?? undefined;
  transfer.lastModified = response.headers.get('last-modified') ?? undefined;
  if (options.expectedSize !== undefined && transfer.total !== undefined && transfer.total !== options.expectedSize) {
    discardBody(response);
    await discardTransfer(transfer, paths);
    throw new DepotError(
      'SIZE_MISMATCH',
      `${name}: the host announces ${transfer.total} bytes, the workflow expects ${options.expectedSize}; nothing ` +
        `was kept. The file may have changed at the source: update the workflow's size and sha256.`,
      { details: { expected: options.expectedSize, actual: transfer.total } },
    );
  }
  return false;
}

async function streamBody(input: {
  options: DownloadFileOptions;
  transfer: Transfer;
  paths: PartialPaths;
  body: NodeJS.ReadableStream;
  signal: AbortSignal;
  stall: StallWatch;
  name: string;
}): Promise<void> {
  const { options, transfer, stall } = input;
  const clock = options.clock ?? systemClock;
  const interval = options.progressIntervalMs ?? 100;
  let lastProgress = 0;
  if (transfer.direct) await alignForDirectWrites(transfer, input.paths.part);
  const writer = new RingFileWriter({
    handle: transfer.handle,
    direct: transfer.direct,
    ring: transfer.ring,
    hasher: transfer.hasher,
    startBytes: transfer.writtenBytes,
    name: input.name,
    onReceived(bytes) {
      stall.touch();
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

async function checkFreeSpace(
  options: DownloadFileOptions,
  total: number | undefined,
  written: number,
  name: string,
): Promise<void> {
  if (total === undefined) return;
  await ensureFreeSpace({ dir: options.tmpDir, needed: total - written, name, freeSpace: options.freeSpace });
}

async function verify(input: {
  options: DownloadFileOptions;
  transfer: Transfer;
  paths: PartialPaths;
  sha256: string;
  size: number;
  expectedSha256?: string;
  name: string;
}): Promise<void> {
  const { options, transfer, paths, sha256, size, expectedSha256, name } = input;
  if (options.expectedSize !== undefined && size !== options.expectedSize) {
    await discardTransfer(transfer, paths);
    throw new DepotError(
      'SIZE_MISMATCH',
      `${name}: received ${size} bytes, the workflow expects ${options.expectedSize}; the download was discarded. ` +
        `The file may have changed at the source: update the workflow's size and sha256.`,
      { details: { expected: options.expectedSize, actual: size } },
    );
  }
  if (expectedSha256 !== undefined && sha256 !== expectedSha256) {
    await discardTransfer(transfer, paths);
    throw new DepotError(
      'HASH_MISMATCH',
      `${name}: SHA-256 is ${sha256}, the workflow expects ${expectedSha256}; the download was discarded. The file ` +
        `may have changed at the source: check it (sha256sum) and update the workflow's sha256.`,
      { details: { expected: expectedSha256, actual: sha256, url: redactUrl(options.url) } },
    );
  }
}

function numberHeader(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}

/** The handle is closed on the success path already; closing twice is the only error expected here. */
function ignoreClosed(error: unknown): void {
  if (!isCode(error, 'EBADF')) throw error;
}

/** After a discard the tmp directory may be gone with the partial; the state has nothing left to describe. */
function ignoreMissingDir(error: unknown): void {
  if (!isCode(error, 'ENOENT')) throw error;
}
