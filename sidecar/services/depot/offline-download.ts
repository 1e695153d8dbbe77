import path from 'node:path';
import { DepotError } from '../../../shared/errors';
import type { DownloadOne } from '../install/install-deps';
import { redactUrl } from '../../runtime/redact-url';

/**
 * The download of an offline depot (HF_HUB_OFFLINE, --offline): nothing is sent, and the job fails with what it
 * would have fetched, so a person can fetch it elsewhere or go online. Links and present files still install.
 */
export function offlineDownload(rewriteUrl: (url: string) => string): DownloadOne {
  return async (request) => {
    const name = path.basename(request.dest);
    const url = redactUrl(rewriteUrl(request.url));
    throw new DepotError(
      'NETWORK',
      `offline: would download ${name} from ${url}; unset HF_HUB_OFFLINE (or drop --offline) to download it.`,
      { details: { offline: true, url } },
    );
  };
}
