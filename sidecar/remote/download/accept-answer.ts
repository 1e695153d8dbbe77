import { DepotError } from '../../../shared/errors';
import type { DownloadContext } from './download-context';
import { discardBody } from '../fetch-like';
import type { FollowedResponse } from './fetch-following-redirects';
import { parseContentRange } from '../parse-content-range';
import { discardTransfer, restartFromZero } from '../partial/partial-transfer';
import { statusError } from '../hub/status-error';

/**
 * Checks the final hop's answer before its body is read: 206 at the right offset continues, 200 restarts from zero
 * (Range ignored or If-Range saw a change), 416 either confirms a complete partial (returns true) or restarts,
 * anything else becomes a DepotError; a size that contradicts the workflow discards the partial.
 */
export async function acceptAnswer(context: DownloadContext, followed: FollowedResponse): Promise<boolean> {
  const { options, transfer, paths, name } = context;
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
  if (status !== 200 && status !== 206) throw await answerError(context, followed);
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

/**
 * The error of an unsuccessful answer. A 403 or 410 from a CDN or storage hop (not the provider's own host) is the
 * signature of a signed URL that expired, as they do after minutes to hours: flagged `reResolve`, so the retry asks
 * the provider again for a fresh one instead of failing a long download.
 */
export async function answerError(context: DownloadContext, followed: FollowedResponse): Promise<DepotError> {
  const { options, provider, name } = context;
  const status = followed.response.status;
  const answeredByEndpoint = options.hostPolicy.verdict(followed.finalUrl)?.isEndpoint === true;
  const error = await statusError({
    response: followed.response,
    url: followed.finalUrl,
    provider: answeredByEndpoint ? provider : undefined,
    sentToken: followed.sentToken,
    name,
    token: options.token,
  });
  if (!answeredByEndpoint && (status === 403 || status === 410)) {
    return new DepotError(error.code, error.message, { details: { ...error.details, reResolve: true } });
  }
  return error;
}

function numberHeader(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}
