import { DepotError } from '../../../shared/errors';
import type { HttpTimeouts } from '../../remote/http/create-http-agent';

export interface DownloadTimeoutsOptions {
  /** The depot's environment: HF_HUB_DOWNLOAD_TIMEOUT (seconds). Default {}. */
  env?: Readonly<Record<string, string | undefined>>;
  /** ms for each phase of a download hop; over HF_HUB_DOWNLOAD_TIMEOUT. Default: connect 10 s, first byte 30 s, idle 60 s. */
  downloadTimeoutMs?: number;
}

/**
 * Without a setting: a connection opens in seconds and a busy CDN may take a while before its first byte, but a host
 * that never answers must fail well within a minute (a first-byte timeout is not retried); a transfer that pauses
 * mid-body resumes, so it may wait longer.
 */
const DEFAULTS: HttpTimeouts = { connectMs: 10_000, firstByteMs: 30_000, idleMs: 60_000 };

/**
 * The connect, first-byte and idle timeouts of every download hop. HF_HUB_DOWNLOAD_TIMEOUT, as huggingface_hub reads
 * it, is one number of seconds for all of them. Throws BAD_CONFIG for a value that is not a positive number.
 */
export function downloadTimeouts(options: DownloadTimeoutsOptions): HttpTimeouts {
  const ms = options.downloadTimeoutMs ?? secondsFromEnv(options.env?.HF_HUB_DOWNLOAD_TIMEOUT);
  return ms === undefined ? DEFAULTS : { connectMs: ms, firstByteMs: ms, idleMs: ms };
}

function secondsFromEnv(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new DepotError(
      'BAD_CONFIG',
      `HF_HUB_DOWNLOAD_TIMEOUT is "${value}", not a number of seconds; set it to a positive number or unset it.`,
    );
  }
  return seconds * 1000;
}
