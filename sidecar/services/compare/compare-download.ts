import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { CompareDownload, RemoteFile } from './compare-schema';
import { DepotError, isDepotError } from '../../../shared/errors';
import { createBandwidthLimiter } from '../../remote/bandwidth-limiter';
import {
  downloadFile,
  type DownloadFileOptions,
  type DownloadProgress,
  type DownloadResult,
} from '../../remote/download/download-file';
import { createHostPolicy, type HostPolicy } from '../../remote/host-policy';
import { forEachLimited } from '../../runtime/for-each-limited';

/** Partial downloads of `--download`: hidden (never scanned), inside the target so the final rename stays on one volume. */
const COMPARE_PARTIAL_DIR = '.model-depot-partial';

export interface DownloadMissingOptions {
  /** The missing files of a comparison. */
  files: readonly RemoteFile[];
  /** Where they go, each at its path relative to the compared folder (the layout `--export-aria2` writes). */
  downloadDir: string;
  /** The HuggingFace endpoint the files come from (HF_ENDPOINT). Default https://huggingface.co. */
  hfEndpoint?: string;
  /** Allow http:// loopback hosts (a local mirror or a test hub, whose CDN is on loopback too). Default false. */
  allowLoopbackHosts?: boolean;
  /** Bandwidth cap in KB/s shared by all the files; null for none. Default null. */
  limitKbps?: number | null;
  /** The downloader: verified (SHA-256 of LFS files), resumable, never overwrites. Default downloadFile. */
  download?: (options: DownloadFileOptions) => Promise<DownloadResult>;
  /** Which hosts may be fetched. Default: the hub of `hfEndpoint` and its CDN hosts. */
  hostPolicy?: HostPolicy;
  /** For private and gated repositories; sent to the hub host only. */
  token?: string;
  /** Downloads at once. Default 3. */
  parallel?: number;
  /** Bytes of one file so far. */
  onProgress?: (file: RemoteFile, progress: DownloadProgress) => void;
  /** One file finished, or failed (the others go on). */
  onDone?: (file: RemoteFile, outcome: CompareDownload) => void;
  signal?: AbortSignal;
}

/** `--download`: fetches every missing file; one failure does not stop the others, and each outcome is reported. */
export async function downloadMissing(options: DownloadMissingOptions): Promise<CompareDownload[]> {
  const root = resolve(options.downloadDir);
  const hostPolicy =
    options.hostPolicy ??
    createHostPolicy({ hfEndpoint: options.hfEndpoint, allowLoopback: options.allowLoopbackHosts ?? false });
  const limiter = createBandwidthLimiter({ kbps: options.limitKbps ?? null });
  const download = options.download ?? ((request: DownloadFileOptions) => downloadFile({ ...request, limiter }));
  const outcomes: CompareDownload[] = new Array(options.files.length);
  const indexed = options.files.map((file, index) => ({ file, index }));
  await forEachLimited(indexed, options.parallel ?? 3, async ({ file, index }) => {
    const dest = resolve(root, file.relativePath);
    let outcome: CompareDownload;
    try {
      assertInside(root, dest, file.relativePath);
      const result = await download({
        url: file.url,
        dest,
        tmpDir: join(root, COMPARE_PARTIAL_DIR),
        ...(file.sha256 ? { expectedSha256: file.sha256 } : {}),
        expectedSize: file.size,
        ...(options.token ? { token: options.token } : {}),
        hostPolicy,
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (progress) => options.onProgress?.(file, progress),
      });
      outcome = { path: file.path, ok: true, dest, sha256: result.sha256, size: result.size };
    } catch (error) {
      // Cancelling stops everything; any other failure is this file's outcome.
      if (!isDepotError(error) || error.code === 'CANCELLED') throw error;
      outcome = { path: file.path, ok: false, dest, code: error.code, message: error.message };
    }
    outcomes[index] = outcome;
    options.onDone?.(file, outcome);
  });
  return outcomes;
}

/** A repository path is outside data: `..` or an absolute path must never leave the download folder. */
function assertInside(root: string, dest: string, name: string): void {
  const rel = relative(root, dest);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
    throw new DepotError('UNSAFE_PATH', `${name}: this repository path would leave ${root}; it was not downloaded.`);
  }
}
