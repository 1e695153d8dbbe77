import type { z } from 'zod';
import { DepotError, type DepotErrorCode } from '../../../shared/errors';
import { zErrorBody } from '../../server/http-api';
import { parseJsonText } from '../../runtime/parse-json-text';
import type { SidecarConnection } from './find-sidecar';

/** Every code, so an error the sidecar answers with becomes the same DepotError (and exit code) as when run alone. */
const CODES: Readonly<Record<DepotErrorCode, true>> = {
  BAD_INPUT: true,
  BAD_CONFIG: true,
  NOT_FOUND: true,
  HASH_MISMATCH: true,
  SIZE_MISMATCH: true,
  AUTH_REQUIRED: true,
  AUTH_DENIED: true,
  RATE_LIMITED: true,
  HOST_NOT_ALLOWED: true,
  UNSAFE_PATH: true,
  DISK_FULL: true,
  NETWORK: true,
  TIMEOUT: true,
  CANCELLED: true,
  CONFLICT: true,
  SOURCE_CHANGED: true,
  HTTP_ERROR: true,
  FILE_CHANGED: true,
  REGISTRY_LOCKED: true,
  DOWNLOAD_LOCKED: true,
  REGISTRY_CORRUPT: true,
  ORIGIN_REFUSED: true,
  IO: true,
};

/** The DepotError of a `{ code, message }` the sidecar sent (an unknown code counts as IO). */
export function sidecarError(error: { code: string; message: string }): DepotError {
  return new DepotError(isDepotErrorCode(error.code) ? error.code : 'IO', error.message);
}

function isDepotErrorCode(code: string): code is DepotErrorCode {
  return Object.hasOwn(CODES, code);
}

export interface SidecarRequestOptions<T extends z.ZodTypeAny> {
  method: 'GET' | 'POST';
  /** `/models/stats`... */
  path: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Parses the answer. */
  answer: T;
}

/** One JSON request to the sidecar, with its key; an error answer throws the sidecar's DepotError. */
export async function sidecarRequest<T extends z.ZodTypeAny>(
  sidecar: SidecarConnection,
  options: SidecarRequestOptions<T>,
): Promise<z.infer<T>> {
  // undici loads only when a sidecar answers: commands beside no sidecar start without it.
  const { request } = await import('./load-request');
  let answer: Awaited<ReturnType<typeof request>>;
  try {
    answer = await request(`${sidecar.url}${options.path}`, {
      method: options.method,
      headers: { ...sidecar.headers, 'content-type': 'application/json' },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch (error) {
    throw new DepotError(
      'NETWORK',
      `The sidecar at ${sidecar.url} stopped answering (${error instanceof Error ? error.message : String(error)}). Run the command again: without a sidecar it works alone.`,
      { cause: error },
    );
  }
  // A proxy's HTML error page or a cut body is no JSON: it fails the schemas below with a DepotError.
  const body = parseJsonText(await answer.body.text());
  if (answer.statusCode >= 400) {
    const parsed = zErrorBody.safeParse(body);
    if (parsed.success) throw sidecarError(parsed.data.error);
    throw new DepotError('HTTP_ERROR', `The sidecar answered ${options.path} with HTTP ${answer.statusCode}.`);
  }
  const parsed = options.answer.safeParse(body);
  if (!parsed.success) {
    throw new DepotError(
      'HTTP_ERROR',
      `The sidecar's answer to ${options.path} is not what this model-depot expects: is it another version? Stop it, or update both.`,
    );
  }
  return parsed.data;
}
