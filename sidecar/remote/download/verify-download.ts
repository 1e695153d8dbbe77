import { DepotError } from '../../../shared/errors';
import type { DownloadContext } from './download-context';
import { discardTransfer } from '../partial/partial-transfer';
import { redactUrl } from '../../runtime/redact-url';

/**
 * Size, then SHA-256, against what the workflow expects. A mismatch discards the partial file and its state for
 * good (nothing of it can be resumed) and says what to do.
 */
export async function verifyDownload(
  context: DownloadContext,
  received: { sha256: string; size: number },
): Promise<void> {
  const { options, transfer, paths, name, expectedSha256 } = context;
  const { sha256, size } = received;
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
