import type { Provider } from '../../../shared/check-result';
import type { BandwidthLimiter } from '../bandwidth-limiter';
import type { Clock } from '../../runtime/clock';
import type { FetchLike } from '../fetch-like';
import type { HostPolicy } from '../host-policy';
import type { Logger } from '../../runtime/logger';
import type { Transfer } from '../partial/partial-transfer';
import type { FollowedResponse } from './fetch-following-redirects';
import type { PartialPaths } from '../partial/resume-state';
import type { RetryOptions } from './retry-delay';

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
  /** Default socketFetch, whose bodies are read straight into the ring; any other fetch's body is streamed. */
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
  /**
   * Connections one file may use: a file of SEGMENTED_MIN_BYTES or more whose size is known (`expectedSize`) is
   * fetched in that many ranged segments at once when the server honours Range. 1 keeps one connection. Default 8.
   */
  connections?: number;
}

/** A whole-file (200) answer that arrived while asking for a range: the one-connection download goes on with it. */
export interface PrefetchedAnswer {
  followed: FollowedResponse;
  /** Aborts the answer's connection (its body listens to this controller's signal). */
  controller: AbortController;
}

export interface DownloadResult {
  sha256: string;
  size: number;
}

/** What every step of one download works with; built once by downloadFile. */
export interface DownloadContext {
  options: DownloadFileOptions;
  transfer: Transfer;
  paths: PartialPaths;
  /** The provider of the first URL's host: the only one that may receive the token. */
  provider: Provider | undefined;
  /** The file name, for messages. */
  name: string;
  clock: Clock;
  /** The expected SHA-256 in lower case, checked to be 64 hex digits. */
  expectedSha256?: string;
}
