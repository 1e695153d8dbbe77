import type { DownloadQueue } from '../../remote/download/download-queue';
import type { DownloadOne } from './install-deps';

export interface CreateDownloadOneOptions {
  /** The download queue: parallel transfers, single flight by SHA-256 (or URL), cancel keeping the partial file. */
  queue: DownloadQueue;
  /** `<modelsRoot>/.cache/tmp`: partial files and their resume state, on the models' volume. */
  tmpDir: string;
  /** A workflow URL (real host) to the URL fetched (HF_ENDPOINT / CIVITAI_ENDPOINT). */
  rewriteUrl: (url: string) => string;
}

/** The install's view of one download: through the queue, with progress in job terms and the path of the bytes. */
export function createDownloadOne(options: CreateDownloadOneOptions): DownloadOne {
  return async (request) => {
    const handle = options.queue.add({
      id: request.jobId,
      url: options.rewriteUrl(request.url),
      dest: request.dest,
      tmpDir: options.tmpDir,
      expectedSha256: request.expectedSha256,
      expectedSize: request.expectedSize,
      token: request.token,
      tokenHolder: request.tokenHolder,
      signal: request.signal,
      onProgress: (p) => {
        // Terminal states come from the install itself (after registering), not from the transfer.
        if (p.state === 'queued' || p.state === 'downloading' || p.state === 'verifying') {
          request.onProgress({ state: p.state, bytes: p.bytes, total: p.total, speed: p.speed, eta: p.eta });
        }
      },
    });
    const result = await handle.result;
    return { sha256: result.sha256, size: result.size, path: result.path };
  };
}
